"""Check that every quote (and headline) appears verbatim in the source text it cites.

Normalised: runs of whitespace, and curly vs straight quotes and apostrophes. Nothing else.
For the aggregator document, a quote must appear within its numbered item.
"""

from __future__ import annotations

import re
from pathlib import Path

from .problems import Problem, Table, display_path
from .rules import check_source_rules
from .texts import SourceTexts, normalise

MAX_QUOTE_WORDS = 30
_NUMBER_WORDS = {
    1: ("one", "single", "first"),
    2: ("two", "doubl", "second", "twice"),
    3: ("three", "tripl", "third"),
    4: ("four",), 5: ("five",), 6: ("six",), 7: ("seven",), 8: ("eight",),
    9: ("nine",), 10: ("ten",), 12: ("twelve",),
}


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
        path = display_path(table.path)
        if source_id in texts.missing:
            document, why = texts.missing[source_id]
            problems.append(Problem(path, line, column, f"{why} (source {source_id})" if why else f"document '{document}' of {source_id} not found in {sources_dir}"))
            return
        if normalise(quote) not in texts.text.get(source_id, ""):
            where = "its item" if source_id.startswith("agg-") else "the text"
            problems.append(Problem(path, line, column, f"quote not found verbatim in {where} of {source_id}: '{quote[:60]}'"))
        elif column == "quote" and len(quote.split()) > MAX_QUOTE_WORDS:
            problems.append(Problem(path, line, column, f"quote has {len(quote.split())} words; keep it under {MAX_QUOTE_WORDS}"))

    problems += check_source_rules(tables, texts)
    src = tables["sources"]
    for row, line in zip(src.rows, src.lines):
        if row["source_id"] in texts.missing:
            if texts.missing[row["source_id"]][1]:
                problems.append(Problem(display_path(src.path), line, "document", texts.missing[row["source_id"]][1]))
        elif row["headline"] and normalise(row["headline"]) not in texts.whole[row["source_id"]]:
            problems.append(Problem(display_path(src.path), line, "headline", f"headline not found verbatim in {row['document']}"))
    for name, id_col in (("events", "source_ids"), ("relationships", "source_ids"), ("claims", "source_ids"), ("figures", "source_id")):
        table = tables.get(name)
        if table is None:
            continue
        for row, line in zip(table.rows, table.lines):
            first = row[id_col].split(";")[0].strip()
            check(table, line, "quote", first, row["quote"])
            if name == "figures" and row["value"] and not _value_in_quote(row["value"], row["quote"]):
                problems.append(Problem(display_path(table.path), line, "value", f"value {row['value']} does not appear in its quote"))
    return problems
