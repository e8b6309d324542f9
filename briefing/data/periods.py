"""Figures in time: periods as spans, and where each of a metric's figures counts (place_figures)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from . import rounding
from .cells import parse_period
from .history import span_end


def period_key(period: str) -> tuple:
    """Sort key for periods: by first day, a year before a month before a day that start together."""
    parsed, _ = parse_period(period) if period else (None, None)
    if parsed is None:
        return (dt.date.min, 0)
    first, precision = parsed
    return (first, {"year": 0, "month": 1, "day": 2}[precision])


def period_span(period: str) -> tuple[dt.date, dt.date]:
    """A period's first and last day: 2025 is January 1 to December 31, 2025-09 all of September, 2025-09-17 that day."""
    (first, precision), _ = parse_period(period)
    return first, span_end(first, precision)


def nested(inner: str, outer: str) -> bool:
    """Whether period `inner` lies inside period `outer` (a day inside its month, a month inside its year; a period inside itself)."""
    (a, b), (c, e) = period_span(inner), period_span(outer)
    return c <= a and b <= e


def place_figures(rows: pd.DataFrame) -> pd.DataFrame:
    """Where each of one metric's figures counts: the rows with `slot`, the period the value is counted for, and
    `placed`, how the row got there.

    - ``stated``: its own period.
    - ``nested``: its period contains a more precise one that other rows give (2025-09 around 2025-09-17): the same
      value at a lower precision, dated by the more precise period, or, with another value, a disagreement about that
      period. Of several such periods it counts for the latest that gives its value, else the latest.
    - ``period``: one value that sources tie to different, adjacent periods (Google's planned $200 million: 2025 in
      five texts, 2024 in one), no source giving it for both, and a text tying it to the earlier period was written
      once the later one had begun (so it could have meant it): the minority reading is a disagreement about the
      period of the majority (ties: the later), not an earlier value.
    - ``undated``: no period; it counts for the latest period its source could know (its known_from), or stands
      alone ("") if there is none.

    Periods that neither nest nor disagree are a series: values of the metric over time. `version` is the amount of
    the value each row counts toward in its slot: its own, or the more precise value it is a rounding of
    (data.rounding: "$14 billion" beside $14.3 billion), NaN where it is a rounding of several.
    """
    rows = rows.copy()
    stated = [p for p in rows["period"] if p]
    periods = sorted(set(stated), key=period_key)
    leaves = [p for p in periods if not any(q != p and nested(q, p) for q in periods)]
    amounts = {p: set(rows.loc[rows["period"] == p, "amount"]) for p in leaves}
    slot, placed = [], []
    for period, amount in zip(rows["period"], rows["amount"]):
        if not period:
            slot.append("")
            placed.append("undated")
        elif period in amounts:
            slot.append(period)
            placed.append("stated")
        else:
            inside = [p for p in leaves if nested(p, period)]
            agree = [p for p in inside if amount in amounts[p]]
            slot.append((agree or inside)[-1])
            placed.append("nested")
    rows["slot"], rows["placed"] = slot, placed
    # one value tied to different, adjacent periods: the minority reading is a disagreement about the period
    order = {p: i for i, p in enumerate(leaves)}
    dated = rows[rows["placed"] != "undated"]
    for amount, g in dated.groupby("amount"):
        slots = sorted(set(g["slot"]), key=period_key)
        if len(slots) < 2 or (g.groupby("source_id")["slot"].nunique() > 1).any():
            continue
        support = {s: g.loc[g["slot"] == s, "source_id"].nunique() for s in slots}
        major = max(slots, key=lambda s: (support[s], period_key(s)))
        for s in slots:
            if s == major or abs(order[s] - order[major]) != 1:
                continue
            earlier, later = sorted((s, major), key=period_key)
            knew = g.loc[g["slot"] == earlier, "known_from"]
            if not (knew >= period_span(later)[0].isoformat()).any():
                continue  # written before the later period began: a value that held then, not a misdated one
            moved = (rows["slot"] == s) & (rows["amount"] == amount)
            rows.loc[moved, "slot"] = major
            rows.loc[moved, "placed"] = "period"
    # an undated figure counts for the latest period its source could know
    slots = sorted(set(rows.loc[rows["placed"] != "undated", "slot"]), key=period_key)
    for i in rows.index[rows["placed"] == "undated"]:
        known = rows.at[i, "known_from"]
        known = dt.date.fromisoformat(known) if known else dt.date.max
        candidates = [p for p in slots if period_key(p)[0] <= known]
        rows.at[i, "slot"] = candidates[-1] if candidates else ""
    own = rows["placed"] != "period"  # another period's reading of a value keeps its own amount
    rows["version"] = rows["amount"].astype(float)
    if own.any():
        rows.loc[own, "version"] = rounding.versions(rows[own])
    return rows
