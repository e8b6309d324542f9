"""Reading JSON a user wrote (datapackage.json, MANIFEST.json, BUILD's records): any file that is not plain JSON,
one nested too deep for Python included, is a ValueError with one line to say why. Standard library only."""

from __future__ import annotations

import json
from pathlib import Path


def loads(text: str):
    """json.loads, with nesting too deep to read (a RecursionError) reported as bad JSON."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply to read (thousands of brackets inside one another)") from None


def read(path: Path):
    """The JSON value in the UTF-8 file path; OSError when it cannot be read, ValueError when it is not JSON."""
    return loads(Path(path).read_text(encoding="utf-8"))
