"""Make's parameters, checked before anything is built: BUILD and DATA as plain paths, AS_OF as a date in range,
BASE resolved to a data directory or a commit, TIMEOUT and JOBS as counts; and how long the build waits for what is
not a notebook's own work. Standard library only (the guard runs before the venv exists)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from ..data.cells import parse_date
from ..data.paths import PACKAGE_DIR, ROOT
from ..data.problems import Problem, printable
from ..data.sanity import date_range_problem
from .folder import NOTEBOOKS, data_digest

PLAIN_PATH = re.compile(r"[A-Za-z0-9._/+-]+")  # the Makefile's gate allows exactly these characters
REVISION = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/@{}~^-]*")


def wait_limit(timeout: int | None = None) -> int:
    """How long the build waits for what is not a notebook's own work (a kernel's start, a finished cell's
    output, git), in seconds: TIMEOUT (given, or as the Makefile exports it, BRIEFING_TIMEOUT), but never
    less than 300. A busy machine only slows such a wait, and each ends as soon as its answer comes, so
    it gets a generous limit rather than a short one of its own (nor a short TIMEOUT meant for cells)."""
    if timeout is None:
        value = os.environ.get("BRIEFING_TIMEOUT", "")
        timeout = int(value) if value.isdigit() and int(value) <= 86400 else 0
    return max(int(timeout), 300)


def problem(name: str, message: str) -> Problem:
    """A problem with a Make variable, as NAME:1: name: message."""
    return Problem(name, 1, name.lower(), message)


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


def overlap_problem(build: str, data: str, sources: str = "", base: str = "") -> str | None:
    """Why BUILD cannot be where it is: it is, holds or lies inside a folder the build reads (DATA, SOURCES, a BASE folder,
    notebooks/, the package), which make clean would then empty; or None."""
    found = _overlap(build, {"DATA": data, "SOURCES": sources, "BASE": base})
    if found:
        how, name, folder = found
        return (f"'{printable(build)}' {how} {name} ({printable(folder)}); BUILD is the build's own folder, outside DATA, SOURCES, "
                "BASE, notebooks/ and the package, because make clean empties it")
    return None


def _overlap(path: str, folders: dict[str, str]) -> tuple[str, str, str] | None:
    """(how, name, folder) for the first of these folders (a BASE only when it is a folder), notebooks/ or the package that
    path is ("is"), holds or lies inside; None when it is apart from them all."""
    here = Path(path).resolve()
    base = folders.get("BASE", "")
    others = {**folders, "BASE": base if base and Path(base).is_dir() else "", "notebooks/": str(ROOT / NOTEBOOKS), "the package": str(PACKAGE_DIR)}
    for name, folder in others.items():
        if not folder:
            continue
        there = Path(folder).resolve()
        how = "is" if here == there else "holds" if here in there.parents else "lies inside" if there in here.parents else ""
        if how:
            return how, name, folder
    return None


def site_problems(site: str, site_url: str, build: str, data: str, sources: str = "", base: str = "", required: bool = False) -> list[Problem]:
    """What is wrong with SITE (the static site `make publish` adds editions to) and SITE_URL (its public address, optional).
    SITE is a plain path outside everything a build reads or writes: BUILD (make clean empties it), DATA, SOURCES, BASE,
    notebooks/ and the package, and it may not hold any of them (so neither the checkout nor a folder above it)."""
    problems = []
    if not site:
        if required:
            problems.append(problem("SITE", "is empty (give the folder of the site, e.g. SITE=site)"))
    elif msg := path_problem("SITE", site):
        problems.append(problem("SITE", msg))
    else:
        found = _overlap(site, {"BUILD": build, "DATA": data, "SOURCES": sources, "BASE": base})
        if found:
            how, name, folder = found
            problems.append(problem("SITE", f"'{printable(site)}' {how} {name} ({printable(folder)}); the site is a folder of its own, "
                                            "outside BUILD, DATA, SOURCES, BASE, notebooks/ and the package"))
    if site_url and (msg := url_problem(site_url)):
        problems.append(problem("SITE_URL", msg))
    return problems


def url_problem(url: str) -> str | None:
    """Why url cannot be the site's public address (an http(s) URL of a folder: no credentials, query or fragment), or None."""
    from urllib.parse import urlsplit

    shown = printable(url)
    if len(url) > 400 or not re.fullmatch(r"[A-Za-z0-9._~:/?#@!$&()*+,;=%-]+", url) or "%" in re.sub(r"%[0-9A-Fa-f]{2}", "", url):
        return f"'{shown}' is not a plain URL (at most 400 characters: letters, digits and URL punctuation, no spaces, quotes or markup)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:
        return f"'{shown}' is not a URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"'{shown}' is not an http:// or https:// address of the site (e.g. https://example.org/briefing/)"
    if "@" in parts.netloc or parts.query or parts.fragment or url.endswith(("?", "#")):
        return f"'{shown}' has a user name, a query or a fragment; give the plain address of the site's folder"
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
                                 capture_output=True, text=True, timeout=limit, check=False)
        except subprocess.TimeoutExpired:  # a busy machine, not a bad BASE: say so, rather than call it no revision
            raise ValueError(f"git did not answer within {limit} s while resolving '{printable(base)}' (a very busy machine?); "
                             "run make again, or raise TIMEOUT=") from None
        except (OSError, subprocess.SubprocessError):
            out = None
        if out is not None and out.returncode == 0 and re.fullmatch(r"[0-9a-f]{40,64}", out.stdout.strip()):
            return out.stdout.strip()
    raise ValueError(f"'{printable(base)}' is neither a data directory nor a git revision of this repository "
                     "(expected e.g. HEAD~1, a commit id, or a folder with a datapackage.json)")


def check_params(build: str, data: str, as_of: str, base: str, timeout: str = "300", jobs: str = "1",
                 sources: str = "") -> tuple[dict, list]:
    """(parameters as recorded, with the digest of the data, problems) for Make's variables."""
    problems = []
    if as_of:
        d, msg = parse_date(as_of)
        msg = msg or date_range_problem(d)
        if msg:
            problems.append(problem("AS_OF", msg.replace(as_of, printable(as_of), 1)))
    for name, value in (("BUILD", build), ("DATA", data)):
        msg = path_problem(name, value)
        if msg:
            problems.append(problem(name, msg))
    resolved = ""
    try:
        resolved = resolve_base(base)
    except ValueError as exc:
        problems.append(problem("BASE", str(exc)))
    if not problems:
        msg = overlap_problem(build, data, sources, resolved)
        if msg:
            problems.append(problem("BUILD", msg))
    for name, value, top, what in (("TIMEOUT", timeout, 86400, "a number of seconds"), ("JOBS", jobs, 64, "a number of parallel jobs")):
        msg = count_problem(name, value, top, what)
        if msg:
            problems.append(problem(name, msg))
    params = {"data": str(Path(data).resolve()) if data else "", "as_of": as_of, "base": resolved, "base_name": base}
    if not problems:  # what the build reads, by content: a file put back with an older date still changes .params
        params["data_sha256"] = data_digest(Path(data))
        if resolved and Path(resolved).is_dir():
            params["base_sha256"] = data_digest(Path(resolved))
    return params, problems
