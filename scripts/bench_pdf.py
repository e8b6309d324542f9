"""Time the PDF step (python -m briefing pdf) on built HTML files: median wall and CPU time of N runs.

    .venv/bin/python scripts/bench_pdf.py build/briefing.html [other.html ...] [--runs 3] [--untagged]

--untagged also times WeasyPrint without PDF/UA tags on the same file, to tell the cost of tagging
from the cost of the charts' text. Prints figures; asserts nothing (docs/benchmark.md has results).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
UNTAGGED = ("import sys; from weasyprint import HTML; p = sys.argv[1]; "
            "HTML(filename=p, media_type='print').write_pdf(sys.argv[2], pdf_identifier=None, custom_metadata=False)")


def timed(cmd: list[str]) -> tuple[float, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return wall, usage.ru_utime + usage.ru_stime


def bench(label: str, cmd: list[str], runs: int) -> None:
    results = [timed(cmd) for _ in range(runs)]
    walls, cpus = [w for w, _ in results], [c for _, c in results]
    print(f"| {label} | {statistics.median(walls):.2f} s ({min(walls):.2f}–{max(walls):.2f}) | {statistics.median(cpus):.2f} s |")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("html", nargs="+")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--untagged", action="store_true")
    args = ap.parse_args()
    print("| PDF step on | wall (min–max) | CPU |\n|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for html in args.html:
            size = Path(html).stat().st_size // 1000
            out = str(Path(tmp) / "b.pdf")
            bench(f"{html} ({size} KB), tagged PDF/UA-1", [PY, "-m", "briefing", "pdf", html, out], args.runs)
            if args.untagged:
                bench(f"{html} ({size} KB), untagged", [PY, "-c", UNTAGGED, html, out], args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
