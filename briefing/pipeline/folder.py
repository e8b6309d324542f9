"""The build folder (BUILD): the names of what it holds (and so what make clean may remove), whole-file writes and
digests, the data a build reads and its digest, the parameters Make recorded there. Standard library only (the guard
runs before the venv exists)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..data.jsonfile import read as read_json
from ..data.package import data_digest, data_files, digest, safe_relative  # noqa: F401  (the build folder's names for them)
from ..data.paths import ROOT

LOCK = ".lock"
PARAMS = ".params"
PUBLISHED = ".published"  # the parameters (data digest included) the published HTML and PDF were made with
PENDING = ".pending"
PUBLISHING = ".publishing"
INCOMPLETE = ".incomplete"
VALIDATED = ".validated"  # Make's stamp before the story stage (a build folder of an earlier version holds one)
STORY = "story"  # the story stage (briefing/story/stage.py)
NOTEBOOKS = "notebooks"
EDITION = "edition"
PAIR = ("briefing.html", "briefing.pdf")
# what a build writes at the top of BUILD; a temporary name of one of these (.NAME.PID.tmp, .NAME.tmp-PID, .NAME.old-PID) is a build's too
WRITTEN = frozenset({LOCK, PARAMS, PUBLISHED, PENDING, PUBLISHING, INCOMPLETE, VALIDATED, STORY, NOTEBOOKS, EDITION, *PAIR})
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


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary name beside path, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_params(build: Path, name: str = PARAMS) -> dict:
    """The parameters recorded in BUILD/.params (or BUILD/.published); {} when there are none."""
    try:
        value = read_json(Path(build) / name)
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}

