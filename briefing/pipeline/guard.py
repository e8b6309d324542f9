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
import shutil
import sys
from pathlib import Path

from ..data.paths import ROOT
from ..data.problems import printable
from .folder import (
    INCOMPLETE,
    LOCK,
    NOTEBOOKS,
    PAIR,
    PARAMS,
    PENDING,
    PUBLISHED,
    PUBLISHING,
    atomic_write,
    digest,
    read_params,
    temp_of,
    written_by_build,
)
from .lock import acquire, alive, hold_until_exit, make_pid
from .params import check_params, overlap_problem, problem, site_problems

# --------------------------------------------------------------------------- tidying, publishing

def remove_stale_temps(build: Path) -> list[str]:
    """Temp files and folders of runs that were killed (their process is gone); only of names a build writes."""
    removed = []
    for where in ("", NOTEBOOKS, PENDING):
        folder = build / where
        if not folder.is_dir():
            continue
        for p in folder.iterdir():
            temp = temp_of(p.name)
            if not temp or not written_by_build(where, p.name) or alive(temp[1]):
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
        # the parameters (and the data's digest) this pair was made with: make edition bundles only that data
        atomic_write(build / PUBLISHED, (json.dumps(read_params(build), sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"))
    else:
        (build / PUBLISHED).unlink(missing_ok=True)
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


def prepare(build: str, data: str, as_of: str, base: str, timeout: str = "300", jobs: str = "1", sources: str = "",
            dry_run: bool = False, site: str = "", site_url: str = "", site_required: bool = False) -> int:
    params, problems = check_params(build, data, as_of, base, timeout, jobs, sources)
    # SITE and SITE_URL (make publish) are checked with the rest, but not recorded: another SITE rebuilds nothing
    problems += site_problems(site, site_url, build, data, sources, params["base"], site_required)
    if problems:
        return _report(problems)
    if dry_run:  # make -n: the variables are checked, nothing is written, locked or tidied
        print(params["base"])
        return 0
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


def clean(build: str, data: str = "", sources: str = "") -> int:
    """Remove what builds wrote into BUILD (and BUILD, once empty), unless BUILD is not a build folder or another make is
    building into it. Nothing else is removed: a user's own file there stays, and make clean says so."""
    if not build or build.startswith("-"):
        print(f"BUILD:1: build: '{printable(build)}' is not a folder to remove", file=sys.stderr)
        return 1
    target = Path(build)
    if not target.exists() and not target.is_symlink():
        return 0
    real = target.resolve()
    overlap = overlap_problem(build, data, sources)
    if real in {Path("/"), Path.home().resolve(), ROOT, *ROOT.parents} or real == Path.cwd().resolve() or not target.is_dir() or overlap:
        print(f"BUILD:1: build: refusing to remove '{printable(build)}' ({overlap or 'it is not a build folder'})", file=sys.stderr)
        return 1
    names = {p.name for p in target.iterdir()}
    if names and not any(written_by_build("", n) for n in names):
        print(f"BUILD:1: build: refusing to remove '{printable(build)}': it holds files but no build (no {PARAMS})", file=sys.stderr)
        return 1
    fd = None
    try:
        if LOCK in names:
            fd = os.open(target / LOCK, os.O_RDWR | os.O_CLOEXEC)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print(f"BUILD={printable(build)} is being built by another make; run make clean when it has finished", file=sys.stderr)
                return 1
        kept = _remove_written(target, "")
    except OSError as exc:
        print(f"BUILD:1: build: cannot remove what is in '{printable(build)}' ({exc.strerror or exc}); some of it may remain", file=sys.stderr)
        return 1
    finally:
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)
    if kept:
        shown = ", ".join(printable(k) for k in kept[:5]) + (f" and {len(kept) - 5} more" if len(kept) > 5 else "")
        print(f"BUILD={printable(build)}: removed the build; kept what no build wrote: {shown}", file=sys.stderr)
        return 0
    if not target.is_symlink():  # a BUILD that is a link (the user's) stays, emptied of the build
        with contextlib.suppress(OSError):
            target.rmdir()
    return 0


def _remove_written(top: Path, where: str) -> list[str]:
    """Remove, under top/where, what a build wrote; returns what was kept (relative to top)."""
    kept = []
    for p in sorted((top / where).iterdir()):
        rel = f"{where}/{p.name}" if where else p.name
        if not written_by_build(where, p.name):
            kept.append(rel)
        elif p.is_dir() and not p.is_symlink() and not where and p.name in (NOTEBOOKS, PENDING):
            inner = _remove_written(top, p.name)
            kept += inner
            if not inner:
                p.rmdir()
        elif p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)  # an edition, or an edition's temporary folder: all of it written by `make edition`
        else:
            p.unlink()
    return kept
