"""The build folder (BUILD): the names of what it holds, whole-file writes and digests, the parameters Make recorded
there. Standard library only (the guard runs before the venv exists)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

LOCK = ".lock"
PARAMS = ".params"
PENDING = ".pending"
PUBLISHING = ".publishing"
INCOMPLETE = ".incomplete"
PAIR = ("briefing.html", "briefing.pdf")


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


def read_params(build: Path) -> dict:
    try:
        value = json.loads((Path(build) / PARAMS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}

