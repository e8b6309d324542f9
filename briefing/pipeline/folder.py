"""The build folder (BUILD): the names of what it holds (and so what make clean may remove), whole-file writes and
digests, the data a build reads and its digest, the parameters Make recorded there. Standard library only (the guard
runs before the venv exists)."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path, PurePosixPath

from ..data.jsonfile import read as read_json
from ..data.paths import ROOT, SCHEMA_NAME

LOCK = ".lock"
PARAMS = ".params"
PUBLISHED = ".published"  # the parameters (data digest included) the published HTML and PDF were made with
PENDING = ".pending"
PUBLISHING = ".publishing"
INCOMPLETE = ".incomplete"
VALIDATED = ".validated"  # Make's stamp
NOTEBOOKS = "notebooks"
EDITION = "edition"
PAIR = ("briefing.html", "briefing.pdf")
# what a build writes at the top of BUILD; a temporary name of one of these (.NAME.PID.tmp, .NAME.tmp-PID, .NAME.old-PID) is a build's too
WRITTEN = frozenset({LOCK, PARAMS, PUBLISHED, PENDING, PUBLISHING, INCOMPLETE, VALIDATED, NOTEBOOKS, EDITION, *PAIR})
_TEMP = re.compile(r"\.(?P<name>.+?)(?:\.(?P<pid>\d+)\.tmp(?P<nb>\.ipynb)?|\.(?:tmp|old)-(?P<pid2>\d+))")


def temp_of(name: str) -> tuple[str, int] | None:
    """(the name a temporary file stands for, the pid that writes it), or None for a name that is not a temporary one."""
    m = _TEMP.fullmatch(name)
    return (m["name"] + (m["nb"] or ""), int(m["pid"] or m["pid2"])) if m else None


def written_by_build(folder: str, name: str) -> bool:
    """Whether BUILD/folder/name is a name a build writes (folder "" is BUILD itself): make clean removes only these,
    never a user's own file (notes.txt, .notes.123456.tmp) nor a data file that BUILD was wrongly pointed at."""
    own = {"": WRITTEN, PENDING: set(PAIR), NOTEBOOKS: {p.name for p in (ROOT / NOTEBOOKS).glob("*.ipynb")}}.get(folder, set())
    temp = temp_of(name)
    return name in own or (temp is not None and temp[0] in own)


def safe_relative(path: str) -> bool:
    """path is relative and stays below its folder ('..' and backslashes refused; links are the validator's to check)."""
    p = PurePosixPath(path)
    return bool(path) and not p.is_absolute() and ".." not in p.parts and "\\" not in path


def data_files(data_dir: Path) -> list[str]:
    """datapackage.json and every resource path it lists, relative to data_dir; ValueError when that cannot be said."""
    spath = Path(data_dir) / SCHEMA_NAME
    if not spath.is_file():
        raise ValueError(f"{spath}: not found; DATA= must be a data package (a folder with its {SCHEMA_NAME})")
    try:
        paths = [res["path"] for res in read_json(spath)["resources"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{spath}: cannot read the resources' paths ({exc})") from None
    files = [SCHEMA_NAME]
    for p in paths:
        if not isinstance(p, str) or not safe_relative(p):
            raise ValueError(f"{spath}: resource path {p!r} is not a relative path inside the package")
        if not (Path(data_dir) / p).is_file():
            raise ValueError(f"{Path(data_dir) / p}: listed in {SCHEMA_NAME} but not found")
        if p not in files:
            files.append(p)
    return files


def data_digest(data_dir: Path) -> str:
    """sha256 of the data a build reads (datapackage.json and its resources, by name and content), so that a file put
    back with an older mtime (cp -p, rsync -a, tar x) still rebuilds; of what can be read, when that is not a package."""
    h = hashlib.sha256()
    try:
        names = data_files(data_dir)
    except ValueError:
        names = [SCHEMA_NAME]  # the build refuses such data; the digest only has to differ from a good one's
    for name in names:
        try:
            h.update(f"{name}\0{digest(Path(data_dir) / name)[0]}\0".encode())
        except OSError:
            h.update(f"{name}\0-\0".encode())
    return h.hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary name beside path, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def digest(path: Path) -> tuple[str, int]:
    """sha256 (hex) and size in bytes of a file."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest(), os.fstat(f.fileno()).st_size


def read_params(build: Path, name: str = PARAMS) -> dict:
    """The parameters recorded in BUILD/.params (or BUILD/.published); {} when there are none."""
    try:
        value = read_json(Path(build) / name)
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}

