"""The source texts: reading one from the collection, splitting the aggregator into its items, and the
normalised form a quote is compared in (runs of whitespace, curly vs straight quotes). Standard library only."""

from __future__ import annotations

import re
from pathlib import Path

from .problems import Table
from .sanity import inside

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2032": "'", "\u00a0": " "})


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).strip()


def split_items(text: str) -> dict[str, str]:
    """The aggregator's parts: '1'..'14' for its items, 'summary' for the closing summary."""
    lines = text.splitlines()
    parts: dict[str, list[str]] = {}
    current = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        m = re.fullmatch(r"\[(\d+)\]", stripped)
        if m:
            current = m.group(1)
            parts[current] = []
            continue
        if current and current != "summary" and stripped == "Share":
            current = None
            continue
        if stripped == "Copy Link":
            current = "summary"
            parts[current] = []
            continue
        if current == "summary" and i + 1 < len(lines) and re.fullmatch(r"\d+ Sources", lines[i + 1].strip()):
            current = None  # the unrelated stories that close the page: headline, then "N Sources"
            continue
        if current:
            parts[current].append(line)
    return {k: "\n".join(v) for k, v in parts.items()}


def read_document(sources_dir: Path, name: str) -> tuple[str | None, str | None]:
    """(text, None) or (None, why not): only a regular file inside sources_dir, as UTF-8."""
    base = Path(sources_dir)
    if not inside(base, name):
        return None, f"document '{name}' is not a file inside {sources_dir} (no folders, '..' or links leading out)"
    doc = base / name
    if not doc.is_file():
        return None, None  # not there: reported per quote
    raw = doc.read_bytes()
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, f"document '{name}' is not UTF-8 (byte 0x{raw[exc.start]:02X} on its line {line}); convert it to UTF-8"


class SourceTexts:
    """The normalised text each source_id points to."""

    def __init__(self, sources_dir: Path, sources: Table):
        self.dir = Path(sources_dir)
        self.text: dict[str, str] = {}
        self.whole: dict[str, str] = {}
        self.missing: dict[str, tuple[str, str | None]] = {}  # source_id -> (document, why unreadable; None: not found)
        for row in sources.rows:
            text, why = read_document(self.dir, row["document"])
            if text is None:
                self.missing[row["source_id"]] = (row["document"], why)
                continue
            self.whole[row["source_id"]] = normalise(text)
            if row.get("item"):
                text = split_items(text).get(str(int(float(row["item"]))), "")
            elif row["source_id"].endswith("summary"):
                text = split_items(text).get("summary", "")
            self.text[row["source_id"]] = normalise(text)
