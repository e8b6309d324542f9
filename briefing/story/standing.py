"""The story's body from the data's current state: where each party stands (told from its history, so it cannot go
stale), the heading that says so, the developments since the deal, and what to watch (data/watch.csv).

- standing: a party's latest status with what came before, dated, at its evidence level ("Google, reported in June
  2025 to be planning to cut ties with Scale, said on February 2, 2026 that it is staying with Scale").
- heading: "Who is pulling away" while clients only move away (or toward Scale at the deal itself); "Who stayed, who
  left" once a client has moved toward Scale after the deal too.
- since the deal: the developments after the deal that Latest does not already show, oldest first, grouped as Latest
  groups them (an event and the figure or status it reports are one), at most STORY_SINCE.
- what to watch: watch.csv's items whose premises hold; the unconfirmed moves the story tells, as questions, when
  none does.
"""

from __future__ import annotations

import pandas as pd

from ..data import fmt
from ..data.dataset import Dataset
from ..data.history import History
from .lead import MOVED_ON_DAYS, deal_date, latest, moved_on, newest_first
from .outlets import reporting
from .ranking import STORY_LATEST, SURE, reports, story_latest

STORY_PARTIES = 6  # party sentences the story tells beyond its hand-written ones; the chart and appendix have all
STORY_SINCE = 6


def _month(iso: str) -> str:
    return fmt.date_text(iso, "month")


def _by(d: Dataset, ids: list[str]) -> str:
    """Who reported it, for a sentence: 'Reuters', 'Reuters and Bloomberg', else 'two reports'."""
    r = reporting(d, ids)
    if r.outlets and len(r.outlets) <= 2:
        return " and ".join(r.outlets)
    return reports(max(1, len(r.outlets) + r.n_credited + r.unnamed))


def _agreeing_sources(m) -> list[str]:
    lead = m.lead
    same = m.rows[m.rows["status"] == lead["status"]]
    return list(dict.fromkeys(s for lst in same["source_list"] for s in lst))


def standing(d: Dataset, h: History) -> dict:
    """One sentence on where a party stands now, from its history: {party, text, source_ids, date}."""
    cur = h.current
    r = cur.lead
    phrase = d.status_phrase(r["status"])
    ids = _agreeing_sources(cur)
    if cur.disputed:
        parts = []
        for direction in dict.fromkeys(cur.rows["direction"]):
            g = cur.rows[cur.rows["direction"] == direction].iloc[0]
            parts.append(f"{d.status_phrase(g['status'])} ({SURE.get(g['evidence'], g['evidence'])})")
        text = f"Accounts of {h.key} {fmt.on(cur.when())} differ: it is {' or '.join(parts)}"
        ids = list(dict.fromkeys(s for lst in cur.rows["source_list"] for s in lst))
    elif r["evidence"] == "confirmed":
        text = f"said {fmt.on(r['when'])} that it is {phrase}"
    elif r["evidence"] == "reported":
        text = f"is {phrase}, {_by(d, ids)} reported {fmt.on(r['when'])}"
    else:
        text = f"was said {fmt.on(r['when'])}, without attribution, to be {phrase}"
    listings = d.listings()  # a listing ('named among Scale's clients') is no earlier stance to tell
    before = [m for m in h.moments[:-1] if m.lead["status"] != r["status"] and m.lead["status"] not in listings]
    if before and not cur.disputed:
        p = before[-1].lead
        was = d.status_phrase(p["status"])
        prev = {"confirmed": f"which said in {_month(p['_first'])} that it was {was}",
                "reported": f"reported in {_month(p['_first'])} to be {was}",
                "rumoured": f"described without attribution in {_month(p['_first'])} as {was}"}.get(p["evidence"], was)
        text = f"{h.key}, {prev}, {text}"
        ids = list(dict.fromkeys(ids + _agreeing_sources(before[-1])))
    elif not cur.disputed:
        text = f"{h.key} {text}"
    return {"party": h.key, "text": text + ".", "source_ids": ids, "date": cur.first}


def to_tell(d: Dataset, roles: list[str], told: set[str]) -> tuple[list[dict], int]:
    """The party sentences the story adds for these roles: every party that has moved (its latest status points away
    from Scale, or toward it after the deal: Dataset.movers) or whose status changed after the deal, not already told by a hand-written
    sentence whose premise holds; surest and newest first; at most STORY_PARTIES, and how many more."""
    start = deal_date(d) or ""
    m = d.movers(tuple(roles))
    movers = set(m.loc[(m["direction"] == "away") | (m["_first"] > start), "party"])  # a move toward Scale at the deal itself is the deal
    hs = [h for h in d.status_histories(roles) if h.key not in told
          and (h.key in movers or (len(h.moments) > 1 and h.current.first > start))]
    hs.sort(key=lambda h: (h.current.lead["_ev"], newest_first(h.current.first), h.key))
    return [standing(d, h) for h in hs[:STORY_PARTIES]], max(0, len(hs) - STORY_PARTIES)


def clients_heading(d: Dataset, roles: tuple[str, ...] | None = None) -> str:
    """The section's heading follows the state: pulling away, or both ways once a client moved toward Scale after the deal."""
    movers = d.movers(roles)
    start = deal_date(d) or ""
    away = (movers["direction"] == "away").any()
    back = ((movers["direction"] == "toward") & (movers["_first"] > start)).any()
    if away and back:
        return "Who stayed, who left"
    if back:
        return "Who is moving closer"
    return "Who is pulling away" if away else d.story.text("clients_stand")


def since_the_deal(d: Dataset) -> tuple[list[dict], int]:
    """The events and figure updates since the deal's first month that Latest does not show, oldest first (a party's
    status change is told where the story says where it stands): empty until the story has moved on."""
    if not moved_on(d):
        return [], 0
    items = story_latest(d, deal_date(d))
    start = first_month_end(d)
    rest = [i for i in items[STORY_LATEST:] if i["kind"] != "status" and i["date"] > start]
    rest.sort(key=lambda i: (i["date"], -i["weight"]))
    return rest[:STORY_SINCE], max(0, len(rest) - STORY_SINCE)


def first_month_end(d: Dataset) -> str:
    """The last day of the deal's own weeks (MOVED_ON_DAYS after it became public): what comes after is the year since."""
    return (pd.Timestamp(deal_date(d)) + pd.Timedelta(days=MOVED_ON_DAYS)).date().isoformat() if deal_date(d) else ""


def span_months(d: Dataset) -> int:
    """How many months the story spans, from the deal to its newest development."""
    start = deal_date(d)
    items = latest(d, count=1)
    if not start or not items:
        return 0
    a, b = pd.Timestamp(start), pd.Timestamp(items[0]["date"])
    return (b.year - a.year) * 12 + b.month - a.month
