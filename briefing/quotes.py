"""Check that every quote (and headline) appears verbatim in the source text it cites.

Normalised: runs of whitespace, and curly vs straight quotes and apostrophes. Nothing else.
For the aggregator document, a quote must appear within its numbered item.
"""

from __future__ import annotations

import re
from pathlib import Path

from .validate import Problem, Table, _display

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2032": "'", "\u00a0": " "})
MAX_QUOTE_WORDS = 30
_NUMBER_WORDS = {
    1: ("one", "single", "first"),
    2: ("two", "doubl", "second", "twice"),
    3: ("three", "tripl", "third"),
    4: ("four",), 5: ("five",), 6: ("six",), 7: ("seven",), 8: ("eight",),
    9: ("nine",), 10: ("ten",), 12: ("twelve",),
}


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
    from .sanity import inside

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


def _value_in_quote(value: str, quote: str) -> bool:
    number = float(value)
    plain = f"{number:g}" if number != int(number) else str(int(number))
    q = quote.lower()
    if re.search(rf"(?<![\d.]){re.escape(plain)}(?![\d])", quote.replace(",", "")):
        return True
    return any(w in q for w in _NUMBER_WORDS.get(number, ())) if number == int(number) else False


def verify_quotes(tables: dict[str, Table], sources_dir: Path) -> list[Problem]:
    """All problems with quotes and headlines, as path:line: column: message."""
    texts = SourceTexts(sources_dir, tables["sources"])
    problems: list[Problem] = []

    def check(table: Table, line: int, column: str, source_id: str, quote: str) -> None:
        path = _display(table.path)
        if source_id in texts.missing:
            document, why = texts.missing[source_id]
            problems.append(Problem(path, line, column, f"{why} (source {source_id})" if why else f"document '{document}' of {source_id} not found in {sources_dir}"))
            return
        if normalise(quote) not in texts.text.get(source_id, ""):
            where = "its item" if source_id.startswith("agg-") else "the text"
            problems.append(Problem(path, line, column, f"quote not found verbatim in {where} of {source_id}: '{quote[:60]}'"))
        elif column == "quote" and len(quote.split()) > MAX_QUOTE_WORDS:
            problems.append(Problem(path, line, column, f"quote has {len(quote.split())} words; keep it under {MAX_QUOTE_WORDS}"))

    from .rules import check_source_rules

    problems += check_source_rules(tables, texts)
    src = tables["sources"]
    for row, line in zip(src.rows, src.lines):
        if row["source_id"] in texts.missing:
            if texts.missing[row["source_id"]][1]:
                problems.append(Problem(_display(src.path), line, "document", texts.missing[row["source_id"]][1]))
        elif row["headline"]:
            if normalise(row["headline"]) not in texts.whole[row["source_id"]]:
                problems.append(Problem(_display(src.path), line, "headline", f"headline not found verbatim in {row['document']}"))
    for name, id_col in (("events", "source_ids"), ("relationships", "source_ids"), ("claims", "source_ids"), ("figures", "source_id")):
        table = tables.get(name)
        if table is None:
            continue
        for row, line in zip(table.rows, table.lines):
            first = row[id_col].split(";")[0].strip()
            check(table, line, "quote", first, row["quote"])
            if name == "figures" and row["value"] and not _value_in_quote(row["value"], row["quote"]):
                problems.append(Problem(_display(table.path), line, "value", f"value {row['value']} does not appear in its quote"))
    return problems
