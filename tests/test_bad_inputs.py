"""The bad-input corpus, through the real build: bad data never replaces a good edition.

A good edition is built once (real data) into a temp BUILD. Each case then runs
`make BUILD=<that folder> DATA=<a mutated copy of data/>` (or a bad AS_OF / DATA) and must:
exit non-zero, print the problem as `file:line: column: message`, run no notebook, and leave
briefing.html and briefing.pdf byte for byte as they were. A UTF-8 BOM and CRLF line endings
must build fine. Finally: a notebook cell that raises, and a build killed midway, must not
touch the published edition either.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import DATA, ROOT, build, make, read_rows, write_rows

from briefing.story import stage

PUBLISHED = ("briefing.html", "briefing.pdf")
EVENT_STATUSES = "announced, confirmed, reported, denied"
EVENTS_HEADER = "event_id,date,date_precision,date_until,date_note,actor,counterparty,event_type,description,label,status,source_ids,quote,speaker,version_of,minor"
FIGURES_COLUMNS = "figure_id, metric, entity, value, unit, scale, qualifier, period, source_id, quote, note"
PLAIN_NUMBER = "is not a plain number (write the number only, e.g. 14.3, with unit and scale in their own columns)"
MISSING_DATA = Path("/nowhere")


# --- the good edition ---------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(build_dir: Path, notebooks: bool = True) -> dict[str, tuple[str, int]]:
    """sha256 and mtime of the published files (and, optionally, of the executed notebooks)."""
    paths = [build_dir / n for n in PUBLISHED]
    if notebooks:
        paths += sorted((build_dir / "notebooks").glob("[0-9]*.ipynb"))
    return {str(p.relative_to(build_dir)): (sha256(p), p.stat().st_mtime_ns) for p in paths}


def published(build_dir: Path) -> dict[str, str]:
    return {n: sha256(build_dir / n) for n in PUBLISHED}


@dataclass
class Edition:
    dir: Path
    hashes: dict[str, str]  # briefing.html and briefing.pdf
    state: dict[str, tuple[str, int]] = field(default_factory=dict)  # plus notebooks, with mtimes


@pytest.fixture(scope="module")
def edition(built: Path, tmp_path_factory) -> Edition:
    """A good edition of the real data in a build folder of this module's own.

    It starts as a copy (mtimes kept) of the session's build, so the full suite builds once;
    the `make` that follows does nothing if that build is current, and rebuilds it if not.
    """
    out = tmp_path_factory.mktemp("edition") / "build"
    shutil.copytree(built, out, symlinks=True)
    build(out)
    return Edition(out, published(out), snapshot(out))


# --- mutations of a copy of data/ -------------------------------------------------------------



def set_field(table: str, line: int, column: str, value: str) -> Callable[[Path], None]:
    """A mutation: set one cell, by the line an editor shows (the data has no multi-line fields)."""

    def mutate(d: Path) -> None:
        path = d / f"{table}.csv"
        rows = read_rows(path)
        rows[line - 1][rows[0].index(column)] = value
        write_rows(path, rows)

    return mutate


def edit_line(table: str, line: int, old: str, new: str) -> Callable[[Path], None]:
    """A mutation of the raw text of one line, for what csv.writer would not write."""

    def mutate(d: Path) -> None:
        path = d / f"{table}.csv"
        lines = path.read_text(encoding="utf-8").split("\n")
        assert old in lines[line - 1], (table, line, old)
        lines[line - 1] = lines[line - 1].replace(old, new, 1)
        path.write_text("\n".join(lines), encoding="utf-8")

    return mutate


def columns(table: str, edit: Callable[[list[list[str]]], list[list[str]]]) -> Callable[[Path], None]:
    def mutate(d: Path) -> None:
        path = d / f"{table}.csv"
        write_rows(path, edit(read_rows(path)))

    return mutate


def delete(name: str) -> Callable[[Path], None]:
    return lambda d: (d / name).unlink()


def write(name: str, text: str) -> Callable[[Path], None]:
    return lambda d: (d / name).write_text(text, encoding="utf-8")


def header_only(name: str) -> Callable[[Path], None]:
    return lambda d: (d / name).write_text((d / name).read_text(encoding="utf-8").split("\n")[0] + "\n", encoding="utf-8")


def drop_column(name: str) -> Callable[[list[list[str]]], list[list[str]]]:
    def edit(rows):
        i = rows[0].index(name)
        return [r[:i] + r[i + 1:] for r in rows]

    return edit


def rename_column(old: str, new: str) -> Callable[[list[list[str]]], list[list[str]]]:
    def edit(rows):
        rows[0][rows[0].index(old)] = new
        return rows

    return edit


def latin1(table: str, line: int) -> Callable[[Path], None]:
    """Save one line's 'Scale' as Latin-1 'Scalé' (byte 0xE9), as an old spreadsheet would."""

    def mutate(d: Path) -> None:
        path = d / f"{table}.csv"
        lines = path.read_bytes().split(b"\n")
        assert b"Scale" in lines[line - 1]
        lines[line - 1] = lines[line - 1].replace(b"Scale", b"Scal\xe9", 1)
        path.write_bytes(b"\n".join(lines))

    return mutate


def duplicate_id(table: str, line: int, of_line: int) -> Callable[[Path], None]:
    def mutate(d: Path) -> None:
        path = d / f"{table}.csv"
        rows = read_rows(path)
        rows[line - 1][0] = rows[of_line - 1][0]
        write_rows(path, rows)

    return mutate


def multiline_then_bad(d: Path) -> None:
    # line 3's description is spread over three lines, so the row that was on line 6 is on line 8
    set_field("events", 3, "description", "first line\nsecond line\nthird line")(d)
    set_field("events", 6, "status", "rumoured")(d)


def several(*mutations: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(d: Path) -> None:
        for m in mutations:
            m(d)

    return mutate


def bom(d: Path) -> None:
    for path in d.glob("*.csv"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())


def crlf(d: Path) -> None:
    for path in d.glob("*.csv"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


def first_id(table: str, line: int) -> str:
    return read_rows(DATA / f"{table}.csv")[line - 1][0]


# --- the corpus -----------------------------------------------------------------------------


@dataclass
class Case:
    id: str
    mutate: Callable[[Path], None] | None  # None: the real data, unchanged
    expected: list[str]  # every problem line, in order; {data} is the data folder
    args: tuple[str, ...] = ()
    data: Path | None = None  # a DATA= other than the mutated copy


CASES = [
    Case("missing-file", delete("figures.csv"), ["{data}/figures.csv:1: -: file is missing (expected figures.csv in {data})"]),
    Case("missing-schema", delete("datapackage.json"),
         ["{data}/datapackage.json:1: -: schema file is missing (every data directory needs its datapackage.json)"]),
    Case("empty-file", write("events.csv", ""),
         ["{data}/events.csv:1: -: file is empty (expected a header row: " + EVENTS_HEADER + ")"]),
    Case("header-only", header_only("relationships.csv"), ["{data}/relationships.csv:1: -: file has a header but no rows"]),
    Case("missing-column", columns("figures", drop_column("unit")), ["{data}/figures.csv:1: unit: column is missing from the header"]),
    Case("unknown-column", columns("figures", lambda rows: [r + (["currency"] if i == 0 else ["USD"]) for i, r in enumerate(rows)]),
         [f"{{data}}/figures.csv:1: currency: unknown column (allowed: {FIGURES_COLUMNS})"]),
    Case("renamed-column", columns("figures", rename_column("source_id", "source")),
         [f"{{data}}/figures.csv:1: source: unknown column (allowed: {FIGURES_COLUMNS})",
          "{data}/figures.csv:1: source_id: column is missing from the header"]),
    Case("duplicated-column", columns("events", lambda rows: [r + [r[rows[0].index("quote")]] for r in rows]),
         ["{data}/events.csv:1: quote: column appears twice in the header"]),
    Case("blank-required-field", set_field("events", 3, "actor", ""), ["{data}/events.csv:3: actor: required field is empty"]),
    Case("date-month-13", set_field("events", 3, "date", "2025-13-01"),
         ["{data}/events.csv:3: date: '2025-13-01' is not a real date (no such day; expected YYYY-MM-DD)"]),
    Case("date-feb-30", set_field("events", 3, "date", "2025-02-30"),
         ["{data}/events.csv:3: date: '2025-02-30' is not a real date (no such day; expected YYYY-MM-DD)"]),
    Case("date-in-words", set_field("relationships", 4, "as_of", "June 12"),
         ["{data}/relationships.csv:4: as_of: 'June 12' is not a period (expected YYYY, YYYY-MM or YYYY-MM-DD)"]),
    Case("value-decimal-comma", set_field("figures", 5, "value", "14,3"),
         ["{data}/figures.csv:5: value: '14,3' is not a number (use a dot for decimals, e.g. 14.3)"]),
    Case("value-thousands-comma", set_field("figures", 5, "value", "1,000"),
         ["{data}/figures.csv:5: value: '1,000' is not a number (no thousands separators: write 1000, or use a dot if the comma marks decimals)"]),
    Case("value-dollar-and-B", set_field("figures", 5, "value", "$14.3B"), [f"{{data}}/figures.csv:5: value: '$14.3B' {PLAIN_NUMBER}"]),
    Case("value-abc", set_field("figures", 5, "value", "abc"), ["{data}/figures.csv:5: value: 'abc' is not a number"]),
    Case("value-negative", set_field("figures", 5, "value", "-5"),
         ["{data}/figures.csv:5: value: '-5' is negative; amounts are never below 0 (put a decline in the metric name)"]),
    Case("value-inf", set_field("figures", 5, "value", "inf"), ["{data}/figures.csv:5: value: 'inf' is not a finite number"]),
    Case("value-nan", set_field("figures", 5, "value", "nan"), ["{data}/figures.csv:5: value: 'nan' is not a finite number"]),
    Case("item-not-whole", set_field("sources", 4, "item", "1.5"), ["{data}/sources.csv:4: item: '1.5' is not a whole number"]),
    Case("status-not-allowed", set_field("events", 3, "status", "rumoured"),
         [f"{{data}}/events.csv:3: status: 'rumoured' is not allowed (expected one of: {EVENT_STATUSES})"]),
    Case("duplicate-id", duplicate_id("events", 9, of_line=3),
         [f"{{data}}/events.csv:9: event_id: duplicate id '{first_id('events', 3)}' (first used on line 3)"]),
    Case("unknown-source-id", set_field("figures", 5, "source_id", "agg-99"),
         ["{data}/figures.csv:5: source_id: unknown source_id 'agg-99' (not in sources.csv)"]),
    Case("unknown-source-in-list", set_field("events", 5, "source_ids", "agg-03;agg-99"),
         ["{data}/events.csv:5: source_ids: unknown source_id 'agg-99' (not in sources.csv)"]),
    Case("latin-1-bytes", latin1("events", 4), ["{data}/events.csv:4: -: file is not UTF-8 (byte 0xE9); save it as UTF-8"]),
    Case("too-many-fields", edit_line("figures", 2, ",100,", ",14,3,"),
         ["{data}/figures.csv:2: -: row has 12 fields but the header has 11 (check commas and quotes)"]),
    Case("multi-line-field", multiline_then_bad,
         [f"{{data}}/events.csv:8: status: 'rumoured' is not allowed (expected one of: {EVENT_STATUSES})"]),
    Case("several-files-at-once",
         several(set_field("relationships", 4, "as_of", "June 12"), set_field("figures", 9, "value", "$14.3B"),
                 set_field("events", 12, "date", "2025-02-30"), set_field("events", 3, "status", "rumoured"),
                 set_field("sources", 4, "known_from", "2025-13-01")),
         [f"{{data}}/events.csv:3: status: 'rumoured' is not allowed (expected one of: {EVENT_STATUSES})",
          "{data}/events.csv:12: date: '2025-02-30' is not a real date (no such day; expected YYYY-MM-DD)",
          f"{{data}}/figures.csv:9: value: '$14.3B' {PLAIN_NUMBER}",
          "{data}/relationships.csv:4: as_of: 'June 12' is not a period (expected YYYY, YYYY-MM or YYYY-MM-DD)",
          "{data}/sources.csv:4: known_from: '2025-13-01' is not a real date (no such day; expected YYYY-MM-DD)"]),
    Case("as-of-not-zero-padded", None, ["AS_OF:1: as_of: '2025-6-1' is not a date (expected YYYY-MM-DD)"], args=("AS_OF=2025-6-1",)),
    Case("as-of-tomorrow", None, ["AS_OF:1: as_of: 'tomorrow' is not a date (expected YYYY-MM-DD)"], args=("AS_OF=tomorrow",)),
    Case("data-dir-missing", None, [f"{MISSING_DATA}:1: -: data directory not found (check DATA=)"], data=MISSING_DATA),
    Case("base-missing", None,
         [("BASE:1: base: '/definitely/not/a/dir/or/revision' is neither a data directory nor a git revision of this repository "
           "(expected e.g. HEAD~1, a commit id, or a folder with a datapackage.json)")],
         args=("BASE=/definitely/not/a/dir/or/revision",)),
]


def problem_lines(stderr: str) -> list[str]:
    """The validator's lines: everything before its 'N problem(s) found' summary, minus Make's own."""
    lines = stderr.splitlines()
    end = next((i for i, line in enumerate(lines) if re.fullmatch(r"\d+ problem\(s\) found; nothing was built\.", line)), None)
    assert end is not None, f"no 'N problem(s) found; nothing was built.' line in:\n{stderr}"
    return [line for line in lines[:end] if not line.startswith("make")]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_leaves_the_edition_alone(case: Case, edition: Edition, tmp_path: Path):
    if case.data is not None:  # a DATA= of its own
        assert not case.data.exists()
        data, data_arg = case.data, (f"DATA={case.data}",)
    elif case.mutate is not None:  # a mutated copy of data/
        data = tmp_path / "data"
        shutil.copytree(DATA, data)
        case.mutate(data)
        data_arg = (f"DATA={data}",)
    else:  # the real data, with a bad parameter
        data, data_arg = DATA, ()

    start = time.monotonic()
    proc = make(f"BUILD={edition.dir}", *data_arg, *case.args, timeout=120)
    elapsed = time.monotonic() - start

    assert proc.returncode != 0, proc.stdout + proc.stderr
    expected = [e.format(data=data) for e in case.expected]
    got = problem_lines(proc.stderr)
    assert len(got) == len(expected), proc.stderr
    for line, want in zip(got, expected):
        assert re.fullmatch(want[3:], line) if want.startswith("re:") else line == want, (line, want)
    assert f"{len(expected)} problem(s) found; nothing was built." in proc.stderr.splitlines()
    assert "Traceback" not in proc.stderr
    assert "briefing execute" not in proc.stdout, "a notebook ran although the data did not validate"
    assert snapshot(edition.dir) == edition.state, "the previous edition was touched"
    assert published(edition.dir) == edition.hashes
    assert elapsed < 15, f"validation took {elapsed:.1f} s"


# --- a UTF-8 BOM and CRLF line endings build fine -------------------------------------------


@pytest.mark.parametrize("mutate", [bom, crlf, several(bom, crlf)], ids=["utf8-bom", "crlf-line-endings", "bom-and-crlf"])
def test_bom_and_crlf_validate_in_the_build(mutate, tmp_path: Path, edition: Edition):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    mutate(data)
    scratch = tmp_path / "build"  # a separate build folder: the good edition stays comparable
    proc = make(f"BUILD={scratch}", f"DATA={data}", f"{scratch}/story/edition.json", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"{data}: valid" in proc.stdout.splitlines()
    assert "problem" not in proc.stderr
    assert snapshot(edition.dir) == edition.state


def _strip_revision(html: bytes) -> bytes:
    return re.sub(rb"at revision [0-9a-z]+(\+changes)?", b"at revision X", html)


def test_bom_and_crlf_build_the_same_edition(tmp_path: Path, edition: Edition):
    """Data saved with a BOM and CRLF line endings builds, and gives the very same briefing.

    It is built over a copy of the good edition while a reader holds the old briefing.html open:
    the new file must arrive by rename (a new inode), the reader keeps the whole old file, and no
    temp file is left. Only the HTML is built: the PDF is rendered from the HTML alone, with the
    same atomic write, and would add a third to the time.
    """
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    bom(data)
    crlf(data)
    out = tmp_path / "build"
    shutil.copytree(edition.dir, out, symlinks=True)  # separate folder: the good edition stays comparable
    good = (edition.dir / "briefing.html").read_bytes()
    with open(out / "briefing.html", "rb") as reader:
        inode = os.fstat(reader.fileno()).st_ino
        proc = build(out, f"DATA={data}", "html")
        assert "briefing execute" in proc.stdout and "briefing html" in proc.stdout, "nothing was rebuilt"
        assert os.stat(out / "briefing.html").st_ino != inode, "briefing.html was rewritten in place, not replaced"
        assert reader.read() == good, "a reader of the old edition saw it change"
    assert leftovers(out) == []
    assert published(edition.dir) == edition.hashes
    html = (out / "briefing.html").read_bytes()
    if _strip_revision(html) != _strip_revision(good) and _code_changed_since(edition.dir / "briefing.html"):
        pytest.skip("the package or notebooks changed while the tests ran, so the two editions cannot be compared")
    assert _strip_revision(html) == _strip_revision(good)  # the git revision in the colophon may differ


def _code_changed_since(path: Path) -> bool:
    built_at = path.stat().st_mtime_ns
    code = [*ROOT.glob("briefing/**/*"), *ROOT.glob("notebooks/*.ipynb"), ROOT / "Makefile"]
    return any(p.is_file() and p.stat().st_mtime_ns > built_at for p in code)


# --- atomicity ------------------------------------------------------------------------------


def leftovers(build_dir: Path) -> list[str]:
    return sorted(str(p.relative_to(build_dir)) for p in build_dir.rglob("*") if ".tmp" in p.name)


FAILURE = "injected by test_bad_inputs: this cell always fails"


@pytest.fixture
def failing_cell(tmp_path: Path, monkeypatch) -> str:
    """Make notebook 05's changes_block cell raise at run time, with data and parameters that validate.

    (A bad BASE no longer reaches the notebooks: `make` now checks it with the data, up front.)
    An IPython startup file, run by every kernel before the notebook's cells, swaps
    briefing.drawing.record.changes_block for one that raises; only notebook 05 (the appendix) calls it.
    """
    startup = tmp_path / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-fail.py").write_text(
        "import briefing.drawing.record\n\n"
        "def changes_block(d, base):\n"
        f"    raise RuntimeError({FAILURE!r})\n\n"
        "briefing.drawing.record.changes_block = changes_block\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    return FAILURE


def test_failing_cell_names_notebook_and_cell_and_publishes_nothing(edition: Edition, failing_cell: str):
    # A new AS_OF reruns every notebook; naming 05 first makes it fail early rather than after the
    # three others. `all` still asks for briefing.html and briefing.pdf, which must not be written.
    proc = make(f"BUILD={edition.dir}", "AS_OF=2025-06-19", f"{edition.dir}/notebooks/05_appendix.ipynb", "all", timeout=600)
    assert proc.returncode != 0
    failed = [line for line in proc.stderr.splitlines() if " failed: " in line]
    assert len(failed) == 1, proc.stderr
    assert re.fullmatch(rf"notebooks/05_appendix\.ipynb: cell \d+ failed: RuntimeError: {re.escape(failing_cell)}", failed[0]), failed[0]
    assert "Traceback" not in proc.stderr
    assert "briefing html" not in proc.stdout and "briefing pdf" not in proc.stdout
    assert published(edition.dir) == edition.hashes
    assert [(edition.dir / n).stat().st_mtime_ns for n in PUBLISHED] == [edition.state[n][1] for n in PUBLISHED]
    assert not (edition.dir / "notebooks" / "05_appendix.ipynb").exists() or \
        sha256(edition.dir / "notebooks" / "05_appendix.ipynb") == edition.state["notebooks/05_appendix.ipynb"][0]
    assert leftovers(edition.dir) == []


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        ppid = int(text.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(stat.parent.name))
    return kids


def descendants(pid: int) -> set[int]:
    """Every process started under pid, including Jupyter kernels (which run in their own session)."""
    kids, found, todo = _children(), set(), [pid]
    while todo:
        for child in kids.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def test_killed_build_leaves_the_edition_intact(edition: Edition, tmp_path: Path):
    before = published(edition.dir)
    assert before == edition.hashes
    inodes = {n: (edition.dir / n).stat().st_ino for n in PUBLISHED}
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    with open(tmp_path / "make.out", "w") as out, open(tmp_path / "make.err", "w") as err:
        proc = subprocess.Popen(
            ["make", "--no-print-directory", f"BUILD={edition.dir}", "AS_OF=2025-06-18"],  # a new parameter: it rebuilds
            cwd=ROOT, stdout=out, stderr=err, env=env, start_new_session=True,
        )
    family: set[int] = set()
    try:
        start = time.monotonic()
        # Wait until the notebooks are executing (papermill has written a temp notebook), and at least ~4 s.
        while time.monotonic() - start < 60 and proc.poll() is None:
            family |= descendants(proc.pid)
            executing = any((edition.dir / "notebooks").glob("*.tmp*"))
            if executing and time.monotonic() - start >= 4:
                break
            time.sleep(0.1)
        assert proc.poll() is None, "the build ended before it could be killed:\n" + (tmp_path / "make.err").read_text()
        assert any((edition.dir / "notebooks").glob("*.tmp*")), "no notebook was executing"
        family |= descendants(proc.pid)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        for pid in family:  # kernels run in their own sessions: end them by their ids
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    assert "briefing execute" in (tmp_path / "make.out").read_text()
    # The published edition is the old one, whole, in the very same files.
    assert published(edition.dir) == before
    assert {n: (edition.dir / n).stat().st_ino for n in PUBLISHED} == inodes
    # Anything the killed build left behind is a temp file (".tmp" in its name), never a published name;
    # every notebook under its published name is complete (it was renamed into place whole).
    names = {str(p.relative_to(edition.dir)) for p in edition.dir.rglob("*") if p.is_file()}
    expected = {".params", ".published", ".lock", *(f"story/{n}" for n in stage.FILES), *PUBLISHED, *(f".pending/{n}" for n in PUBLISHED)} | {k for k in edition.state if k.startswith("notebooks/")}
    assert names - set(leftovers(edition.dir)) <= expected, names
    for nb in (edition.dir / "notebooks").glob("[0-9]*.ipynb"):
        json.loads(nb.read_text(encoding="utf-8"))
    print("left behind by the killed build:", leftovers(edition.dir))
