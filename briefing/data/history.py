"""Histories: a party's statuses and a topic's claims as moments in time, not as rival versions.

Everything in the data lives in time. Rows about one party in one role (statuses) or on one topic (claims) are
grouped into *moments*:

- a dated row's moment is its window (its event's window where it rests on one, else its `as_of`: a day, or a whole
  month or year where the text gives no day); dated rows whose windows overlap describe the same moment;
- undated commentary (as_of_basis = undated) and a status that only names the party (statuses.csv supersedes = no)
  never start a moment of their own after a dated one: they join the latest moment they could know of (its first day
  on or before their date) that has an account agreeing with them, else the latest they could know of, where they
  dissent; only before any dated moment do they stand as a moment of their own.

A later moment is the history moving on (Google: plans to cut ties, June 2025 → staying, February 2026), never a
dispute. A moment whose accounts point different ways (a status's direction; a claim's words) is a disagreement
about that moment, and it stays one: a tie is a tie. A moment's lead is its surest dated account. A topic whose answer
cannot change (topics.csv changes = no: who first reported it) is one moment, whatever the dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from .cells import parse_period
from .fmt import date_text, event_date_text

EVIDENCE_ORDER = ["confirmed", "reported", "rumoured"]


@dataclass
class Moment:
    """One moment of a history: its window and the accounts that describe it, the lead first."""

    first: str  # ISO day
    last: str
    rows: pd.DataFrame
    disputed: bool  # its accounts point different ways (listings and paraphrases aside)

    @property
    def lead(self) -> pd.Series:
        return self.rows.iloc[0]

    def when(self) -> str:
        """The moment in words: its lead's date where its accounts share it, else the window they span."""
        if (self.lead["_first"], self.lead["_last"]) == (self.first, self.last):
            return self.lead["when"]
        return date_text(self.first, "week", self.last)


@dataclass
class History:
    """A party's record in one role (statuses), or a topic's (claims): its moments, oldest first."""

    key: str  # the party, or the topic
    role: str  # the party's role; '' for a topic
    moments: list[Moment]

    @property
    def current(self) -> Moment:
        return self.moments[-1]


def window(as_of: str, event: pd.Series | None = None) -> tuple[str, str]:
    """A status's or claim's first and last possible day: its event's window where it rests on one, else its as_of
    (a day, or every day of the month or year it names)."""
    if event is not None:
        a, b = event_window(event)
        return a.isoformat(), b.isoformat()
    parsed, _ = parse_period(as_of)
    if parsed is None:
        return as_of, as_of
    first, precision = parsed
    return first.isoformat(), span_end(first, precision).isoformat()


def span_end(first: dt.date, precision: str) -> dt.date:
    if precision == "day":
        return first
    if precision == "month":
        return dt.date(first.year + first.month // 12, first.month % 12 + 1, 1) - dt.timedelta(days=1)
    return dt.date(first.year, 12, 31)


def event_window(row) -> tuple[dt.date, dt.date]:
    """An event's first and last possible day: a day; a week from its date to date_until (seven days without one);
    its month or year."""
    first = dt.date.fromisoformat(row["date"])
    precision = row["date_precision"]
    if precision == "week":
        until = row.get("date_until", "")
        last = dt.date.fromisoformat(until) if until else first + dt.timedelta(days=6)
        return first, max(first, last)
    if precision in ("month", "year"):
        return first, span_end(first.replace(day=1) if precision == "month" else first.replace(month=1, day=1), precision)
    return first, first


def when_text(as_of: str, event: pd.Series | None = None) -> str:
    """A status's or claim's date in words, one way everywhere: its event's date (a window stays a window), else its
    as_of at the precision the text gives (June 2025 for a month, never June 1)."""
    if event is not None:
        return event_date_text(event)
    parsed, _ = parse_period(as_of)
    if parsed is None:
        return as_of
    return date_text(parsed[0], parsed[1])


def moments(rows: pd.DataFrame, agree: str, rank, secondary: pd.Series, listing: pd.Series, timeless: bool = False) -> list[Moment]:
    """The rows (with _first and _last) as moments, oldest first.

    agree: the column whose value two agreeing accounts share (a status's direction, a claim's words); rank: a
    function giving a DataFrame its lead-first order; secondary: undated commentary and listings (they join a moment,
    see the module docstring); listing: rows that never dissent. timeless: every row is one moment.
    """
    if rows.empty:
        return []
    rows = rows.sort_values(["_first", "_last"], kind="stable")
    secondary, listing = secondary.reindex(rows.index), listing.reindex(rows.index)
    groups: list[list] = []  # [first, last, [index...]]
    primary = rows[~secondary] if (~secondary).any() else rows.iloc[0:0]
    for i, r in primary.iterrows():
        if groups and (timeless or r["_first"] <= groups[-1][1]):
            groups[-1][1] = max(groups[-1][1], r["_last"])
            groups[-1][2].append(i)
        else:
            groups.append([r["_first"], r["_last"], [i]])
    early: list[list] = []  # secondary rows before any primary moment: moments of their own
    for i, r in rows[secondary].iterrows():
        known = [g for g in groups if timeless or g[0] <= r["_first"]]
        if not known:
            if early and (timeless or r["_first"] <= early[-1][1]):
                early[-1][1] = max(early[-1][1], r["_last"])
                early[-1][2].append(i)
            else:
                early.append([r["_first"], r["_last"], [i]])
            continue
        agreeing = [g for g in known if (rows.loc[g[2], agree] == r[agree]).any()]
        (agreeing or known)[-1][2].append(i)
    spans = early + groups
    if timeless and len(spans) > 1:  # early commentary and the dated rows: still one moment
        spans = [[min(s[0] for s in spans), max(s[1] for s in spans), [i for s in spans for i in s[2]]]]
    out = []
    for first, last, idx in spans:
        acc = rank(rows.loc[idx])
        speaking = ~listing.loc[acc.index]  # a listing never dissents, unless listings are all there is
        voices = acc.loc[speaking, agree] if speaking.any() else acc[agree]
        out.append(Moment(first, last, acc, voices.nunique() > 1))
    return out


def evidence_rank(evidence: pd.Series) -> pd.Series:
    return evidence.map(lambda e: EVIDENCE_ORDER.index(e) if e in EVIDENCE_ORDER else len(EVIDENCE_ORDER))
