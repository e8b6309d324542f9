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
import datetime as dt
import errno
import fcntl
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from .paths import ROOT, wait_limit
from .edition import digest, printable  # edition.py, like this module, imports only the standard library
from .render import atomic_write  # render.py imports only the standard library at module level

LOCK = ".lock"
PARAMS = ".params"
PENDING = ".pending"
PUBLISHING = ".publishing"
INCOMPLETE = ".incomplete"
PAIR = ("briefing.html", "briefing.pdf")
PLAIN_PATH = re.compile(r"[A-Za-z0-9._/+-]+")  # the Makefile's gate allows exactly these characters
REVISION = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/@{}~^-]*")
_TEMP = re.compile(r"^\..+?(?:\.(\d+)\.tmp(?:\.ipynb)?|\.(?:tmp|old)-(\d+))$")


class Refused(Exception):
    """Problems that stop the build before it touches anything; str() is one line each."""

    def __init__(self, problems: list):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _problem(name: str, message: str):
    from .validate import Problem

    return Problem(name, 1, name.lower(), message)


# --------------------------------------------------------------------------- Make's variables

def path_problem(name: str, value: str) -> str | None:
    """Why value cannot be a path Make works with (BUILD, DATA), or None."""
    if not value:
        return "is empty (give a folder, e.g. build)" if name == "BUILD" else "is empty (give a data folder, e.g. data)"
    if value.startswith("-"):
        return f"'{printable(value)}' starts with '-' and would read as an option; write ./{printable(value)}"
    if re.search(r"\s", value):
        return f"'{printable(value)}' contains a space; Make cannot name files under such a path (use one without spaces, or a symlink to it)"
    if not PLAIN_PATH.fullmatch(value):
        odd = "".join(dict.fromkeys(c for c in value if not PLAIN_PATH.fullmatch(c)))
        return f"'{printable(value)}' contains {printable(odd)!r}; a path for Make may hold letters, digits and . _ - + / only"
    return None


def count_problem(name: str, value: str, top: int, what: str) -> str | None:
    if re.fullmatch(r"[0-9]{1,6}", value or "") and 1 <= int(value) <= top:
        return None
    return f"'{printable(value)}' is not {what} (a whole number from 1 to {top})"


def resolve_base(base: str) -> str:
    """BASE as the build uses it: a data directory (absolute) or a commit id; ValueError otherwise."""
    if not base:
        return ""
    if Path(base).is_dir():
        if not (Path(base) / "datapackage.json").is_file():
            raise ValueError(f"'{printable(base)}' is a directory but not a data directory (it has no datapackage.json)")
        return str(Path(base).resolve())
    if REVISION.fullmatch(base) and ".." not in base:
        limit = wait_limit()
        try:
            out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", "--end-of-options", f"{base}^{{commit}}"],
                                 capture_output=True, text=True, timeout=limit)
        except subprocess.TimeoutExpired:  # a busy machine, not a bad BASE: say so, rather than call it no revision
            raise ValueError(f"git did not answer within {limit} s while resolving '{printable(base)}' (a very busy machine?); "
                             "run make again, or raise TIMEOUT=") from None
        except (OSError, subprocess.SubprocessError):
            out = None
        if out is not None and out.returncode == 0 and re.fullmatch(r"[0-9a-f]{40,64}", out.stdout.strip()):
            return out.stdout.strip()
    raise ValueError(f"'{printable(base)}' is neither a data directory nor a git revision of this repository "
                     "(expected e.g. HEAD~1, a commit id, or a folder with a datapackage.json)")


def check_params(build: str, data: str, as_of: str, base: str, timeout: str = "300", jobs: str = "1") -> tuple[dict, list]:
    """(parameters as recorded, problems) for Make's variables."""
    from .validate import parse_date
    from .sanity import date_range_problem

    problems = []
    if as_of:
        d, msg = parse_date(as_of)
        msg = msg or date_range_problem(d)
        if msg:
            problems.append(_problem("AS_OF", msg.replace(as_of, printable(as_of), 1)))
    for name, value in (("BUILD", build), ("DATA", data)):
        msg = path_problem(name, value)
        if msg:
            problems.append(_problem(name, msg))
    resolved = ""
    try:
        resolved = resolve_base(base)
    except ValueError as exc:
        problems.append(_problem("BASE", str(exc)))
    for name, value, top, what in (("TIMEOUT", timeout, 86400, "a number of seconds"), ("JOBS", jobs, 64, "a number of parallel jobs")):
        msg = count_problem(name, value, top, what)
        if msg:
            problems.append(_problem(name, msg))
    params = {"data": str(Path(data).resolve()) if data else "", "as_of": as_of, "base": resolved, "base_name": base}
    return params, problems


# --------------------------------------------------------------------------- the lock

def _comm(pid: int) -> tuple[str, int]:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "", 0
    name = stat[stat.index("(") + 1: stat.rindex(")")]
    return name, int(stat[stat.rindex(")") + 2:].split()[1])


def make_pid() -> int | None:
    """The make that runs us (through its shell), if any."""
    pid = os.getppid()
    for _ in range(4):
        name, parent = _comm(pid)
        if name in ("make", "gmake"):
            return pid
        if parent <= 1:
            return None
        pid = parent
    return None


def _ancestors() -> set[int]:
    out, pid = set(), os.getpid()
    while pid > 1 and len(out) < 64:
        out.add(pid)
        pid = _comm(pid)[1]
    return out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def acquire(build: Path, params: dict, owner: int | None) -> int | None:
    """An fd holding BUILD's exclusive lock (waiting, with a message, while another make holds it);
    None when the holder is the make we run under (a make inside its own recipe)."""
    fd = os.open(build / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        info = _holder(fd)
        if info.get("make") in _ancestors():
            os.close(fd)
            return None
        who = f"pid {info.get('make') or info.get('pid', '?')}" + (f", AS_OF={info['as_of']!r}" if "as_of" in info else "")
        print(f"BUILD={printable(str(build))} is being built by another make ({who}); waiting for it to finish…", file=sys.stderr, flush=True)
        fcntl.flock(fd, fcntl.LOCK_EX)
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps({"pid": os.getpid(), "make": owner, "as_of": params.get("as_of", ""), "data": params.get("data", ""),
                              "since": dt.datetime.now().isoformat(timespec="seconds")}).encode(), 0)
    return fd


def _holder(fd: int) -> dict:
    try:
        return json.loads(os.pread(fd, 4096, 0).decode() or "{}")
    except (ValueError, OSError):
        return {}


def hold_until_exit(fd: int, pid: int) -> None:
    """Keep the lock in a small child until process pid (the make) ends; this process may then exit."""
    if os.fork():
        return
    try:  # the child: no terminal, no pipes of make's, only the lock
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        null = os.open(os.devnull, os.O_RDWR)
        for std in (0, 1, 2):
            os.dup2(null, std)
        keep = sorted({fd, 0, 1, 2})
        for lo, hi in zip([k + 1 for k in keep], [*keep[1:], 65536]):
            if lo < hi:
                os.closerange(lo, hi)
        try:
            pidfd = os.pidfd_open(pid)
            select.select([pidfd], [], [])
        except (OSError, AttributeError):
            while _alive(pid):
                select.select([], [], [], 0.5)
    finally:
        os._exit(0)


# --------------------------------------------------------------------------- tidying, publishing

def remove_stale_temps(build: Path) -> list[str]:
    """Temp files and folders of runs that were killed (their process is gone)."""
    removed = []
    for folder in (build, build / "notebooks", build / PENDING):
        if not folder.is_dir():
            continue
        for p in folder.iterdir():
            m = _TEMP.match(p.name)
            if not m or _alive(int(m.group(1) or m.group(2))):
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


def read_params(build: Path) -> dict:
    try:
        value = json.loads((Path(build) / PARAMS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


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
        return _report([_problem("BUILD", f"cannot write into '{printable(build)}' ({exc.strerror or exc}); choose a writable folder")])
    try:
        for name in remove_stale_temps(bdir):
            print(f"BUILD={printable(build)}: removed {printable(name)}, left by a run that was killed", file=sys.stderr)
        note = resume_publication(bdir)
        if note:
            print(note, file=sys.stderr)
        if read_params(bdir) != params:
            from .validate import validate

            _, problems = validate(Path(data), as_of or None)
            if not problems and params["base"] and Path(params["base"]).is_dir():
                _, base_problems = validate(Path(params["base"]), as_of or None)
                problems = [_problem("BASE", f"{p}") for p in base_problems[:1]] if base_problems else []
            if problems:
                return _report(problems)
            atomic_write(bdir / PARAMS, (json.dumps(params, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"))
    except OSError as exc:
        return _report([_problem("BUILD", f"cannot write into '{printable(build)}' ({exc.strerror or exc}); choose a writable folder")])
    print(params["base"])
    sys.stdout.flush()
    if fd is not None and owner:
        hold_until_exit(fd, owner)
    return 0


def run_locked(lock: Path, argv: list[str]) -> int:
    """Run argv while holding an exclusive lock on the file lock (made, with its folder, if missing); a
    second caller says so and waits. `make setup` runs its steps this way: makes into different BUILD
    folders share the checkout's .venv, and when requirements.txt or pyproject.toml has changed each
    would otherwise reinstall into it at once (pip over pip, two `git config` writes, one of which fails)."""
    lock = Path(lock)
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)  # not inherited: only this process holds it
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"{printable(str(lock.parent))} is being set up by another make; waiting for it to finish…", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        # close_fds=False: a make below keeps the jobserver of the make above
        child = subprocess.Popen(argv, close_fds=False)
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:  # the terminal's Ctrl-C reaches the child too: let it finish saying so
                continue
    finally:
        os.close(fd)


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
