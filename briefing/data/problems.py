"""What a check on the data reports: one Problem per bad cell, as ``path:line: column: message``, and the
DataError that carries them all. Standard library only (the guard uses it before the venv exists)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .schema import Resource


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return printable(f"{self.path}:{self.line}: {self.column}: {self.message}")


def printable(text) -> str:
    """Text for a terminal (cells, file names, MANIFEST entries, Make variables): control characters (ESC and OSC
    sequences, a newline inside a cell) and bidi overrides shown as \\x.. or \\u...., never sent raw."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]",
                  lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 256 else f"\\u{ord(m.group(0)):04x}", str(text))


class DataError(Exception):
    """Raised when the data does not validate; carries every problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        n = len(problems)
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the data:\n{lines}")


@dataclass
class Table:
    """A validated CSV: rows as dicts of cleaned strings, with their editor line numbers."""

    resource: Resource
    path: Path
    rows: list[dict[str, str]]
    lines: list[int]


def display_path(path: Path) -> str:
    """path as the user would type it: relative to the current directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
