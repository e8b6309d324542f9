"""Locks: BUILD's, held for as long as the make that took it runs (a second make into the same BUILD waits), and
the setup lock a command runs under (`briefing locked`). Standard library only."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

from ..data.problems import printable
from .folder import LOCK


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


def alive(pid: int) -> bool:
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
            while alive(pid):
                select.select([], [], [], 0.5)
    finally:
        os._exit(0)


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
