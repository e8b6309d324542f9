"""The build's guard: checks Make's variables, locks BUILD, records the edition's parameters, publishes
HTML and PDF as a pair, and tidies what killed runs left. Standard library only, so that it runs
when the Makefile is read (before the venv exists, too).

    python -m briefing prepare --build=B --data=D --as-of=A --base=X --timeout=T --jobs=J
        run by the Makefile when it is read, for any goal that writes into BUILD. It prints the resolved
        BASE (a commit id, or an absolute data directory) on stdout and exits 0, or prints one line per
        problem and exits 1, having changed nothing. On success BUILD is locked until that make ends:
        a second make into the same BUILD says so and waits for it.

BUILD/.params (JSON) holds the parameters of the edition in BUILD; it is rewritten only when they
change and only once they, and the data, are known to be good, so that a rejected input never makes
the next good build redo everything. HTML and PDF are rendered into BUILD/.pending and published
together (BUILD/.publishing marks a publication in progress; the next make completes it).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import shutil
import sys
from pathlib import Path

from ..data.paths import ROOT
from ..data.problems import printable
from .folder import INCOMPLETE, LOCK, PAIR, PARAMS, PENDING, PUBLISHING, atomic_write, digest, read_params
from .lock import acquire, alive, hold_until_exit, make_pid
from .params import check_params, problem

_TEMP = re.compile(r"^\..+?(?:\.(\d+)\.tmp(?:\.ipynb)?|\.(?:tmp|old)-(\d+))$")


# --------------------------------------------------------------------------- tidying, publishing

def remove_stale_temps(build: Path) -> list[str]:
    """Temp files and folders of runs that were killed (their process is gone)."""
    removed = []
    for folder in (build, build / "notebooks", build / PENDING):
        if not folder.is_dir():
            continue
        for p in folder.iterdir():
            m = _TEMP.match(p.name)
            if not m or alive(int(m.group(1) or m.group(2))):
                continue
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
            removed.append(str(p.relative_to(build)))
    return removed


def _place(src: Path, dest: Path) -> None:
    """dest becomes src's content by one rename (a hard link where the file system allows)."""
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        try:
            os.link(src, tmp)
        except OSError:
            shutil.copy2(src, tmp)  # content and mtime: _same_file then knows it for the same
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def publish(build: Path, names: tuple[str, ...] = PAIR) -> list[str]:
    """Publish BUILD/.pending's files under their names in BUILD, together; returns what changed."""
    build = Path(build)
    pending = build / PENDING
    for n in names:
        if not (pending / n).is_file():
            raise FileNotFoundError(f"{pending / n}: not found; nothing was published")
    todo = {n: digest(pending / n)[0] for n in names if not _same_file(pending / n, build / n)}
    if not todo:
        return []
    atomic_write(build / PUBLISHING, json.dumps(todo, sort_keys=True).encode())
    return _finish(build, todo)


def _same_file(a: Path, b: Path) -> bool:
    try:
        sa, sb = a.stat(), b.stat()
    except OSError:
        return False
    return os.path.samestat(sa, sb) or (sa.st_size, sa.st_mtime_ns) == (sb.st_size, sb.st_mtime_ns)


def _finish(build: Path, todo: dict[str, str]) -> list[str]:
    pending = build / PENDING
    if set(todo) == set(PAIR) or (set(todo) == {"briefing.pdf"} and _same_file(pending / PAIR[0], build / PAIR[0])):
        # one time for the pair, so that Make sees neither as older than the other's source
        t = max((pending / n).stat().st_mtime_ns for n in PAIR)
        for n in PAIR:
            os.utime(pending / n, ns=(t, t))
    for n in todo:
        _place(pending / n, build / n)
    if all(_same_file(build / PENDING / n, build / n) for n in PAIR) and _pdf_current(build):
        (build / INCOMPLETE).unlink(missing_ok=True)
    else:
        atomic_write(build / INCOMPLETE, b"briefing.pdf is from an earlier build than briefing.html (make html); run make to finish the edition\n")
    (build / PUBLISHING).unlink(missing_ok=True)
    return sorted(todo)


def _pdf_current(build: Path) -> bool:
    p = build / PENDING
    return (p / "briefing.pdf").stat().st_mtime_ns >= (p / "briefing.html").stat().st_mtime_ns


def resume_publication(build: Path) -> str | None:
    """Complete a publication a killed build left half done; returns a note for the log."""
    marker = build / PUBLISHING
    if not marker.is_file():
        return None
    try:
        todo = json.loads(marker.read_text(encoding="utf-8"))
        ok = isinstance(todo, dict) and all(n in PAIR and (build / PENDING / n).is_file() and digest(build / PENDING / n)[0] == s for n, s in todo.items())
    except (ValueError, OSError):
        ok = False
    if ok:
        _finish(build, todo)
        return f"BUILD={printable(str(build))}: completed the publication of {' and '.join(sorted(todo))} that an interrupted build began"
    marker.unlink(missing_ok=True)
    atomic_write(build / INCOMPLETE, b"an interrupted build left this edition incomplete; run make to finish it\n")
    return f"BUILD={printable(str(build))}: an interrupted publication could not be completed; this make rebuilds it"


# --------------------------------------------------------------------------- the commands

def _report(problems: list, summary: str = "nothing was built.") -> int:
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{len(problems)} problem(s) found; {summary}", file=sys.stderr)
    return 1


def prepare(build: str, data: str, as_of: str, base: str, timeout: str = "300", jobs: str = "1") -> int:
    params, problems = check_params(build, data, as_of, base, timeout, jobs)
    if problems:
        return _report(problems)
    bdir = Path(build)
    try:
        bdir.mkdir(parents=True, exist_ok=True)
        if not os.access(bdir, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, "permission denied")
        owner = make_pid()
        fd = acquire(bdir, params, owner)
    except OSError as exc:
        return _report([problem("BUILD", f"cannot write into '{printable(build)}' ({exc.strerror or exc}); choose a writable folder")])
    try:
        for name in remove_stale_temps(bdir):
            print(f"BUILD={printable(build)}: removed {printable(name)}, left by a run that was killed", file=sys.stderr)
        note = resume_publication(bdir)
        if note:
            print(note, file=sys.stderr)
        if read_params(bdir) != params:
            from ..data.validate import validate

            _, problems = validate(Path(data), as_of or None)
            if not problems and params["base"] and Path(params["base"]).is_dir():
                _, base_problems = validate(Path(params["base"]), as_of or None)
                problems = [problem("BASE", f"{p}") for p in base_problems[:1]] if base_problems else []
            if problems:
                return _report(problems)
            atomic_write(bdir / PARAMS, (json.dumps(params, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"))
    except OSError as exc:
        return _report([problem("BUILD", f"cannot write into '{printable(build)}' ({exc.strerror or exc}); choose a writable folder")])
    print(params["base"])
    sys.stdout.flush()
    if fd is not None and owner:
        hold_until_exit(fd, owner)
    return 0


def clean(build: str) -> int:
    """rm -rf BUILD, unless it is not a build folder or another make is building into it."""
    if not build or build.startswith("-"):
        print(f"BUILD:1: build: '{printable(build)}' is not a folder to remove", file=sys.stderr)
        return 1
    target = Path(build)
    if not target.exists() and not target.is_symlink():
        return 0
    real = target.resolve()
    if real in {Path("/"), Path.home().resolve(), ROOT, *ROOT.parents} or real == Path.cwd().resolve() or not target.is_dir():
        print(f"BUILD:1: build: refusing to remove '{printable(build)}' (it is not a build folder)", file=sys.stderr)
        return 1
    names = {p.name for p in target.iterdir()}
    if names and not names & {PARAMS, LOCK, *PAIR, "notebooks", ".validated"}:
        print(f"BUILD:1: build: refusing to remove '{printable(build)}': it holds files but no build (no {PARAMS})", file=sys.stderr)
        return 1
    if LOCK in names:
        fd = os.open(target / LOCK, os.O_RDWR | os.O_CLOEXEC)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"BUILD={printable(build)} is being built by another make; run make clean when it has finished", file=sys.stderr)
            return 1
        finally:
            with contextlib.suppress(OSError):
                os.close(fd)
    if target.is_symlink():
        target.unlink()
    else:
        shutil.rmtree(target)
    return 0
