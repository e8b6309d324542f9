"""Hostile input, round three (issue 28, items 1, 2, 5, 6, 7, 8 in part, 9): a BUILD pointed at the data, make -n
that wrote, make clean that deleted what it had not written, a schema pattern that backtracks for hours, data put
back with an older date, a MANIFEST revision edited by hand, escape sequences from cells and file names, tracebacks
where one line belongs, a datapackage.json linked from outside, a resource listed twice.

Each case ends in one line (``path:line: column: message`` for input), exits non-zero within seconds, and writes or
deletes nothing it did not create.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import PY, ROOT, SMALL, edit_manifest, make, set_cell

ESC = "\x1b]0;pwned\x07\x1b[2J"


def cli(*args: str, cwd: Path = ROOT, timeout: int = 120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "briefing", *args], check=False, cwd=cwd, capture_output=True, text=True, timeout=timeout, **kw)


def one_line(proc: subprocess.CompletedProcess) -> str:
    """The first line a failed command printed, once it is known to have failed without a traceback."""
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip() and not line.startswith("make")]
    assert lines, proc.stderr
    return lines[0]


def tree(folder: Path) -> dict[str, str]:
    """Every file under folder (links as their target) with its sha256: what must not change."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = str(p.relative_to(folder))
        out[rel] = f"-> {os.readlink(p)}" if p.is_symlink() else hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
    return out


def edit_schema(data: Path, change) -> None:
    path = data / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    change(package)
    path.write_text(json.dumps(package, indent=1), encoding="utf-8")


def field(package: dict, res: str, name: str) -> dict:
    r = next(r for r in package["resources"] if r["name"] == res)
    return next(f for f in r["schema"]["fields"] if f["name"] == name)


# --- 1. data loss: make -n, BUILD over the data, make clean ------------------------------------


def test_make_n_writes_nothing_into_a_data_folder_and_fails(small: Path):
    before = tree(small)
    proc = make("-n", f"DATA={small}", f"BUILD={small}", timeout=60)
    assert one_line(proc).startswith(f"BUILD:1: build: '{small}' is DATA ({small})")
    assert tree(small) == before, "make -n wrote into the data folder"


def test_make_n_creates_no_build_folder(tmp_path: Path):
    proc = make("-n", f"BUILD={tmp_path}/b", f"DATA={SMALL}", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "briefing execute" in proc.stdout and not (tmp_path / "b").exists()
    proc = make("-n", "-k", "--no-print-directory", f"BUILD={tmp_path}/b", f"DATA={SMALL}", "edition", timeout=60)
    assert proc.returncode == 0 and not (tmp_path / "b").exists()


@pytest.mark.parametrize("where", ["data", "data/sub", "parent of data", "notebooks", "the package", "sources", "base"])
def test_build_may_not_be_hold_or_lie_inside_what_the_build_reads(where: str, small: Path, tmp_path: Path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "text.txt").write_text("a source text")
    base = tmp_path / "base"
    shutil.copytree(SMALL, base)
    build = {"data": small, "data/sub": small / "sub", "parent of data": tmp_path, "notebooks": ROOT / "notebooks",
             "the package": ROOT / "briefing" / "build", "sources": sources / "b", "base": base}[where]
    watched = {p: tree(p) for p in (small, sources, base, ROOT / "notebooks")}
    proc = make(f"BUILD={build}", f"DATA={small}", f"SOURCES={sources}", f"BASE={base}", timeout=60)
    line = one_line(proc)
    assert line.startswith(f"BUILD:1: build: '{build}' "), line
    assert "outside DATA, SOURCES, BASE, notebooks/ and the package" in line
    assert {p: tree(p) for p in watched} == watched and not (small / "sub").exists() and not (sources / "b").exists()


def test_make_clean_refuses_notebooks_and_the_data(small: Path):
    notebooks = tree(ROOT / "notebooks")
    line = one_line(make("clean", "BUILD=notebooks"))
    assert line.startswith("BUILD:1: build: refusing to remove 'notebooks' ('notebooks' is notebooks/"), line
    assert tree(ROOT / "notebooks") == notebooks
    before = tree(small)
    assert "refusing to remove" in one_line(make("clean", f"BUILD={small}", f"DATA={small}"))
    assert tree(small) == before


def test_make_clean_removes_only_what_a_build_wrote(built: Path, tmp_path: Path):
    out = tmp_path / "b"
    shutil.copytree(built, out, symlinks=True)
    mine = {out / ".notes.123456.tmp": "my notes", out / "notes.txt": "keep", out / "notebooks" / "scratch.ipynb": "{}",
            out / "events.csv": "event_id\n"}
    for p, text in mine.items():
        p.write_text(text)
    proc = make("clean", f"BUILD={out}")
    assert proc.returncode == 0, proc.stderr
    assert "kept what no build wrote: .notes.123456.tmp, events.csv, notebooks/scratch.ipynb, notes.txt" in proc.stderr
    assert {p: p.read_text() for p in mine} == mine
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [".notes.123456.tmp", "events.csv", "notebooks",
                                                                            "notebooks/scratch.ipynb", "notes.txt"]
    for p in mine:
        p.unlink()
    assert make("clean", f"BUILD={out}").returncode == 0 and not out.exists()  # empty once the build is gone: removed


def test_a_users_temp_file_is_not_tidied_as_a_killed_runs(tmp_path: Path):
    dead = 2**22 + 12345  # above pid_max: no such process
    users = tmp_path / f".notes.{dead}.tmp"
    users.write_text("my notes")
    ours = tmp_path / f".briefing.html.{dead}.tmp"
    ours.write_text("half a page")
    proc = make(f"BUILD={tmp_path}", f"DATA={SMALL}", f"{tmp_path}/story/edition.json", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert users.read_text() == "my notes" and not ours.exists()


def test_make_clean_on_a_read_only_build_is_one_line(built: Path, tmp_path: Path, monkeypatch, capsys):
    from briefing.pipeline import guard

    out = tmp_path / "b"
    shutil.copytree(built, out, symlinks=True)

    def read_only(self, *a, **kw):
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr(Path, "unlink", read_only)
    monkeypatch.setattr(shutil, "rmtree", lambda p, *a, **kw: read_only(Path(p)))
    assert guard.clean(str(out)) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"BUILD:1: build: cannot remove what is in '{out}' (Read-only file system)") and err.count("\n") == 1


# --- 2. a pattern from the data that backtracks ------------------------------------------------


def _catastrophic(data: Path) -> None:
    edit_schema(data, lambda p: field(p, "events", "event_id").setdefault("constraints", {}).update(pattern="(a+)+$"))
    set_cell(data, "events", 2, "event_id", "a" * 40 + "!")


def test_a_backtracking_pattern_is_bounded_and_named(small: Path):
    _catastrophic(small)
    t0 = time.monotonic()
    proc = cli("validate", f"--data={small}", timeout=60)
    assert time.monotonic() - t0 < 20
    assert one_line(proc).startswith(f"{small}/events.csv:2: event_id: pattern '(a+)+$' took too long"), proc.stderr


def test_a_backtracking_pattern_as_base_does_not_hang_make(small: Path, tmp_path: Path):
    _catastrophic(small)
    t0 = time.monotonic()
    proc = make(f"BUILD={tmp_path}/b", f"DATA={SMALL}", f"BASE={small}", timeout=120)
    assert time.monotonic() - t0 < 60
    assert "events.csv:2: event_id: pattern '(a+)+$' took too long" in one_line(proc)
    assert not (tmp_path / "b" / ".params").exists()


# --- 5. content, not mtimes; the edition bundles only the data of its pair; MANIFEST's revision ----


def test_data_put_back_with_an_older_date_rebuilds_and_the_edition_waits_for_it(small: Path, tmp_path: Path):
    out = tmp_path / "b"
    make(f"BUILD={out}", f"DATA={small}", check=True)
    old_html = (out / "briefing.html").read_bytes()
    stamp = (small / "events.csv").stat()
    set_cell(small, "events", 2, "description", "A description put back by cp -p, rsync -a or tar x")
    os.utime(small / "events.csv", ns=(stamp.st_atime_ns, stamp.st_mtime_ns - 10**12))  # older than anything built
    edition = subprocess.run([PY, "-m", "briefing.pipeline.edition", "build", f"--build={out}", f"--data={small}"], cwd=ROOT, check=False,
                             capture_output=True, text=True, timeout=120)
    assert edition.returncode != 0 and "the data has changed since" in edition.stderr and not (out / "edition").exists()
    proc = make(f"BUILD={out}", f"DATA={small}", "edition", check=True)
    assert "briefing publish" in proc.stdout, "an older mtime left make with nothing to do"
    assert (out / "briefing.html").read_bytes() != old_html
    bundled = (out / "edition" / "data" / "events.csv").read_text(encoding="utf-8")
    assert "put back by cp -p" in bundled and make("verify-edition", f"DIR={out}/edition").returncode == 0


@pytest.mark.parametrize("key,value", [("revision", "deadbeef0000"), ("generator", "scale-briefing 9.9")])
def test_a_hand_edited_revision_or_generator_does_not_verify(bundle_copy: Path, key: str, value: str):
    proc = make("verify-edition", f"DIR={bundle_copy}")
    assert proc.returncode == 0 and "revision deadbeef" not in proc.stdout
    edit_manifest(bundle_copy, **{key: value})
    proc = make("verify-edition", f"DIR={bundle_copy}")
    assert proc.returncode != 0 and f"changed: MANIFEST.json {key} ('{value}'; briefing.html says" in proc.stderr, proc.stderr
    assert "OK" not in proc.stdout


# --- 6. escape sequences from cells and file names --------------------------------------------


def test_escape_sequences_in_cells_never_reach_the_terminal(small: Path):
    set_cell(small, "events", 2, "event_id", f"bad{ESC}id")
    set_cell(small, "figures", 2, "qualifier", f"about{ESC}")
    proc = make("validate", f"DATA={small}")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "\x1b" not in out and "\x07" not in out
    assert "events.csv:2: event_id: 'bad\\x1b]0;pwned\\x07\\x1b[2Jid'" in out, out


def test_escape_sequences_in_file_names_never_reach_the_terminal(bundle_copy: Path):
    name = f"data/x{ESC}.csv"
    (bundle_copy / name).write_text("changed")
    m = json.loads((bundle_copy / "MANIFEST.json").read_text(encoding="utf-8"))
    m["files"][name] = {"bytes": 7, "sha256": "0" * 64}
    (bundle_copy / "MANIFEST.json").write_text(json.dumps(m), encoding="utf-8")
    proc = make("verify-edition", f"DIR={bundle_copy}")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "\x1b" not in out and "\x07" not in out
    assert "changed: data/x\\x1b]0;pwned\\x07\\x1b[2J.csv (sha256" in out, out


# --- 7. one line, never a traceback ------------------------------------------------------------


def test_a_schema_nested_50000_deep_is_one_line(small: Path):
    (small / "datapackage.json").write_text("[" * 50_000 + "]" * 50_000)
    line = one_line(cli("validate", f"--data={small}"))
    assert line.startswith(f"{small}/datapackage.json:1: -: schema is not valid JSON: nested too deeply"), line


def test_a_manifest_nested_100000_deep_is_one_line(bundle_copy: Path):
    (bundle_copy / "MANIFEST.json").write_text('{"a":' * 100_000 + "1" + "}" * 100_000)
    line = one_line(make("verify-edition", f"DIR={bundle_copy}"))
    assert line.startswith(f"{bundle_copy}/MANIFEST.json: not a valid manifest (ValueError: nested too deeply"), line


def _file_size_limit(limit: int):
    def preexec():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return preexec


def test_a_full_disk_while_writing_the_pdf_is_one_line_and_the_old_pdf_stays(built: Path, tmp_path: Path):
    old = tmp_path / "briefing.pdf"
    old.write_bytes(b"%PDF the last good one")
    proc = cli("pdf", str(built / "briefing.html"), str(old), preexec_fn=_file_size_limit(50_000), timeout=300)
    line = one_line(proc)
    assert line == f"{old}:1: -: cannot be written (File too large); the last good file is unchanged", line
    assert old.read_bytes() == b"%PDF the last good one" and [p.name for p in tmp_path.iterdir()] == ["briefing.pdf"]


def test_a_full_disk_while_publishing_leaves_the_old_pair(built: Path, tmp_path: Path):
    out = tmp_path / "b"
    shutil.copytree(built, out, symlinks=True)
    pair = {n: (out / n).read_bytes() for n in ("briefing.html", "briefing.pdf")}
    for n in pair:
        (out / ".pending" / n).unlink()
        (out / ".pending" / n).write_bytes(b"new " + n.encode())
    line = one_line(cli("publish", f"--build={out}", preexec_fn=_file_size_limit(0)))
    assert line.startswith(f"cannot publish into {out}: File too large"), line
    assert {n: (out / n).read_bytes() for n in pair} == pair


def test_a_full_disk_while_bundling_the_edition_is_one_line(built: Path, tmp_path: Path):
    out = tmp_path / "b"
    shutil.copytree(built, out, symlinks=True, ignore=shutil.ignore_patterns("edition", ".edition*"))
    proc = subprocess.run([PY, "-m", "briefing.pipeline.edition", "build", f"--build={out}", f"--data={ROOT / 'data'}"], cwd=ROOT, check=False,
                          capture_output=True, text=True, timeout=300, preexec_fn=_file_size_limit(100_000))
    assert one_line(proc).endswith("File too large; the previous edition is unchanged")
    assert not [p.name for p in out.iterdir() if "edition" in p.name]


@pytest.mark.parametrize("args,want", [
    (("pdf", "/nonexistent.html", "out.pdf"), "/nonexistent.html:1: -: HTML briefing not found"),
    (("html", "out.html", "/nonexistent.ipynb"), "/nonexistent.ipynb:1: -: executed notebook not found"),
    (("summary", "--build=/nonexistent"), "BUILD:1: build: '/nonexistent' holds no briefing.html and no briefing.pdf"),
])
def test_a_missing_input_is_one_line(args: tuple, want: str, tmp_path: Path):
    line = one_line(cli(*args, cwd=tmp_path))
    assert line.startswith(want), line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("readme", ["# no markers here\n", None, "<!-- dictionary:end -->\n<!-- dictionary:start -->\n"])
def test_dictionary_without_its_markers_or_its_readme_is_one_line(readme: str | None, tmp_path: Path):
    path = tmp_path / "README.md"
    if readme is not None:
        path.write_text(readme)
    line = one_line(cli("dictionary", f"--data={SMALL}", f"--readme={path}"))
    assert re.match(rf"{re.escape(str(path))}:[12]: -: ", line), line
    assert (path.read_text() if readme is not None else None) == readme


def test_papermill_as_of_that_is_a_number_is_not_a_date(tmp_path: Path):
    from briefing.data.dataset import load
    from briefing.data.problems import DataError

    with pytest.raises(DataError, match=r"AS_OF:1: as_of: '12345' is not a date \(expected YYYY-MM-DD\)"):
        load(SMALL, 12345)
    proc = subprocess.run([str(ROOT / ".venv" / "bin" / "papermill"), "notebooks/01_deal.ipynb", str(tmp_path / "out.ipynb"),
                           "-p", "as_of", "12345", "-p", "data_dir", str(SMALL), "-k", "scale-briefing", "--cwd", "notebooks"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode != 0 and "'12345' is not a date" in proc.stderr and "AttributeError" not in proc.stderr, proc.stderr[-2000:]


# --- 8 (in part): a schema linked from outside, a resource listed twice ----------------------------


def test_a_schema_linked_from_outside_data_is_not_read(small: Path, tmp_path: Path):
    outside = tmp_path / "elsewhere.json"
    shutil.move(small / "datapackage.json", outside)
    (small / "datapackage.json").symlink_to(outside)
    line = one_line(cli("validate", f"--data={small}"))
    assert line == f"{small}/datapackage.json:1: -: schema file is a link leading out of the data directory; it is not read (copy the file into the data directory)"


@pytest.mark.parametrize("res", ["sources", "events"])
def test_a_resource_listed_twice_is_refused(res: str, small: Path):
    def twice(p):
        first = next(r for r in p["resources"] if r["name"] == res)
        p["resources"].append(json.loads(json.dumps(first)))

    edit_schema(small, twice)
    line = one_line(cli("validate", f"--data={small}"))
    assert "datapackage.json:1: resources[" in line and f".name: '{res}' is listed twice (also resources[" in line, line


# --- 9. the PDF does not depend on the machine's fonts ---------------------------------------


def test_the_page_names_dejavu_first_and_paper_only_dejavu():
    """With "Arial" ahead of DejaVu, a machine with Liberation fonts (imagemagick pulls them in) set the PDF in
    Liberation Sans and laid it out differently. DejaVu is what every build machine has (.ci/run installs it)."""
    css = (ROOT / "briefing" / "drawing" / "templates" / "briefing" / "briefing.css").read_text(encoding="utf-8")
    body = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    stacks = re.findall(r"font-family:\s*([^;}]+)", body) + re.findall(r"\bfont:\s*[^;}]*?\d(?:px|pt|rem|em)(?:/[\d.]+)?\s+([^;}]+)", body)
    assert stacks and all(s.strip().startswith(("var(--sans)", "var(--serif)", '"DejaVu')) for s in stacks), stacks
    root = dict(re.findall(r"--(sans|serif):\s*([^;]+);", body.split("@media print")[0]))
    assert root["sans"].startswith('"DejaVu Sans"') and root["serif"].startswith('"DejaVu Serif"')
    paper = dict(re.findall(r"--(sans|serif):\s*([^;]+);", body.split("@media print", 1)[1]))
    assert paper == {"sans": '"DejaVu Sans"', "serif": '"DejaVu Serif"'}, paper
