"""The top of the page: headline, dek and the "Latest" block, computed from the data's current state.

How the lead is chosen (also in the README): every event, every change of a party's status and every
figure whose value changed over time is a development, dated. The newest LATEST_COUNT are shown,
newest first, at most PER_DAY from any one day (the heaviest: a figure update or status change, then an
event the curators labelled as key, then the most widely reported); an event and the status change or
figure update it reports (same day, same party, a shared source) count once. The headline names the deal; once the
newest key event is more than a month after the deal, it leads with that event instead.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..data import fmt
from ..data.dataset import Dataset

LATEST_COUNT = 6
PER_DAY = 2  # so that one busy day cannot crowd out the rest of the year
MOVED_ON_DAYS = 31  # after this the story has moved on from the deal and the headline leads with the newest key event


def deal_date(d: Dataset) -> str | None:
    """When the deal became public: the earliest source that states Meta's investment."""
    rows = d.figures[d.figures["metric"] == "meta_investment_usd"]
    return min(rows["known_from"]) if len(rows) else None


def edition_date(d: Dataset) -> str:
    """The day the edition is current to: AS_OF, else the latest date anywhere in the data."""
    if d.as_of:
        return d.as_of
    dates = list(d.events["date"]) + list(d.relationships["_first"]) + list(d.sources["known_from"])
    return max(dates) if dates else ""


def developments(d: Dataset) -> list[dict]:
    """Every dated development: events, status changes, figure updates (unsorted)."""
    out = []
    for _, r in d.events.iterrows():
        out.append({"date": r["date"], "when": fmt.event_date_text(r), "text": r["description"],
                    "source_ids": r["source_list"], "weight": (3 if r.get("label") else 1) + min(len(r["source_list"]), 5) / 5,
                    "party": r["actor"], "kind": "event"})
    for h in d.status_histories():  # a party's history moving on: each moment whose lead status differs from the one before
        for before, m in zip(h.moments, h.moments[1:]):
            prev, r = before.lead, m.lead
            if r["status"] != prev["status"]:
                out.append({"date": r["_first"], "when": r["when"], "source_ids": r["source_list"], "party": h.key, "kind": "status",
                            "status": r["status"], "prev_status": prev["status"], "evidence": r["evidence"], "prev_evidence": prev["evidence"],
                            "prev_when": prev["when"], "text": f"{h.key}: {prev['status']} \u2192 {r['status']} ({r['evidence']})",
                            "weight": 3 + (r["direction"] != "neutral")})
    for metric in dict.fromkeys(d.figures["metric"]):
        f = d.fact(metric)
        prev = f.previous if f else None
        if prev is None:
            continue
        rows = d.figures[d.figures["metric"] == metric]
        date = f.period if len(f.period) == 10 else min(rows[rows["source_id"].isin(f.source_ids)]["known_from"])
        out.append({"date": date, "when": fmt.date_text(date), "source_ids": list(f.source_ids), "party": f.entity, "kind": "figure",
                    "text": f"{f.label}: {prev.text()} \u2192 {f.text()}" + (f" ({f.period_text()})" if f.period else ""), "weight": 3.5,
                    "label": f.label, "value": f.text(), "previous": prev.text(), "up": f.amount > prev.amount})
    return out


def latest(d: Dataset, count: int = LATEST_COUNT) -> list[dict]:
    """The developments the page leads with, newest first (see the module docstring for the rule)."""
    items = sorted(developments(d), key=lambda i: (_desc(i["date"]), -i["weight"]))
    chosen: list[dict] = []
    for item in items:
        same_day = [c for c in chosen if c["date"] == item["date"]]
        # one development reported as an event and as a status change or figure update: keep the heavier (it sorts first)
        if any(c["kind"] != item["kind"] and set(c["source_ids"]) & set(item["source_ids"]) and _same_party(c["party"], item["party"]) for c in same_day):
            continue
        if len(same_day) >= PER_DAY:
            continue
        chosen.append(item)
        if len(chosen) == count:
            break
    return chosen


def _same_party(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)  # "OpenAI (spokesperson)" reports OpenAI's status change


def _desc(date: str) -> tuple:
    return tuple(-ord(c) for c in date)


def months_between(a: str, b: str) -> int:
    x, y = dt.date.fromisoformat(a), dt.date.fromisoformat(b)
    return (y.year - x.year) * 12 + y.month - x.month - (y.day < x.day)


def newest_key_event(d: Dataset) -> pd.Series | None:
    labelled = d.events[d.events["label"] != ""] if "label" in d.events else d.events.iloc[0:0]
    return None if labelled.empty else labelled.sort_values(["date", "event_id"]).iloc[-1]


def moved_on(d: Dataset) -> bool:
    """Whether the story has moved on from the deal: its newest key event is more than MOVED_ON_DAYS after it."""
    start, key = deal_date(d), newest_key_event(d)
    return bool(start and key is not None and (dt.date.fromisoformat(key["date"]) - dt.date.fromisoformat(start)).days > MOVED_ON_DAYS)


def headline(d: Dataset) -> str:
    """The edition's headline: the deal, or once the story has moved on, the newest key event and the deal behind it."""
    inv, stake = d.fact("meta_investment_usd"), d.fact("meta_stake_pct")
    if not (inv and stake):
        return "Meta and Scale AI: nothing reported yet" if d.empty else "Meta weighs a stake in Scale AI"
    deal = f"Meta paid {inv.text(short=True)} for {stake.text()} of Scale AI"
    if moved_on(d):
        start, key = deal_date(d), newest_key_event(d)
        months = months_between(start, key["date"])
        return f"{key['label']}, {months} month{'s' if months != 1 else ''} after {deal}"
    return deal + (". Clients that compete with Meta began pulling away." if not d.pulling_back().empty else "")


def dek(d: Dataset) -> str:
    """The one sentence under the headline: where Scale AI's clients stand now."""
    movers = d.movers()
    away, toward = int((movers["direction"] == "away").sum()), int((movers["direction"] == "toward").sum())
    if d.empty:
        return "Nothing about Meta and Scale AI had been reported by this date."
    if not (away or toward):
        return "No client of Scale AI has been reported moving away from it."
    count = {1: "One", 2: "Two", 3: "Three", 4: "Four", 5: "Five"}.get(away, str(away)) if away else "None"
    verb = "was" if away == 1 else "were"
    rest = f"; {toward} {'was' if toward == 1 else 'were'} reported moving toward it" if toward else ""
    return f"{count} of Scale AI's clients {verb} last reported moving away from it{rest}."
