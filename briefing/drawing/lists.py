"""The story's lists: by the numbers, each party's statuses in date order, the events by day."""

from __future__ import annotations

import datetime as dt
from html import escape

import pandas as pd
from markupsafe import Markup

from ..data import fmt
from ..data.dataset import Dataset
from ..story.ranking import SURE
from .citations import cite
from .markup import HTML, render
from .timeline import timeline_order


def numbers_panel(d: Dataset) -> HTML:
    """'By the numbers': the metrics metrics.csv marks to lead, current values with their dates and changes, each cited."""
    facts = [f for f in map(d.fact, d.lead_metrics()) if f]
    parties = d.pulling_back()
    if not facts and not len(parties):
        return HTML("")
    return HTML(render("numbers", d=d, facts=facts, pulling_back=len(parties), pulling_back_sources=[s for lst in parties["source_list"] for s in lst]))


EVIDENCE_WORDS = SURE  # how sure, after the status phrase (story.ranking.SURE); no verb, so it reads for one party or many


ARROW = " \u2192 "  # one moment of a party's history to the next
MAX_PARTIES = 25  # entries per status list (the June 2025 edition has 18 parties in all); the CSVs have every status


def status_list(d: Dataset, roles: list[str]) -> HTML:
    """Each party's history in these roles (data.history), oldest first: one step per moment, its lead status with how
    sure it is and when, citing the accounts that agree with it; a moment whose accounts differ gives each; undated
    commentary is marked and never reads as the latest. Parties whose whole record is the same single step are listed
    together under it."""
    histories = d.status_histories(roles)
    if not histories:
        return HTML("<p>Nothing had been reported about them by this date.</p>")
    records: dict[tuple, list[str]] = {}  # the steps' text -> the parties with exactly that record
    for h in sorted(histories, key=lambda h: (h.moments[0].first, h.key)):
        steps = []
        for i, m in enumerate(h.moments):
            voices = []
            for direction in dict.fromkeys(m.rows["direction"]):
                g = m.rows[m.rows["direction"] == direction]
                r = g.iloc[0]
                voices.append({"phrase": d.status_phrase(r["status"]), "evidence": r["evidence"], "sure": EVIDENCE_WORDS.get(r["evidence"], r["evidence"]),
                               "when": f"undated, public by {r['when']}" if r.get("as_of_basis", "") == "undated" else r["when"],
                               "citations": Markup(_cite_by_date(d, [s for lst in g["source_list"] for s in lst], _last_day(d, r)))})
            steps.append(render("status_step", voices=voices, latest=len(h.moments) > 1 and i == len(h.moments) - 1))
        records.setdefault(tuple(steps), []).append(h.key)
    return HTML(render("status_list", records=list(records.items())[:MAX_PARTIES], more=len(records) - MAX_PARTIES, arrow=ARROW))


def _last_day(d: Dataset, row: pd.Series) -> str:
    """The last day a status can date from: its event's window end, else its as_of."""
    ev = d.event(row["event_id"]) if row.get("event_id", "") else None
    if ev is None:
        return row["as_of"]
    if ev["date_precision"] == "week" and not ev.get("date_until"):  # a week without its end: seven days (fmt.date_text)
        return (dt.date.fromisoformat(ev["date"]) + dt.timedelta(days=6)).isoformat()
    return ev.get("date_until") or ev["date"]


def _cite_by_date(d: Dataset, sources: list[str], last_day: str) -> str:
    """A step's citations; a text that can only have been public later is cited under its own date, never merged
    under the step's ('(and in texts known from June 18, 2025 [..])')."""
    known = d.sources["known_from"]  # this edition's sources only, as cite() shows them
    sources = [s for s in sources if s in known.index]
    later: dict[str, list[str]] = {}
    for s in dict.fromkeys(sources):
        if s in known.index and known[s] > last_day:  # a month-only text is known from its month, never from its first day
            published = d.sources.at[s, "published"] if "published" in d.sources else ""
            later.setdefault(published if len(str(published)) == 7 and known[s].startswith(str(published)) else known[s], []).append(s)
    then = [s for s in sources if not any(s in v for v in later.values())]
    return (cite(d, then) if then else "") + "".join(
        f" ({'and ' if then else ''}in {'texts' if len(ids) > 1 else 'a text'} known from {escape(fmt.period_text(day))}{cite(d, ids)})"
        for day, ids in sorted(later.items()))


MAX_EVENT_LIST = 150  # the event list is complete up to here; beyond, the newest are listed and the page says how many are not


def event_list(d: Dataset, event_types: list[str] | None = None, actors: list[str] | None = None, limit: int = MAX_EVENT_LIST) -> HTML:
    """Events as a readable list, oldest first (the timeline without the image); complete unless there are more than `limit`."""
    ev = d.events
    if event_types:
        ev = ev[ev["event_type"].isin(event_types)]
    if actors:
        ev = ev[ev["actor"].map(lambda a: a.startswith(tuple(actors)))]
    if ev.empty:
        return HTML("<p>No events of this kind had been reported by this date.</p>")
    ev = timeline_order(ev)  # the chart's order: within a day, the announcement before the reports of it
    shown = ev.tail(limit)  # if cut, the oldest go: the newest news is never the part left out
    days: dict[str, list[dict]] = {}
    for _, r in shown.iterrows():
        days.setdefault(fmt.event_date_text(r), []).append({"status": r["status"], "description": r["description"], "source_list": r["source_list"]})
    dates = dict(zip(shown.apply(fmt.event_date_text, axis=1), shown["date"]))  # a day's datetime: its last event's date
    return HTML(render("event_list", d=d, days=[{"when": when, "date": dates[when], "events": rows} for when, rows in days.items()],
                       cut=len(ev) - len(shown), total=len(ev)))
