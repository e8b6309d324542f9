"""Editorial rules on evidence, dates and attribution, checked wherever a rule can be checked.

The README's methodology states them in words; this module enforces the checkable part, with
messages as ``path:line: column: message``. `check_rules` needs only the tables (it runs in
`validate`); `check_source_rules` also needs the source texts (it runs in `verify-quotes`).
"""

from __future__ import annotations

import datetime as dt
import re

from .problems import Problem, Table, display_path
from .texts import normalise

# A verb (or phrase) of saying: what puts a statement in someone's mouth.
SAYING = re.compile(
    r"\b(said|says|say|told|tells|confirmed|confirms|wrote|writes|stated|states|added|adding|noted|notes|explains|explained|"
    r"announced|announces|insisted|reassured|accused|signaled|signalled|according to)\b", re.IGNORECASE)
# Words that say the party did not speak.
NO_COMMENT = re.compile(r"declined to comment|did not (immediately )?respond|no comment|would not comment", re.IGNORECASE)
# A hedge immediately before a number: the figure's qualifier must not be dropped.
HEDGES = r"at least|around|approximately|about|nearly|almost|over|more than|roughly|up to|as high as|as much as"
# Words that hedge a statement or leave it unattributed: such a quote backs `rumoured` only, unless it says who reports it.
HEDGED = re.compile(r"\b(reportedly|possibly|allegedly|rumou?red|(is|are|was|were) said to|seems?|seemingly|appears? to|"
                    r"(is|are|was|were|has been|have been) considered)\b|\b(may|might)\b(?! \d)", re.IGNORECASE)
# What says who reports it: a verb of saying, or 'X reported'.
ATTRIBUTED = re.compile(SAYING.pattern + r"|\breported\b", re.IGNORECASE)
PRONOUNS = {"he", "she", "they"}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b")


def _norm(text: str) -> str:
    return normalise(text).lower()


def _rows(tables: dict[str, Table], name: str):
    table = tables.get(name)
    if table is None:
        return
    shown = display_path(table.path)  # once per file: resolving a path per row cost seconds on 10,000 rows
    for row, line in zip(table.rows, table.lines):
        yield shown, line, row


def _declares(tables: dict[str, Table], name: str, column: str) -> bool:
    """A rule applies where the package's schema declares the column it reads: a package written to an
    older schema (e.g. a past edition) is held to the rules its schema could express."""
    table = tables.get(name)
    return table is not None and column in table.resource.field_names


def _first_source(row: dict) -> str:
    return row["source_ids"].split(";")[0].strip()


def _organisation(name: str) -> str:
    """The organisation in an actor such as 'OpenAI (CFO Sarah Friar)' or 'Scale AI; Meta': 'OpenAI', 'Scale AI'."""
    return name.split("(")[0].split(";")[0].strip()


def _speaks(path: str, line: int, row: dict, party: str) -> list[Problem]:
    """A confirmed row: its quote puts the statement in the party's (or its spokesperson's, executive's) mouth."""
    speaker, quote = row.get("speaker", ""), _norm(row["quote"])
    if not speaker:
        return [Problem(path, line, "speaker", "a confirmed row names who said it on the record (speaker, as the quote names them); "
                        "if no text quotes the party, the evidence is reported")]
    out, reasons = [], []
    if _norm(speaker) not in quote:
        out.append(Problem(path, line, "speaker", f"'{speaker}' is not in the quote: a confirmed row's quote must name who said it"))
    if not SAYING.search(quote):
        reasons.append("a confirmed row's quote must attribute the statement (said, told, confirmed, wrote, according to ...); "
                       "if it only narrates, the evidence is reported")
    if NO_COMMENT.search(quote):
        reasons.append("the quote says the party declined to comment: that confirms nothing")
    org = _organisation(party)
    # the speaker belongs to the party when the quote or the speaker names it, or the actor/party names the speaker
    # ('OpenAI (CFO Sarah Friar)' and 'Friar'); a pronoun ('he said') is left to the reviewer, who reads it with the actor
    tied = (_norm(org) in quote or _norm(org) in _norm(speaker) or _norm(speaker) in _norm(party)
            or _norm(speaker) in PRONOUNS)
    if org and not tied:
        reasons.append(f"a confirmed row's quote must tie the speaker to {org} (name {org} in the quote or the speaker)")
    if reasons:  # one message per cell, every reason in it
        out.append(Problem(path, line, "quote", "; and ".join(reasons)))
    return out


def check_confirmed(tables: dict[str, Table]) -> list[Problem]:
    """`confirmed` only where the quote puts the statement in the party's mouth."""
    out = []
    for path, line, row in _rows(tables, "events") if _declares(tables, "events", "speaker") else ():
        if row["status"] == "confirmed":
            out += _speaks(path, line, row, row["actor"])
    for name in ("relationships", "claims"):
        for path, line, row in _rows(tables, name) if _declares(tables, name, "speaker") else ():
            if row["evidence"] == "confirmed":
                out += _speaks(path, line, row, row["party"])
    return out


def check_hedged(tables: dict[str, Table]) -> list[Problem]:
    """A hedged or unattributed quote ('reportedly', 'possibly', 'may', 'is said to') is rumour: it cannot back
    `reported` or `confirmed` unless the row says who reports it (the quote attributes it, or names a speaker)."""
    out = []
    for name in ("relationships", "claims"):
        for path, line, row in _rows(tables, name):
            hedge = HEDGED.search(row["quote"])
            if row["evidence"] == "rumoured" or not hedge or row.get("speaker") or ATTRIBUTED.search(HEDGED.sub("", row["quote"])):
                continue
            out.append(Problem(path, line, "evidence", f"the quote hedges ('{hedge.group(0)}') and says no one reports it: "
                               f"that is rumoured, not {row['evidence']} (or quote the words that name who reports it)"))
    return out


def check_undated(tables: dict[str, Table]) -> list[Problem]:
    """An undated row's as_of is its first source's known_from: nothing earlier can be claimed for it."""
    known = {r["source_id"]: r["known_from"] for _, _, r in _rows(tables, "sources")}
    out = []
    for name in ("relationships", "claims"):
        for path, line, row in _rows(tables, name):
            first = known.get(_first_source(row))
            if row.get("as_of_basis") == "undated" and first and row["as_of"] != first:
                out.append(Problem(path, line, "as_of", f"an undated row is dated by its first source's known_from ({first}), not {row['as_of']}"))
    return out


def check_event_links(tables: dict[str, Table]) -> list[Problem]:
    """One statement, one date: a status resting on an event carries the event's date."""
    events = {r["event_id"]: r for _, _, r in _rows(tables, "events")}
    out = []
    for path, line, row in _rows(tables, "relationships"):
        ev = events.get(row.get("event_id", ""))
        if ev and row["as_of"] != ev["date"]:
            out.append(Problem(path, line, "as_of", f"{row['as_of']} differs from the date of its event {ev['event_id']} ({ev['date']}): one statement, one date"))
        if ev and row.get("as_of_basis") == "undated":
            out.append(Problem(path, line, "as_of_basis", f"a status resting on event {ev['event_id']} is dated by it, not undated"))
    return out


def check_dates(tables: dict[str, Table]) -> list[Problem]:
    """Date windows are windows, weekdays match dates, and versions point at a main event."""
    out = []
    events = {r["event_id"]: r for _, _, r in _rows(tables, "events")}
    for path, line, row in _rows(tables, "events"):
        try:
            date = dt.date.fromisoformat(row["date"])
            until = dt.date.fromisoformat(row["date_until"]) if row.get("date_until") else None
        except ValueError:
            continue  # reported by the schema check
        prec = row["date_precision"]
        if until and prec == "day":
            out.append(Problem(path, line, "date_until", "a day-precision date has no window (leave date_until empty, or make the precision week)"))
        elif until and until < date:
            out.append(Problem(path, line, "date_until", f"{row['date_until']} is before the date {row['date']}"))
        elif until and prec == "week" and (until - date).days > 6:
            out.append(Problem(path, line, "date_until", f"a week-precision window is at most seven days ({row['date']} to {row['date_until']} is longer: use month)"))
        named = _WEEKDAY.findall(row["quote"])
        if prec == "day" and len(set(named)) == 1 and WEEKDAYS[date.weekday()] != named[0]:
            out.append(Problem(path, line, "date", f"the quote says {named[0]}, but {row['date']} is a {WEEKDAYS[date.weekday()]}"))
        ref = row.get("version_of", "")
        if ref == row["event_id"]:
            out.append(Problem(path, line, "version_of", "an event cannot be a version of itself"))
        elif ref in events and events[ref].get("version_of"):
            out.append(Problem(path, line, "version_of", f"{ref} is itself a version of {events[ref]['version_of']}: point at the main event"))
    return out


def check_qualifiers(tables: dict[str, Table]) -> list[Problem]:
    """A figure whose quote hedges the number keeps the hedge in `qualifier`."""
    out = []
    for path, line, row in _rows(tables, "figures"):
        try:
            value = float(row["value"])
            plain = f"{value:g}" if value != int(value) else str(int(value))
        except (ValueError, OverflowError):
            continue  # reported by the schema check
        m = re.search(rf"\b({HEDGES})\s+(US)?\$?{re.escape(plain)}(?![\d.])", row["quote"].replace(",", ""), re.IGNORECASE)
        if m and not row["qualifier"]:
            out.append(Problem(path, line, "qualifier", f"the quote hedges the number ('{m.group(1)}'): copy the hedge into qualifier"))
    return out


def check_outlets(tables: dict[str, Table]) -> list[Problem]:
    """An outlet is named only with its basis; a headline basis means the headline names it."""
    out = []
    for path, line, row in _rows(tables, "sources"):
        basis = row["outlet_basis"]
        if row["outlet"] and not basis:
            out.append(Problem(path, line, "outlet_basis", f"say where the outlet '{row['outlet']}' comes from (headline, text, or collection README)"))
        elif row["outlet"] and not re.match(r"(headline|text|collection README)\b", basis):
            out.append(Problem(path, line, "outlet_basis", f"'{basis[:40]}' should start with headline, text or collection README"))
        elif basis.startswith("headline") and _norm(row["outlet"]) not in _norm(row["headline"]):
            out.append(Problem(path, line, "outlet", f"'{row['outlet']}' is not in the headline"))
    return out


def check_rules(tables: dict[str, Table]) -> list[Problem]:
    """Every checkable editorial rule that needs only the tables."""
    return (check_confirmed(tables) + check_hedged(tables) + check_undated(tables) + check_event_links(tables) + check_dates(tables)
            + check_qualifiers(tables) + check_outlets(tables))


def check_source_rules(tables: dict[str, Table], texts) -> list[Problem]:
    """Rules that need the source texts (quotes.SourceTexts): an outlet said to be named in the text is in it."""
    out = []
    for path, line, row in _rows(tables, "sources"):
        text = texts.text.get(row["source_id"])
        if row["outlet"] and row["outlet_basis"].startswith("text") and text is not None and _norm(row["outlet"]) not in _norm(text):
            out.append(Problem(path, line, "outlet", f"'{row['outlet']}' is not named in the text of {row['source_id']}"))
    return out
