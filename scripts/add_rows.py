"""Append a folder of new rows to a copy of a data folder, as a re-runner adds news: no code, no schema change.

    python scripts/add_rows.py data tests/fixtures/year_on /tmp/year_on_data

Each CSV in ADDITIONS is appended to the CSV of the same name in a copy of DATA, column by column under DATA's
header (one ADDITIONS lacks is left empty). A column DATA's CSV lacks is added to it (empty in its rows) when DATA's
datapackage.json declares it (an optional column such as events.csv's minor), else dropped.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from pathlib import Path


def add_rows(data: Path, additions: Path, out: Path) -> Path:
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(data, out)
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    declared = {r["path"]: [f["name"] for f in r["schema"]["fields"]] for r in package["resources"]}
    for extra in sorted(additions.glob("*.csv")):
        target = out / extra.name
        with target.open(encoding="utf-8", newline="") as f:
            old = list(csv.reader(f))
        with extra.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            rows, columns = list(reader), reader.fieldnames or []
        header = old[0] + [c for c in columns if c not in old[0] and c in declared.get(extra.name, ())]
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(r + [""] * (len(header) - len(r)) for r in old[1:])
        writer.writerows([row.get(col, "") or "" for col in header] for row in rows)
        target.write_text(buf.getvalue(), encoding="utf-8")
    return out


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: python scripts/add_rows.py DATA ADDITIONS OUT")
    print(add_rows(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])))
