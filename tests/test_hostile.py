"""Hostile input, tried as a careless or malicious user would (issue 13): Make variables that carry shell
or Make syntax, two builds at once, kills and Ctrl-C, nonsense values, loosened schemas, paths that
lead out of DATA and SOURCES, formula cells, long words, NUL and bidi controls, a tampered edition.

Each case must end in one clear line (``path:line: column: message`` for input), exit non-zero, run
nothing it was not asked to, read nothing outside DATA and SOURCES, and leave the last good edition
byte for byte as it was.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest
from conftest import DATA, PY, ROOT, SMALL, SOURCES, build, edit_manifest, make, read_rows, set_cell, write_rows

from briefing.pipeline.edition import meta_content as meta

# --- helpers ---------------------------------------------------------------------------------


def state(build_dir: Path) -> dict[str, tuple[str, int]]:
    """sha256 and mtime of every file in a build folder (the lock file's holder note aside)."""
    out = {}
    for p in sorted(build_dir.rglob("*")):
        if p.is_file() and p.name != ".lock":
            out[str(p.relative_to(build_dir))] = (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
    return out


def cli(*args: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "briefing", *args], check=False, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def messages(data: Path, as_of: str | None = None) -> list[str]:
    from briefing.data.validate import validate

    return [str(p) for p in validate(data, as_of)[1]]


def schema(data: Path) -> dict:
    return json.loads((data / "datapackage.json").read_text(encoding="utf-8"))


def save_schema(data: Path, package) -> None:
    (data / "datapackage.json").write_text(json.dumps(package, indent=1), encoding="utf-8")


def field(package: dict, resource: str, name: str) -> dict:
    res = next(r for r in package["resources"] if r["name"] == resource)
    return next(f for f in res["schema"]["fields"] if f["name"] == name)


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith("make")]
    assert "Traceback" not in stderr and "usage:" not in stderr, stderr
    assert lines, stderr
    return lines[0]


# --- 2. Make variables never reach a shell, a Make parser or argparse as syntax --------------

INJECTIONS = {
    "backquote": "`touch {pwned}`",
    "quote-break": "2025-06-13'; touch {pwned}; echo '",
    "make-shell": "$(shell touch {pwned})",
    "semicolon": "x;touch {pwned}",
    "dollar-paren": "$$(touch {pwned})",
}


@pytest.mark.parametrize("how", INJECTIONS)
def test_make_help_runs_no_variable(how, tmp_path: Path):
    pwned = tmp_path / "pwned"
    value = INJECTIONS[how].format(pwned=pwned)
    for var in ("AS_OF", "BASE", "BUILD", "DATA", "SOURCES", "DIR", "TIMEOUT", "JOBS", "RUNS"):
        proc = make("help", f"{var}={value}")
        assert proc.returncode == 0, proc.stderr
        assert not pwned.exists(), f"{var}: a command ran while the Makefile was read"


@pytest.mark.parametrize("var", ["AS_OF", "BASE", "BUILD", "DATA"])
@pytest.mark.parametrize("how", INJECTIONS)
def test_build_variables_run_nothing_and_touch_nothing(var, how, good: Path, tmp_path: Path):
    pwned = tmp_path / "pwned"
    before = state(good)
    value = INJECTIONS[how].format(pwned=pwned)
    args = [f"BUILD={good}", f"{var}={value}"] if var != "BUILD" else [f"BUILD={value}"]
    proc = make(*args, timeout=120)
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert not pwned.exists(), f"{var}={value!r} ran a command"
    line = one_line(proc.stderr)
    assert line.startswith(f"{var}:1: {var.lower()}: "), line
    assert "briefing execute" not in proc.stdout
    assert state(good) == before, "the good edition (or its .params) was touched"


@pytest.mark.parametrize("target,var", [("verify-quotes", "SOURCES"), ("verify-edition", "DIR"), ("validate", "DATA"),
                                        ("bench", "RUNS"), ("clean", "BUILD")])
def test_other_targets_run_nothing(target, var, tmp_path: Path):
    pwned = tmp_path / "pwned"
    for how in ("quote-break", "semicolon", "backquote", "make-shell"):
        value = INJECTIONS[how].format(pwned=pwned)
        proc = make(target, f"{var}={value}", timeout=120)
        assert not pwned.exists(), f"make {target} {var}={value!r} ran a command"
        assert "Traceback" not in proc.stderr, proc.stderr
        assert proc.returncode != 0 or target == "clean", proc.stderr  # cleaning a folder that is not there is fine


@pytest.mark.parametrize("args,want", [
    (("AS_OF=-h",), "AS_OF:1: as_of: '-h' is not a date (expected YYYY-MM-DD)"),
    (("AS_OF=--help",), "AS_OF:1: as_of: '--help' is not a date (expected YYYY-MM-DD)"),
    (("BASE=--output=/tmp/briefing-pwned",), "BASE:1: base: '--output=/tmp/briefing-pwned' is neither a data directory nor a git revision"),
    (("BASE=-h",), "BASE:1: base: '-h' is neither a data directory nor a git revision"),
    (("TIMEOUT=1; true",), "TIMEOUT:1: timeout: '1; true' is not a number of seconds"),
    (("JOBS=-1",), "JOBS:1: jobs: '-1' is not a number of parallel jobs"),
    (("AS_OF=2300-01-01",), "AS_OF:1: as_of: '2300-01-01' is after the build day"),
])
def test_option_like_values_get_their_own_message(args, want, good: Path):
    before = state(good)
    proc = make(f"BUILD={good}", *args, timeout=60)
    assert proc.returncode != 0
    assert one_line(proc.stderr).startswith(want), proc.stderr
    assert not Path("/tmp/briefing-pwned").exists()
    assert state(good) == before


def test_validate_and_verify_take_option_like_values_as_values(tmp_path: Path):
    proc = make("validate", "AS_OF=-h")
    assert proc.returncode != 0 and one_line(proc.stderr) == "AS_OF:1: as_of: '-h' is not a date (expected YYYY-MM-DD)"
    proc = make("verify-edition", "DIR=-h")
    assert proc.returncode != 0 and "-h: no such edition directory" in one_line(proc.stderr)
    proc = cli("validate", "--data", str(DATA), "--base=--output=" + str(tmp_path / "out"))
    assert proc.returncode != 0 and "is neither a data directory nor a git revision" in proc.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("var", ["BUILD", "DATA"])
def test_paths_with_spaces_are_refused_without_stray_folders(var, tmp_path: Path):
    spaced = tmp_path / "my folder"
    if var == "DATA":
        shutil.copytree(SMALL, spaced)
        args = (f"BUILD={tmp_path / 'b'}", f"DATA={spaced}")
    else:
        args = (f"BUILD={spaced}",)
    proc = make(*args, timeout=60)
    assert proc.returncode != 0
    line = one_line(proc.stderr)
    assert line.startswith(f"{var}:1: {var.lower()}: '{spaced}' contains a space"), line
    assert sorted(p.name for p in tmp_path.iterdir()) == (["my folder"] if var == "DATA" else []), "stray folders"


def test_data_with_spaces_works_where_make_needs_no_file_names(tmp_path: Path):
    spaced = tmp_path / "my data"
    shutil.copytree(SMALL, spaced)
    proc = make("validate", f"DATA={spaced}")
    assert proc.returncode == 0 and f"{spaced}: valid" in proc.stdout, proc.stderr


# --- 4. an unwritable BUILD -------------------------------------------------------------------


def test_unwritable_build_fails_clearly(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    proc = make(f"BUILD={blocker}/build", "AS_OF=2025-06-13", timeout=60)
    assert proc.returncode != 0
    line = one_line(proc.stderr)
    assert line.startswith(f"BUILD:1: build: cannot write into '{blocker}/build'"), line
    assert blocker.read_text() == "not a folder"


# --- 12. rejected input leaves .params; stale temp files; BASE=HEAD ---------------------------


def test_rejected_data_does_not_rewrite_params(good: Path, tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    set_cell(data, "events", 3, "date", "2025-13-01")
    before = state(good)
    proc = make(f"BUILD={good}", f"DATA={data}", timeout=60)
    assert proc.returncode != 0 and "events.csv:3: date: '2025-13-01' is not a real date" in proc.stderr
    assert state(good) == before, ".params (or the edition) changed after a rejected input"
    proc = make(f"BUILD={good}", timeout=60)
    assert proc.returncode == 0 and "Nothing to be done" in proc.stdout, "the next good build redid work"


def test_params_record_the_commit_base_resolves_to(tmp_path: Path):
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    proc = make(f"BUILD={tmp_path}", "BASE=HEAD", f"{tmp_path}/story/edition.json", timeout=120)
    assert proc.returncode == 0, proc.stderr
    params = json.loads((tmp_path / ".params").read_text())
    assert params["base"] == head and params["base_name"] == "HEAD"  # a new commit changes .params: it rebuilds


def test_stale_temp_files_of_killed_runs_are_removed(tmp_path: Path):
    (tmp_path / "notebooks").mkdir()
    dead = 2**22 + 12345  # above pid_max on this kind of system: no such process
    stale = [tmp_path / "notebooks" / f".01_deal.{dead}.tmp.ipynb", tmp_path / f".briefing.html.{dead}.tmp"]
    for p in stale:
        p.write_text("{}")
    alive = tmp_path / "notebooks" / f".02_clients.{os.getpid()}.tmp.ipynb"  # a run still going: kept
    alive.write_text("{}")
    proc = make(f"BUILD={tmp_path}", f"DATA={SMALL}", f"{tmp_path}/story/edition.json", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert not any(p.exists() for p in stale) and alive.exists()
    assert "left by a run that was killed" in proc.stderr


def test_clean_refuses_what_is_not_a_build_folder(tmp_path: Path):
    (tmp_path / "precious.txt").write_text("keep me")
    proc = make("clean", f"BUILD={tmp_path}")
    assert proc.returncode != 0 and "refusing to remove" in proc.stderr
    assert (tmp_path / "precious.txt").read_text() == "keep me"
    proc = make("clean", "BUILD=.")
    assert proc.returncode != 0 and (ROOT / "Makefile").exists()


# --- 1. two builds at once --------------------------------------------------------------------


def test_two_builds_at_once_never_mix_parameters(built: Path, tmp_path: Path):
    out = tmp_path / "b"
    shutil.copytree(built, out, symlinks=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    first = subprocess.Popen(["make", "--no-print-directory", f"BUILD={out}", "AS_OF=2025-06-13", "JOBS=1"], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "2025-06-13" not in (out / ".params").read_text():
        time.sleep(0.1)
    second = make(f"BUILD={out}", timeout=600)
    _, first_err = first.communicate(timeout=600)
    assert first.returncode == 0, first_err
    assert second.returncode == 0, second.stderr
    assert "is being built by another make" in second.stderr and "waiting" in second.stderr
    params = json.loads((out / ".params").read_text())
    assert params["as_of"] == ""
    for nb in sorted((out / "notebooks").glob("*.ipynb")):
        got = json.loads(nb.read_text())["metadata"]["briefing"]["parameters"]
        assert got["as_of"] == "" and got["data_dir"] == params["data"], nb
    html = (out / "briefing.html").read_text(encoding="utf-8")
    assert meta(html, "briefing.as-of") == "" and "Edition as of" not in html
    again = make(f"BUILD={out}", check=True)
    assert "Nothing to be done" in again.stdout


def test_html_step_refuses_notebooks_of_another_parameter_set(built: Path, tmp_path: Path):
    nbs = []
    for nb in sorted((built / "notebooks").glob("*.ipynb")):
        shutil.copy(nb, tmp_path / nb.name)
        nbs.append(tmp_path / nb.name)
    doc = json.loads(nbs[1].read_text())
    doc["metadata"]["briefing"]["parameters"]["as_of"] = "2025-06-13"
    nbs[1].write_text(json.dumps(doc))
    proc = cli("html", str(tmp_path / "out.html"), *map(str, nbs), "--data", str(DATA), "--as-of=", "--base=")
    assert proc.returncode == 1 and not (tmp_path / "out.html").exists()
    assert f"{nbs[1]}: executed with as_of='2025-06-13'" in proc.stderr and "never mixes parameter sets" in proc.stderr


# --- 5. HTML and PDF published as a pair -------------------------------------------------------


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


def test_kill_during_pdf_leaves_the_old_pair_and_the_next_make_finishes(built: Path, tmp_path: Path):
    out = tmp_path / "b"
    shutil.copytree(built, out, symlinks=True)
    old = {n: hashlib.sha256((out / n).read_bytes()).hexdigest() for n in ("briefing.html", "briefing.pdf")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    log = tmp_path / "make.out"
    with open(log, "w") as f:
        proc = subprocess.Popen(["make", "--no-print-directory", f"BUILD={out}", "AS_OF=2025-06-14"], cwd=ROOT, env=env,
                                stdout=f, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None and "briefing pdf" not in log.read_text():
            time.sleep(0.05)
        assert proc.poll() is None, "the build ended before its PDF step:\n" + log.read_text()
        time.sleep(0.5)
    finally:
        _kill_group(proc)
    assert {n: hashlib.sha256((out / n).read_bytes()).hexdigest() for n in old} == old, "half a new edition was published"
    proc = make(f"BUILD={out}", "AS_OF=2025-06-14", check=True)
    assert "briefing pdf" in proc.stdout and "briefing publish" in proc.stdout
    html = (out / "briefing.html").read_text(encoding="utf-8")
    assert meta(html, "briefing.as-of") == "2025-06-14"
    assert os.path.samefile(out / "briefing.pdf", out / ".pending" / "briefing.pdf")
    assert not (out / ".publishing").exists() and not (out / ".incomplete").exists()


def test_an_interrupted_publication_is_completed(tmp_path: Path):
    from briefing.pipeline import guard

    pending = tmp_path / ".pending"
    pending.mkdir()
    for n, text in (("briefing.html", "new html"), ("briefing.pdf", "new pdf")):
        (pending / n).write_text(text)
        (tmp_path / n).write_text(text.replace("new", "old"))
    todo = {n: guard.digest(pending / n)[0] for n in guard.PAIR}
    (tmp_path / ".publishing").write_text(json.dumps(todo))
    guard._place(pending / "briefing.html", tmp_path / "briefing.html")  # killed after the first rename
    assert (tmp_path / "briefing.pdf").read_text() == "old pdf"
    note = guard.resume_publication(tmp_path)
    assert "completed the publication" in note
    assert (tmp_path / "briefing.html").read_text() == "new html" and (tmp_path / "briefing.pdf").read_text() == "new pdf"
    assert not (tmp_path / ".publishing").exists()


def test_edition_refuses_an_unpaired_build(built: Path, tmp_path: Path):
    out = tmp_path / "b"
    shutil.copytree(built, out, symlinks=True)
    (out / ".incomplete").write_text("briefing.pdf is from an earlier build\n")
    proc = subprocess.run([PY, "-m", "briefing.pipeline.edition", "build", "--build", str(out), "--data", str(DATA)], check=False, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "not a published pair yet" in proc.stderr
    assert not (out / "edition").exists()


# --- 10. Ctrl-C --------------------------------------------------------------------------------


def one_cell_notebook(path: Path, source: str) -> Path:
    """01_deal's parameters cell, then one code cell of source, written to path."""
    doc = json.loads((ROOT / "notebooks" / "01_deal.ipynb").read_text())
    doc["cells"] = [doc["cells"][0], {"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None, "id": path.stem}]
    path.write_text(json.dumps(doc))
    return path


def test_sigint_during_a_notebook_is_one_line(tmp_path: Path):
    # a cell far longer than any wait here: on a loaded machine the interrupt can only land before or during it
    slow = one_cell_notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(900)")
    # as from a terminal: SIGINT at its default, whatever the test runner's worker inherited (an xdist worker may ignore it)
    # (a tiny wrapper resets it and execs the command: the same process, without preexec_fn's thread hazard)
    reset = "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"
    proc = subprocess.Popen([PY, "-c", reset, PY, "-m", "briefing", "execute", str(slow), str(tmp_path / "out.ipynb"), "--data", str(SMALL)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not list(tmp_path.glob(".*.tmp.ipynb")):
            time.sleep(0.1)
        time.sleep(6)  # let the kernel reach the slow cell even on a loaded machine: the interrupt must land mid-cell
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        _kill_group(proc)
    assert proc.returncode != 0
    line = one_line(err)
    assert "interrupted" in line and len([x for x in err.splitlines() if x.strip()]) == 1, err
    assert not (tmp_path / "out.ipynb").exists() and not list(tmp_path.glob(".*.tmp*"))


def test_a_kernel_that_dies_mid_cell_is_one_line(tmp_path: Path):
    nb = one_cell_notebook(tmp_path / "die.ipynb", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    proc = cli("execute", str(nb), str(tmp_path / "out.ipynb"), "--data", str(SMALL))
    assert proc.returncode == 1
    assert one_line(proc.stderr) == f"{nb}: the kernel stopped in the middle of a cell (killed, or out of memory); nothing was written"
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert not (tmp_path / "out.ipynb").exists() and not list(tmp_path.glob(".*.tmp*"))


# --- 6, 7. nonsense values, with file:line -------------------------------------------------------

# small_data lines: figures 4 = meta investment 14.8 billion, 6 = stake 49 percent, 8 = valuation post 29 billion
NONSENSE = [
    ("percent-with-billion", "figures", 6, "scale", "billion",
     "{d}/figures.csv:6: scale: 'billion' cannot scale a percent figure (49 billion percent makes no sense); use scale one"),
    ("negative-zero", "figures", 6, "value", "-0", "{d}/figures.csv:6: value: '-0' is negative zero; write 0"),
    ("zero-stake", "figures", 6, "value", "0",
     "{d}/figures.csv:6: value: '0' is zero: a percent figure of nothing cannot be shown or divided by; leave the row out"),
    ("zero-valuation", "figures", 8, "value", "0.0",
     "{d}/figures.csv:8: value: '0.0' is zero: a USD figure of nothing cannot be shown or divided by; leave the row out"),
    ("huge", "figures", 8, "value", "1e300",
     "{d}/figures.csv:8: value: '1e300' billion is beyond any figure this briefing can show (at most 1e+15 USD); check value and scale"),
    ("event-in-2300", "events", 3, "date", "2300-01-01",
     "{d}/events.csv:3: date: '2300-01-01' is after the build day ({last}): what was reported cannot be dated later; check the year"),
    ("event-in-1200", "events", 3, "date", "1200-06-12",
     "{d}/events.csv:3: date: '1200-06-12' is outside the dates this briefing covers (1990-01-01 to {last}); check the year"),
    ("source-ids-only-separator", "events", 3, "source_ids", ";",
     "{d}/events.csv:3: source_ids: ';' names no source id (write at least one, e.g. agg-03)"),
    ("source-ids-empty-entry", "relationships", 3, "source_ids", "agg-14;;agg-08",
     "{d}/relationships.csv:3: source_ids: 'agg-14;;agg-08' has an empty entry between ';' separators"),
    ("nul-byte", "events", 3, "description", "a\x00b", "{d}/events.csv:3: description: contains the control character U+0000 (a NUL byte); remove it"),
    ("escape-sequence", "relationships", 3, "party", "\x1b[2JGoogle",
     "{d}/relationships.csv:3: party: contains the control character U+001B; remove it"),
    ("item-huge", "sources", 4, "item", "100000", "{d}/sources.csv:4: item: '100000' is not an item number from 1 to 10,000"),
]


@pytest.mark.parametrize("case", NONSENSE, ids=[c[0] for c in NONSENSE])
def test_nonsense_is_refused_with_its_line(case, small: Path):
    from briefing.data.sanity import last_date

    _, table, line, column, value, want = case
    set_cell(small, table, line, column, value)
    assert messages(small) == [want.format(d=small, last=last_date().isoformat())]


def test_as_of_far_away_is_refused(small: Path):
    assert messages(small, "1200-01-01") == [f"AS_OF:1: as_of: '1200-01-01' is outside the dates this briefing covers (1990-01-01 to {__import__('briefing.data.sanity').data.sanity.last_date()}); check the year"]


def test_a_5mb_field_is_named_and_does_not_hide_another_error(small: Path):
    set_cell(small, "events", 5, "date", "2025-02-30")
    set_cell(small, "events", 3, "description", "x" * 5_000_000)
    got = messages(small)
    assert got == [f"{small}/events.csv:3: description: field is 5,000,000 characters long; at most 10,000 are allowed (an unclosed quote, or pasted text?)",
                   f"{small}/events.csv:5: date: '2025-02-30' is not a real date (no such day; expected YYYY-MM-DD)"]


def test_a_check_that_cannot_be_computed_says_so(small: Path):
    """A zero the validator allows (a count) as a divisor: the checks say 'cannot be computed'."""
    from briefing.data.dataset import load
    from briefing.drawing import record

    set_cell(small, "figures", 8, "unit", "count")
    set_cell(small, "figures", 8, "scale", "one")
    set_cell(small, "figures", 8, "value", "0")
    set_cell(small, "figures", 8, "metric", "meta_stake_pct")  # the divisor of the implied-valuation check
    set_cell(small, "metrics", 3, "unit", "count")  # one metric, one unit: the stake's, declared in metrics.csv
    set_cell(small, "figures", 6, "unit", "count")
    set_cell(small, "figures", 7, "unit", "count")
    d = load(small)
    html = str(record.checks_block(d))
    assert "cannot be computed" in html


# --- 3. the project's contract; 10. a malformed schema -----------------------------------------


def test_a_loosened_date_type_cannot_let_markup_through(small: Path):
    package = schema(small)
    field(package, "sources", "known_from")["type"] = "string"
    save_schema(small, package)
    set_cell(small, "sources", 4, "known_from", "<script>alert(1)</script>")
    got = messages(small)
    assert f"{small}/sources.csv:4: known_from: '<script>alert(1)</script>' is not a date (expected YYYY-MM-DD)" in got
    assert any("datapackage.json:1: sources.known_from: type 'string' would loosen the project's contract" in m for m in got)


def test_a_loosened_id_pattern_or_scale_enum_is_still_enforced(small: Path):
    package = schema(small)
    field(package, "events", "event_id")["constraints"]["pattern"] = ".*"
    field(package, "figures", "scale")["constraints"]["enum"].append("trillion")
    field(package, "figures", "quote")["constraints"]["required"] = False
    save_schema(small, package)
    set_cell(small, "events", 3, "event_id", "<b>x</b>")
    set_cell(small, "figures", 4, "scale", "trillion")
    set_cell(small, "figures", 5, "quote", "")
    got = messages(small)
    assert f"{small}/events.csv:3: event_id: '<b>x</b>' does not match the pattern [a-z0-9]+(-[a-z0-9]+)*" in got
    assert f"{small}/figures.csv:4: scale: 'trillion' is not allowed (expected one of: billion, million, one, thousand)" in got
    assert f"{small}/figures.csv:5: quote: required field is empty" in got


MALFORMED = [
    ("bad-regex", lambda p: field(p, "events", "event_id")["constraints"].update(pattern="[a-z"),
     "resources[].schema.fields[] (event_id).constraints.pattern: '[a-z' is not a valid regular expression"),
    ("constraints-null", lambda p: field(p, "events", "actor").update(constraints=None),
     "resources[].schema.fields[] (actor).constraints: must be an object, not null"),
    ("minimum-string", lambda p: field(p, "figures", "value")["constraints"].update(minimum="0"),
     "resources[].schema.fields[] (value).constraints.minimum: must be a number, not \"0\""),
    ("resources-object", lambda p: p.update(resources={"sources": p["resources"][0]}),
     "resources: must be a non-empty list of resources, not an object"),
    ("fields-string", lambda p: p["resources"][0]["schema"].update(fields="source_id"),
     "resources[].schema.fields: must be a non-empty list, not a string"),
]


@pytest.mark.parametrize("case", MALFORMED, ids=[c[0] for c in MALFORMED])
def test_a_malformed_schema_is_one_line(case, small: Path):
    _, mutate, want = case
    package = schema(small)
    mutate(package)
    save_schema(small, package)
    proc = cli("validate", "--data", str(small))
    assert proc.returncode == 1
    line = one_line(proc.stderr)
    assert re.sub(r"\[\d+\]", "[]", line).startswith(f"{small}/datapackage.json:1: {want}"), line  # indexes: whichever resource


def test_schema_that_is_not_json_names_its_line(small: Path):
    (small / "datapackage.json").write_text('{\n  "resources": [\n    oops\n  ]\n}\n')
    proc = cli("validate", "--data", str(small))
    assert proc.returncode == 1 and one_line(proc.stderr).startswith(f"{small}/datapackage.json:3: -: schema is not valid JSON")


# --- 11. nothing outside DATA and SOURCES is read -----------------------------------------------


def test_resource_path_outside_data_is_not_read(small: Path):
    package = schema(small)
    next(r for r in package["resources"] if r["name"] == "events")["path"] = "../../../../../../etc/passwd"
    save_schema(small, package)
    proc = cli("validate", "--data", str(small))
    assert proc.returncode == 1 and "root:" not in proc.stderr
    assert f"{small}/datapackage.json:1: resources.events.path: '../../../../../../etc/passwd' is not a file inside the data directory" in proc.stderr


def test_resource_symlink_leading_out_is_not_read(small: Path, tmp_path: Path):
    outside = tmp_path / "outside.csv"
    shutil.move(small / "events.csv", outside)
    (small / "events.csv").symlink_to(outside)
    got = messages(small)
    assert any("resources.events.path: 'events.csv' is not a file inside the data directory" in m for m in got), got


@pytest.fixture
def sources_copy(tmp_path: Path) -> Path:
    if not SOURCES.is_dir():
        pytest.skip(f"source collection not present at {SOURCES} (set SOURCES=)")
    dest = tmp_path / "sources"
    shutil.copytree(SOURCES, dest)
    return dest


def _loosen_document(data: Path) -> None:
    package = schema(data)
    field(package, "sources", "document")["constraints"]["pattern"] = ".*"
    save_schema(data, package)


def test_document_outside_sources_is_not_read(small: Path, sources_copy: Path):
    _loosen_document(small)
    set_cell(small, "sources", 4, "document", "../../../../../../etc/passwd")
    got = messages(small)
    assert f"{small}/sources.csv:4: document: '../../../../../../etc/passwd' does not match the pattern [A-Za-z0-9_-][A-Za-z0-9._-]*" in got
    # even past the validator, verify-quotes reads only files inside SOURCES
    from briefing.data.texts import read_document

    assert read_document(sources_copy, "../../../../../../etc/passwd") == (None, f"document '../../../../../../etc/passwd' is not a file inside {sources_copy} (no folders, '..' or links leading out)")


def test_document_symlink_leading_out_and_non_utf8_text(small: Path, sources_copy: Path, tmp_path: Path):
    doc = read_rows(small / "sources.csv")[3][1]
    (tmp_path / "secret.txt").write_text("root:x:0:0")
    (sources_copy / doc).unlink()
    (sources_copy / doc).symlink_to(tmp_path / "secret.txt")
    proc = make("verify-quotes", f"DATA={small}", f"SOURCES={sources_copy}")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert f"{small}/sources.csv:4: document: document '{doc}' is not a file inside {sources_copy}" in proc.stderr
    (sources_copy / doc).unlink()
    (sources_copy / doc).write_bytes("Scal\u00e9 AI".encode("latin-1"))
    proc = make("verify-quotes", f"DATA={small}", f"SOURCES={sources_copy}")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert f"{small}/sources.csv:4: document: document '{doc}' is not UTF-8 (byte 0xE9 on its line 1); convert it to UTF-8" in proc.stderr


# --- 12. verify-edition: MANIFEST statements, terminal escapes, FIFOs -----------------------------


@pytest.mark.parametrize("key,value", [("as_of", "2025-06-13"), ("title", "Meta bought all of Scale AI"), ("edition", "2025-06-01")])
def test_verify_edition_checks_what_the_manifest_says(bundle_copy: Path, key: str, value: str):
    assert make("verify-edition", f"DIR={bundle_copy}").returncode == 0
    edit_manifest(bundle_copy, **{key: value})
    proc = make("verify-edition", f"DIR={bundle_copy}")
    assert proc.returncode != 0 and f"changed: MANIFEST.json {key} ('{value}'" in proc.stderr, proc.stderr


def test_verify_edition_prints_no_terminal_escapes(bundle_copy: Path):
    edit_manifest(bundle_copy, revision="\x1b]0;pwned\x07\x1b[2J", edition="\x1b[31mred")
    proc = make("verify-edition", f"DIR={bundle_copy}")
    assert "\x1b" not in proc.stdout + proc.stderr and "\x07" not in proc.stdout + proc.stderr
    assert "\\x1b" in proc.stdout + proc.stderr


def test_verify_edition_names_a_fifo_and_does_not_hang(bundle_copy: Path):
    os.mkfifo(bundle_copy / "data" / "extra.csv")
    proc = make("verify-edition", f"DIR={bundle_copy}", timeout=60)
    assert proc.returncode != 0 and "extra: data/extra.csv (in the edition, not listed in MANIFEST.json; not even a regular file)" in proc.stderr
    os.unlink(bundle_copy / "data" / "extra.csv")
    target = bundle_copy / "data" / "events.csv"
    target.unlink()
    os.mkfifo(target)
    proc = make("verify-edition", f"DIR={bundle_copy}", timeout=60)
    assert proc.returncode != 0 and "changed: data/events.csv (not a regular file inside the edition)" in proc.stderr


# --- 3, 8, 9, 12. one hostile edition, in a browser ---------------------------------------------

LONG_WORD = "W" * 2000
FORMULA = '=HYPERLINK("http://evil.example","click")'
BIDI = "Scale\u202eredro\u202c AI"


@pytest.fixture(scope="module")
def nasty(tmp_path_factory) -> tuple[Path, Path]:
    """The real data with a 2,000-character party name, formula cells, a bidi override and NUL-free text,
    built against a data-directory BASE outside the project."""
    root = tmp_path_factory.mktemp("nasty")
    base = root / "old-data"
    shutil.copytree(DATA, base)
    data = root / "data"
    shutil.copytree(DATA, data)
    rows = read_rows(data / "relationships.csv")
    col = rows[0].index("party")
    google = [i for i, r in enumerate(rows) if r[col] == "Google"]
    for i in google:
        rows[i][col] = "Google" + LONG_WORD
    micro = [i for i, r in enumerate(rows) if r[col] == "Microsoft"]
    for i in micro:
        rows[i][col] = FORMULA
    write_rows(data / "relationships.csv", rows)
    ev = read_rows(data / "events.csv")
    d = ev[0].index("description")
    ev[2][d] = BIDI + " " + ev[2][d]
    ev[3][d] = "@SUM(1+1) " + ev[3][d]
    write_rows(data / "events.csv", ev)
    out = root / "build"
    build(out, f"DATA={data}", f"BASE={base}")
    return out, root


def _downloads(html: str) -> list[str]:
    return [urllib.parse.unquote(m) for m in re.findall(r'href="data:text/csv;charset=utf-8,([^"]*)"', html)]


def test_formula_cells_are_neutralised_in_downloads_only(nasty):
    out, _ = nasty
    html = (out / "briefing.html").read_text(encoding="utf-8")
    cells = [c for text in _downloads(html) for row in csv.reader(io.StringIO(text)) for c in row]
    assert cells, "no CSV downloads"
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r")) or (c.startswith("-") and not re.fullmatch(r"-[\d.]+", c))]
    assert "'" + FORMULA in cells
    assert "=HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;)" in html or '=HYPERLINK("http://evil.example","click")' in html


def test_bidi_overrides_and_base_path_never_reach_the_page(nasty):
    out, root = nasty
    html = (out / "briefing.html").read_text(encoding="utf-8")
    assert "\u202e" not in html and "\u202c" not in html and "\x00" not in html
    assert "Scaleredro AI" in html
    assert "What changed since the last edition" in html
    assert str(root) not in html, "the builder's local path is on the page"
    assert "Compared with the data in old-data/" in html


def test_a_long_word_does_not_widen_the_page_or_squash_a_chart(nasty):
    from playwright.sync_api import sync_playwright

    out, _ = nasty
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        try:
            page = b.new_page(viewport={"width": 390, "height": 900})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
            page.goto((out / "briefing.html").as_uri())
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            w, h = page.eval_on_selector("#chart-clients svg", "e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height]")
            assert w > 300 and h > 150, (w, h)
            page.close()
        finally:
            b.close()


# --- 3. every template slot escaped; the CSP first ------------------------------------------------


def test_template_escapes_every_slot_and_puts_the_csp_first(tmp_path: Path):
    import nbformat
    from nbconvert import HTMLExporter

    from briefing.drawing.page import TEMPLATES_DIR

    evil = '"><script>alert(1)</script>'
    meta_values = {k: evil for k in ("title", "description", "author", "keywords", "generator", "edition_date", "data_modified",
                                     "as_of", "edition_line", "colophon")}
    meta_values["json_ld"] = "{}"
    exporter = HTMLExporter(extra_template_basedirs=[str(TEMPLATES_DIR)], template_name="briefing", exclude_input=True)
    body, _ = exporter.from_notebook_node(nbformat.v4.new_notebook(), resources={"css": "", "sources_html": "", "meta": meta_values})
    assert "<script>alert(1)</script>" not in body
    head = body[body.index("<head>") + len("<head>"):].lstrip()
    assert re.match(r'<meta[^>]*http-equiv="Content-Security-Policy"', head), head[:200]
