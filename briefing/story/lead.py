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

from ..data import fmt
from ..data.dataset import Dataset
from ..data.history import evidence_rank

LATEST_COUNT = 6
PER_DAY = 2  # so that one busy day cannot crowd out the rest of the year
MOVED_ON_DAYS = 31  # after this the story has moved on from the deal and the headline leads with the newest key event


def deal_date(d: Dataset) -> str | None:
    """When the deal became public: the earliest source that states the investor's investment (x-story deal.investment)."""
    rows = d.figures[d.figures["metric"] == d.story.deal["investment"]]
    return min(rows["known_from"]) if len(rows) else None


def edition_date(d: Dataset) -> str:
    """The day the edition is current to: AS_OF, else the latest date anywhere in the data."""
    if d.as_of:
        return d.as_of
    dates = list(d.events["date"]) + list(d.relationships["_first"]) + list(d.sources["known_from"])
    return max(dates) if dates else ""


def _minor(r) -> bool:
    return str(r.get("minor", "")).strip().lower() == "yes"


def developments(d: Dataset) -> list[dict]:
    """Every dated development: events, status changes, figure updates (unsorted), each with its weight: a status
    change that moves a party (4) or any other (3), a lead metric's update (3.5) or any other figure's (3), an event
    (1, or 2 with a label, plus up to 1 for how widely it is reported); an event curators mark minor (events.csv
    minor = yes: colour, not news) weighs 0 and never leads."""
    lead_metrics = set(d.lead_metrics())
    out = []
    for _, r in d.events.iterrows():
        weight = 0 if _minor(r) else (2 if r.get("label") else 1) + min(len(r["source_list"]), 5) / 5
        out.append({"date": r["date"], "when": fmt.event_date_text(r), "text": r["description"], "label": r.get("label", ""),
                    "source_ids": r["source_list"], "weight": weight, "party": r["actor"], "kind": "event", "quote": r["quote"],
                    "id": r["event_id"]})
    for h in d.status_histories():  # a party's history moving on: each moment whose lead status differs from the one before
        for before, m in zip(h.moments, h.moments[1:]):
            prev, r = before.lead, m.lead
            if r["status"] != prev["status"]:
                out.append({"date": r["_first"], "when": r["when"], "source_ids": r["source_list"], "party": h.key, "kind": "status",
                            "status": r["status"], "prev_status": prev["status"], "evidence": r["evidence"], "prev_evidence": prev["evidence"],
                            "prev_when": prev["when"], "text": f"{h.key}: {prev['status']} \u2192 {r['status']} ({r['evidence']})",
                            "weight": 3 + (r["direction"] != prev["direction"]), "quote": r["quote"], "event_id": r.get("event_id", ""),
                            "id": r["relationship_id"]})
    for metric in dict.fromkeys(d.figures["metric"]):
        f = d.fact(metric)
        prev = f.previous if f else None
        if prev is None:
            continue
        rows = d.figures[d.figures["metric"] == metric]
        mine = rows[rows["source_id"].isin(f.source_ids) & (rows["amount"] == f.amount)]
        date = f.period if len(f.period) == 10 else min(mine["known_from"] if len(mine) else rows["known_from"])
        out.append({"date": date, "when": fmt.date_text(date), "source_ids": list(f.source_ids), "party": f.entity, "kind": "figure",
                    "text": f"{f.label}: {prev.text()} \u2192 {f.text()}" + (f" ({f.period_text()})" if f.period else ""),
                    "weight": 3.5 if metric in lead_metrics else 3, "label": f.label, "value": f.text(), "previous": prev.text(),
                    "up": f.amount > prev.amount, "quote": mine.iloc[0]["quote"] if len(mine) else "", "id": metric})
    return out


def same_development(a: dict, b: dict) -> bool:
    """An event and the status change or figure update it reports are one development: the status rests on the event
    (event_id), or both are told on the same day by a shared source and one's quote contains the other's (the figure's
    '$500 million' inside the event's sentence), whatever their party names."""
    if a["kind"] == b["kind"] or a["date"] != b["date"]:
        return False
    if a.get("event_id") and a["event_id"] == b.get("id") or b.get("event_id") and b["event_id"] == a.get("id"):
        return True
    if not set(a["source_ids"]) & set(b["source_ids"]):
        return False
    qa, qb = a.get("quote", "").strip(), b.get("quote", "").strip()
    return bool(qa and qb and (qa in qb or qb in qa)) or _same_party(a["party"], b["party"])


def latest(d: Dataset, count: int = LATEST_COUNT) -> list[dict]:
    """The developments the page leads with, newest first (see the module docstring for the rule). An item that is the
    same development as an event keeps the event's label and source list as `merged`."""
    items = sorted(developments(d), key=lambda i: (newest_first(i["date"]), -i["weight"]))
    chosen: list[dict] = []
    for item in items:
        if item["weight"] <= 0:
            continue  # marked minor: colour, not news
        same_day = [c for c in chosen if c["date"] == item["date"]]
        twin = next((c for c in same_day if same_development(c, item)), None)
        if twin is not None:  # one development reported as an event and as a status change or figure update: keep the heavier
            if item["kind"] == "event" and item.get("label"):
                twin["event_label"] = item["label"]
            continue
        if len(same_day) >= PER_DAY:
            continue
        chosen.append(dict(item))
        if len(chosen) == count:
            break
    return chosen


def _same_party(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)  # "OpenAI (spokesperson)" reports OpenAI's status change


def newest_first(date: str) -> tuple:
    """A sort key that puts later ISO dates (or any text) first, for sorting with other keys ascending."""
    return tuple(-ord(c) for c in date)


def months_between(a: str, b: str) -> int:
    x, y = dt.date.fromisoformat(a), dt.date.fromisoformat(b)
    return (y.year - x.year) * 12 + y.month - x.month - (y.day < x.day)


def _verb(evidence: str) -> str:
    return {"confirmed": "says it is", "reported": "is reported to be", "rumoured": "is said to be"}.get(evidence, "is")


def headline_text(d: Dataset, item: dict) -> str:
    """A development as a headline: an event's label where it has one (or the labelled event it is one with), else its
    own words ('Google says it is staying with Scale', 'Ceiling of ... rises to $500M', an event's description)."""
    if item.get("event_label") or item.get("label") and item["kind"] == "event":
        return item.get("event_label") or item["label"]
    if item["kind"] == "status":
        return f"{item['party']} {_verb(item['evidence'])} {d.status_phrase(item['status'])}"
    if item["kind"] == "figure":
        return f"{item['label']} {'rises' if item['up'] else 'falls'} to {item['value']}"
    return item["text"].rstrip(".")


def newest_key_development(d: Dataset) -> dict | None:
    """The newest development after the deal that is not minor, the heaviest of its day; labels name events, they do
    not select them."""
    start = deal_date(d)
    items = [i for i in latest(d, count=50) if start and i["date"] > start and i["weight"] >= 1]
    return items[0] if items else None


def moved_on(d: Dataset) -> bool:
    """Whether the story has moved on from the deal: its newest key development is more than MOVED_ON_DAYS after it."""
    start, key = deal_date(d), newest_key_development(d)
    return bool(start and key is not None and (dt.date.fromisoformat(key["date"]) - dt.date.fromisoformat(start)).days > MOVED_ON_DAYS)


def headline(d: Dataset) -> str:
    """The edition's headline: the deal, or once the story has moved on, the newest key development and the deal behind it."""
    inv, stake = d.fact(d.story.deal["investment"]), d.fact(d.story.deal["stake"])
    if not (inv and stake):
        return d.story.text("headline_empty") if d.empty else d.story.text("headline_no_deal")
    deal = d.story.text("headline_deal", investment=inv.text(short=True), stake=stake.text())
    if moved_on(d):
        start, key = deal_date(d), newest_key_development(d)
        months = months_between(start, key["date"])
        return f"{headline_text(d, key)}, {months} month{'s' if months != 1 else ''} after {deal}"
    return deal + (". " + d.story.text("headline_pulling_away") if not d.pulling_back().empty else "")


def _mover_clause(d: Dataset, r, with_date: bool) -> str:
    phrase = d.status_phrase(r["status"])
    when = f" {fmt.on(r['when'])}" if with_date else ""
    if r["evidence"] == "confirmed":
        return f"{r['party']} confirmed{when} that it is {phrase}"
    if r["evidence"] == "reported":
        return f"{r['party']} is reported to be {phrase}"
    return f"{r['party']} is said, without attribution, to be {phrase}"


def dek(d: Dataset) -> str:
    """The one sentence under the headline: the two or three facts a reader needs most, from the data's current state
    (the surest, newest moves of Scale AI's clients, after the story's own news once it has moved on); never a count."""
    if d.empty:
        return d.story.text("nothing_reported")
    movers = d.movers()
    if movers.empty:
        return d.story.text("no_client_moving")
    start = deal_date(d) or ""
    ranked = movers.assign(_ev=evidence_rank(movers["evidence"]), _after=movers["_first"] > start)
    if moved_on(d):  # a year on: the newest moves, either way, lead, surest first among them
        ranked = ranked.sort_values(["_first", "_ev", "party"], ascending=[False, True, True]).head(3)
    else:  # the deal's own weeks: who is leaving, surest first (a move toward Scale at the deal itself is the deal)
        ranked = ranked[(ranked["direction"] == "away") | ranked["_after"]]
        ranked = ranked.sort_values(["_ev", "_first", "party"], ascending=[True, False, True]).head(2)
    if ranked.empty:
        return d.story.text("no_client_moving")
    clauses = [_mover_clause(d, r, i == 0) for i, (_, r) in enumerate(ranked.iterrows())]
    text = clauses[0] if len(clauses) == 1 else ", ".join(clauses[:-1]) + (", and " if len(clauses) > 2 else " and ") + clauses[-1]
    return text[:1].upper() + text[1:] + "."
