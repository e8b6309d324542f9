#!/usr/bin/env python3
"""Benchmark the briefing's build against the naive papermill + nbconvert pipeline (`make bench`).

    python scripts/bench.py [--runs 3] [--json PATH] [--keep] [--skip-naive] [--skip-synthetic]

Runs, each --runs times, and prints the median (and min-max) as a Markdown table:

  clean build      `make BUILD=<empty tmp dir>`: validate, 4 notebooks, HTML, PDF (venv present)
  naive pipeline   per notebook the papermill CLI then the `jupyter nbconvert --to html` CLI, one after
                   the other, plus the same PDF step (`python -m briefing pdf` on the combined HTML)
  no-op            `make` again on the finished build dir (nothing to do)
  one-row change   one event's description edited in a copied data dir, then `make`; which notebooks re-ran
  synthetic 10k    `make DATA=<synthetic dir>` (scripts/synthetic_data.py: 10,000 events, 2,000 figures)
  peak memory      the largest process's max RSS during the clean and the synthetic builds

Only public tools: subprocess, time.perf_counter, os.wait4's rusage. Everything is built in temp
folders (never build/); the data in data/ is only read. No assertion on times: it reports.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PY = str(VENV_BIN / "python")
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL = "scale-briefing"
RERAN = re.compile(r"-m briefing execute '?(notebooks/[^'\s]+\.ipynb)")  # make echoes the name quoted


def clean_env() -> dict[str, str]:
    """The environment without make's own variables: each inner make gets its own -j and jobserver."""
    return {k: v for k, v in os.environ.items() if not k.startswith("MAKE") and k not in ("MFLAGS",)}


def run(cmd: list[str], *, cwd: Path = ROOT, check: bool = True) -> dict:
    """Run cmd; return wall seconds, CPU seconds (user + system, the whole process tree), max RSS
    (MiB, of the largest single process of the tree) and its output."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=clean_env(), text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    if check and proc.returncode:
        raise SystemExit(f"bench: {' '.join(cmd)} failed ({proc.returncode}):\n{text[-4000:]}")
    # Linux reports ru_maxrss in KiB; for a waited child it is the max over it and its waited descendants.
    return {"seconds": wall, "cpu": usage.ru_utime + usage.ru_stime, "max_rss_mib": usage.ru_maxrss / 1024,
            "output": text, "returncode": proc.returncode}


def make(*args: str) -> dict:
    return run(["make", "--no-print-directory", *args])


def naive(work: Path, data: Path, combined_html: Path) -> dict:
    """What one would write by hand: papermill CLI, then nbconvert CLI, per notebook; then the PDF."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    start = time.perf_counter()
    rss = cpu = 0.0
    for nb in NOTEBOOKS:
        out = work / nb.name
        r = run([str(VENV_BIN / "papermill"), str(nb), str(out), "-k", KERNEL, "--cwd", str(nb.parent),
                 "-p", "data_dir", str(data), "-p", "as_of", "", "-p", "base", ""])
        rss, cpu = max(rss, r["max_rss_mib"]), cpu + r["cpu"]
        r = run([str(VENV_BIN / "jupyter"), "nbconvert", "--to", "html", "--output-dir", str(work), str(out)])
        rss, cpu = max(rss, r["max_rss_mib"]), cpu + r["cpu"]
    r = run([PY, "-m", "briefing", "pdf", str(combined_html), str(work / "briefing.pdf")])
    rss, cpu = max(rss, r["max_rss_mib"]), cpu + r["cpu"]
    return {"seconds": time.perf_counter() - start, "cpu": cpu, "max_rss_mib": rss}


def edit_one_event(csv_path: Path, n: int) -> str:
    """Change the description of the first event (a plain text edit, still valid); return its id."""
    import csv

    with csv_path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    base = rows[0]["description"].split(" [bench edit")[0]
    rows[0]["description"] = f"{base} [bench edit {n}]"
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return rows[0]["event_id"]


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}


def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    py = subprocess.run([PY, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True, check=False).stdout.strip()
    mem = ""
    try:
        kib = int(next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")).split()[1])
        mem = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "memory": mem, "python": py, "os": platform.platform(),
            "make_jobs": "-j2 (Makefile JOBS default)"}


STEP_SHELL = """#!/bin/sh
# make's SHELL for one instrumented build: runs each recipe line, logs its start and end times.
s=$(date +%s.%N); /bin/sh "$@"; rc=$?; e=$(date +%s.%N)
printf '%s %s %s\\n' "$s" "$e" "$2" >> "$BENCH_STEPS_LOG"
exit $rc
"""


def step_breakdown(tmp: Path, data: Path | None = None) -> list[dict]:
    """One clean build with every recipe timed (make SHELL=a logging wrapper): which step takes what."""
    shell, log = tmp / "step-shell.sh", tmp / "steps.log"
    shell.write_text(STEP_SHELL)
    shell.chmod(0o755)
    log.unlink(missing_ok=True)
    os.environ["BENCH_STEPS_LOG"] = str(log)
    try:
        start = time.time()
        make(f"BUILD={tmp / 'steps-build'}", f"SHELL={shell}", *([f"DATA={data}"] if data else []))
    finally:
        os.environ.pop("BENCH_STEPS_LOG", None)
        shutil.rmtree(tmp / "steps-build", ignore_errors=True)
    steps = []
    for line in log.read_text().splitlines():
        s, e, cmd = line.split(" ", 2)
        m = re.search(r"-m briefing (\w[\w-]*)(?: (notebooks/\S+))?", cmd)
        if m:  # skip make's own $(shell ...), mkdir and touch
            steps.append({"step": m.group(1) + (f" {Path(m.group(2)).stem}" if m.group(2) else ""),
                          "start": float(s) - start, "end": float(e) - start, "seconds": float(e) - float(s)})
    return steps


def fmt_s(s: dict) -> str:
    return f"{s['median']:.2f} s" + (f" ({s['min']:.2f}–{s['max']:.2f})" if len(s["runs"]) > 1 else "")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--json", help="also save the results as JSON here")
    p.add_argument("--keep", action="store_true", help="keep the temp folders (their path is printed)")
    p.add_argument("--skip-naive", action="store_true")
    p.add_argument("--skip-synthetic", action="store_true")
    p.add_argument("--no-steps", action="store_true", help="skip the per-step breakdown (one more instrumented build)")
    p.add_argument("--events", type=int, default=10_000, help="events in the synthetic set")
    args = p.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="briefing-bench-"))
    data = ROOT / "data"
    keys = ("clean", "naive", "noop", "onerow", "synthetic")
    res: dict[str, list] = {k: [] for k in keys}
    cpu: dict[str, list] = {k: [] for k in keys}
    rss: dict[str, list] = {k: [] for k in keys}
    reran: list[list[str]] = []
    noop_did: list[str] = []
    steps: list[dict] = []
    syn_steps: list[dict] = []

    def record(key: str, r: dict) -> None:
        res[key].append(r["seconds"])
        cpu[key].append(r["cpu"])
        rss[key].append(r["max_rss_mib"])

    try:
        # One-row change: a copied data dir built once; each run edits the same row differently.
        row_data, row_build = tmp / "row-data", tmp / "row-build"
        shutil.copytree(data, row_data)
        print("bench: preparing the one-row build ...", file=sys.stderr)
        make(f"BUILD={row_build}", f"DATA={row_data}")
        syn = tmp / "synthetic"
        if not args.skip_synthetic:
            run([PY, str(ROOT / "scripts" / "synthetic_data.py"), str(syn), "--events", str(args.events), "--figures", "2000", "--seed", "1"])

        for i in range(args.runs):
            print(f"bench: run {i + 1} of {args.runs} ...", file=sys.stderr)
            build = tmp / f"clean-{i}"
            record("clean", make(f"BUILD={build}"))
            r = make(f"BUILD={build}")  # right away, so that nobody's edit lands in between
            record("noop", r)
            if "Nothing to be done" not in r["output"]:
                noop_did.append(r["output"].strip())
            if not args.skip_naive:
                record("naive", naive(tmp / f"naive-{i}", data.resolve(), build / "briefing.html"))
            edit_one_event(row_data / "events.csv", i)
            r = make(f"BUILD={row_build}", f"DATA={row_data}")
            record("onerow", r)
            reran.append(sorted(set(RERAN.findall(r["output"]))))
            if not args.skip_synthetic:
                record("synthetic", make(f"BUILD={tmp / f'syn-{i}'}", f"DATA={syn}"))
            if not args.keep:
                for d in (build, tmp / f"naive-{i}", tmp / f"syn-{i}"):
                    shutil.rmtree(d, ignore_errors=True)
        if not args.no_steps:
            print("bench: one instrumented build for the per-step times ...", file=sys.stderr)
            steps = step_breakdown(tmp)
            if not args.skip_synthetic:
                syn_steps = step_breakdown(tmp, syn)
    finally:
        if args.keep:
            print(f"bench: temp folders kept in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    m = machine()
    r = {k: summary(v) for k, v in res.items() if v}
    c = {k: summary(v) for k, v in cpu.items() if v}
    out = {"machine": m, "runs": args.runs, "results": r, "cpu_seconds": c,
           "max_rss_mib": {k: max(v) for k, v in rss.items() if v}, "onerow_reran": reran,
           "noop_rebuilt": noop_did, "steps_default": steps, "steps_synthetic": syn_steps}
    rows = [("Clean build, default data (`make`: validate, 4 notebooks, HTML, PDF)", "clean", "")]
    if "naive" in r:
        ratio = r["clean"]["median"] / r["naive"]["median"]
        out["ratio_clean_to_naive"] = ratio
        rows.append(("Naive: `papermill` CLI + `jupyter nbconvert --to html` CLI per notebook, one after the other, + the same PDF step", "naive", ""))
        rows.append(("**Ratio ours / naive**", None, f"**{ratio:.2f}x** (goal ≤ 0.5x: {'met' if ratio <= 0.5 else 'not met'})"))
    note = "goal < 0.3 s: " + ("met" if r["noop"]["median"] < 0.3 else "not met")
    if noop_did:
        note += "; it rebuilt something (a source file changed during the bench?)"
    rows.append(("No-op `make` right after (nothing changed)", "noop", note))
    names = sorted({n for lst in reran for n in lst})
    rows.append(("One event's description changed in a copy of data/, `make`", "onerow",
                 f"re-ran {len(names)} of {len(NOTEBOOKS)} notebooks ({', '.join(Path(n).stem for n in names) or 'none'}), then HTML and PDF"))
    if "synthetic" in r:
        ratio = r["synthetic"]["median"] / r["clean"]["median"]
        out["ratio_synthetic_to_clean"] = ratio
        rows.append((f"Synthetic set ({args.events:,} events, 2,000 figures, 300 relationships), clean build", "synthetic", ""))
        rows.append(("**Ratio synthetic / default**", None, f"**{ratio:.2f}x** (goal ≤ 2x: {'met' if ratio <= 2 else 'not met'})"))
    mem = out["max_rss_mib"]
    rows.append(("Peak memory (max RSS of the largest process)", None,
                 ", ".join(f"{label} {mem[k]:.0f} MiB" for k, label in (("clean", "clean build"), ("naive", "naive"), ("synthetic", "synthetic build")) if k in mem)))

    print(f"\nMachine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']} RAM, Python {m['python']}, {m['os']}; make {m['make_jobs']}.")
    print(f"Median of {args.runs} run{'s' if args.runs != 1 else ''} (min–max in brackets); CPU = user + system time of the whole process tree.\n")
    print("| Measurement | Wall time | CPU time | Note |")
    print("|---|---|---|---|")
    for label, key, note in rows:
        wall = fmt_s(r[key]) if key else ""
        cpu_s = f"{c[key]['median']:.1f} s" if key else ""
        print(f"| {label} | {wall} | {cpu_s} | {note} |")
    for title, st in (("default data", steps), ("synthetic set", syn_steps)):
        if st:
            total = max(x["end"] for x in st)
            print(f"\nSteps of one instrumented clean build, {title} (make -j2; notebooks run two at a time), {total:.1f} s in all:\n")
            print("| Step | Starts at | Takes |")
            print("|---|---|---|")
            for x in sorted(st, key=lambda x: x["start"]):
                print(f"| {x['step']} | {x['start']:.1f} s | {x['seconds']:.2f} s |")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
        print(f"\nbench: results saved to {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
