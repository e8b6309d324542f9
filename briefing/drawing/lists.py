"""The story's lists: by the numbers, each party's statuses in date order, the events by day."""

from __future__ import annotations

import datetime as dt
from html import escape

import pandas as pd

from ..data import fmt
from ..data.dataset import Dataset
from ..story.ranking import SURE
from .citations import cite, plain_ids
from .markup import HTML
from .timeline import timeline_order


def numbers_panel(d: Dataset) -> HTML:
    """'By the numbers': the metrics metrics.csv marks to lead, current values with their dates and changes, each cited."""
    cells = []
    for metric in d.lead_metrics():
        f = d.fact(metric)
        if not f:
            continue
        when = f" ({escape(f.period_text())})" if f.period else ""
        prev = f.previous
        change = ""
        if prev is not None:
            change = f'<span class="change">up from {escape(prev.text(True))}' if prev.amount < f.amount else f'<span class="change">down from {escape(prev.text(True))}'
            change += (f" ({escape(prev.period_text())})" if prev.period else "") + cite(d, prev.source_ids) + "</span>"
        big = f.text(short=True)
        cells.append(f'<div class="num"><span class="big{" long" if len(big) > 9 else ""}">{escape(big)}</span>'
                     f'<span class="what">{escape(f.label)}{when}{cite(d, f.source_ids)}</span>{change}</div>')
    parties = d.pulling_back()
    if len(parties):
        cells.append(f'<div class="num"><span class="big">{len(parties)}</span><span class="what">clients whose latest reported move is away from Scale AI'
                     f'{cite(d, [s for lst in parties["source_list"] for s in lst])}</span></div>')
    if not cells:
        return HTML("")
    return HTML(f'<section class="numbers" aria-labelledby="numbers-h"><h2 id="numbers-h">By the numbers</h2><div class="grid">{"".join(cells)}</div></section>')


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
        for m in h.moments:
            voices = []
            for direction in dict.fromkeys(m.rows["direction"]):
                g = m.rows[m.rows["direction"] == direction]
                r = g.iloc[0]
                when = f"undated, public by {r['when']}" if r.get("as_of_basis", "") == "undated" else r["when"]
                voices.append(f'{escape(d.status_phrase(r["status"]))} <span class="ev-{escape(r["evidence"])}">'
                              f'({escape(EVIDENCE_WORDS.get(r["evidence"], r["evidence"]))}; {escape(when)})</span>'
                              f'{_cite_by_date(d, [s for lst in g["source_list"] for s in lst], _last_day(d, r))}')
            step = voices[0] if len(voices) == 1 else "accounts differ: " + " or ".join(voices)
            steps.append(step)
        if len(steps) > 1:
            steps[-1] += ' <span class="latest">latest</span>'
        records.setdefault(tuple(steps), []).append(h.key)
    items = []
    for steps, parties in list(records.items())[:MAX_PARTIES]:
        if len(parties) == 1:
            items.append(f"<li><strong>{escape(parties[0])}</strong>: {ARROW.join(steps)}.</li>")
        else:
            items.append(f"<li><strong>{escape(', '.join(parties[:-1]) + ' and ' + parties[-1])}</strong>, each: {steps[0]}.</li>")
    more = (f'<p class="more">\u2026 and {len(records) - MAX_PARTIES:,} more (every status is in the CSV downloads).</p>') if len(records) > MAX_PARTIES else ""
    return HTML(f'<ul class="status-list">{"".join(items)}</ul>{more}')


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
    days: dict[str, list[str]] = {}
    for _, r in shown.iterrows():
        days.setdefault(fmt.event_date_text(r), []).append(
            f'<li><span class="status status-{escape(r["status"])}">{escape(r["status"])}</span> '
            f'{plain_ids(d, r["description"])}{cite(d, r["source_list"])}</li>')
    first = dict(zip(shown.apply(fmt.event_date_text, axis=1), shown["date"]))
    items = [f'<li><time datetime="{escape(first[when])}">{escape(when)}</time><ul>{"".join(lis)}</ul></li>' for when, lis in days.items()]
    cut = (f'<p class="more">The {len(ev) - len(shown):,} oldest of {len(ev):,} events are not listed here '
           f"(every event is in the CSV download above).</p>") if len(ev) > len(shown) else ""
    return HTML(f'{cut}<ol class="event-list">{"".join(items)}</ol>')
