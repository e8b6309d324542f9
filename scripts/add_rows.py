"""Append a folder of new rows to a copy of a data folder, as a re-runner adds news: no code, no schema change.

    python scripts/add_rows.py data tests/fixtures/year_on /tmp/year_on_data

Each CSV in ADDITIONS is appended to the CSV of the same name in a copy of DATA, column by column under DATA's
header (a column DATA lacks is dropped, one ADDITIONS lacks is left empty), so the rows follow DATA's schema as it is.
"""

from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path


def add_rows(data: Path, additions: Path, out: Path) -> Path:
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(data, out)
    for extra in sorted(additions.glob("*.csv")):
        target = out / extra.name
        with target.open(encoding="utf-8", newline="") as f:
            header = next(csv.reader(f))
        with extra.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        text = target.read_text(encoding="utf-8")
        with target.open("a", encoding="utf-8", newline="") as f:
            if text and not text.endswith("\n"):
                f.write("\n")
            writer = csv.writer(f, lineterminator="\n")
            for row in rows:
                writer.writerow([row.get(col, "") or "" for col in header])
    return out


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: python scripts/add_rows.py DATA ADDITIONS OUT")
    print(add_rows(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])))
