"""The data package as files: which files a build reads (datapackage.json and the resources it lists) and their
digest, so that every step can tell whether the data it is given is the data the story stage was computed from.
Standard library only (the guard runs before the venv exists)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path, PurePosixPath

from .jsonfile import read as read_json
from .paths import SCHEMA_NAME


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


def digest(path: Path) -> tuple[str, int]:
    """sha256 (hex) and size in bytes of a file."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest(), os.fstat(f.fileno()).st_size
