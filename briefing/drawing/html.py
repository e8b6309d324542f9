"""What the notebooks display: prose with computed figures and citations, charts, lists, tables.

Every object renders itself as HTML (Jupyter's _repr_html_). All data text is escaped here,
so a CSV cell can never become markup, script or math.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import urllib.parse
from html import escape

import pandas as pd

from ..data import fmt
from ..data.dataset import Dataset
from ..data.periods import place_figures
from ..story.ranking import SURE
from .chartkit import Chart
from .copydesk import place_citations
from .timeline import timeline_order

MAX_LIST = 40  # long lists show the first rows and "and N more"


class HTML:
    """A block of trusted markup built from escaped parts."""

    def __init__(self, html: str, stale: list[dict] | None = None, told: set[str] | None = None):
        self.html = html
        self.stale = stale or []  # sentences withheld because a premise or a figure is missing: reported by the build
        self.told = told or set()  # parties whose standing a printed sentence tells (its status:, direction: or evidence: premises)

    def _repr_html_(self) -> str:
        return f'<div class="briefing-block mathjax_ignore tex2jax_ignore">{self.html}</div>' if self.html else ""

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        from ..story.premises import STALE_MIME

        bundle = {"text/html": self._repr_html_()}
        if self.stale:
            bundle[STALE_MIME] = self.stale
        return bundle

    def __str__(self) -> str:
        return self.html


def cite(d: Dataset, source_ids) -> str:
    """Numbered citation markers linking to the source list: [3, 5]."""
    ids = [source_ids] if isinstance(source_ids, str) else list(source_ids)
    ids = sorted(dict.fromkeys(i for i in ids if i in d.sources.index), key=d.citation_number)  # only this edition's sources
    if not ids:
        return ""
    shown = ids[:4]
    links = ", ".join(
        f'<a href="#src-{escape(i)}" title="{escape(_source_label(d, i))}">{d.citation_number(i)}</a>' for i in shown
    )
    more = f", +{len(ids) - len(shown)}" if len(ids) > len(shown) else ""
    return f'<sup class="cite">[{links}{more}]</sup>'


def _source_label(d: Dataset, source_id: str) -> str:
    from ..story.outlets import outlet_name  # the caveat travels with an outlet only the collection's README names

    s = d.all_sources.loc[source_id]
    return f"{source_id}: {outlet_name(s) or s['headline'] or s['document']}"


def id_pattern(d: Dataset) -> re.Pattern:
    """Any of the data's source ids as a whole word (longest first, so 'agg-1' never matches inside 'agg-14')."""
    ids = sorted(map(str, d.all_sources.index), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ids)) + r")(?![\w-])") if ids else re.compile(r"(?!x)x")


def plain_ids(d: Dataset, text: str) -> str:
    """A curated text, escaped, with any source id in it ('agg-14's version') turned into its citation number:
    readers see numbers that link to the sources, never the data's ids."""
    def number(m: re.Match) -> str:
        sid = m.group(1)
        if sid not in d.sources.index:  # not yet published in this edition (an early AS_OF): nothing to link to
            return "a later source"
        return f'source <a href="#src-{sid}">[{d.citation_number(sid)}]</a>'
    return id_pattern(d).sub(number, escape(text))


_OPTIONAL = re.compile(r"\[\[(.*?)\]\]")
_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)(?:([.:])([a-z0-9_\-+]+))?\}")


def _resolve(d: Dataset, name: str, sep: str | None, arg: str | None) -> tuple[str, list[str]] | None:
    """A placeholder's text and the sources behind it (cited where its clause ends: copydesk.place_citations)."""
    if name == "as_of":
        return (escape(fmt.date_text(d.as_of)), []) if d.as_of else None
    if name == "date" and sep == ":":
        ev = d.event(arg)
        return None if ev is None else (escape(fmt.event_date_text(ev)), list(ev["source_list"]))
    if name == "count" and sep == ":":
        counts = {"events": len(d.events), "sources": len(d.sources), "figures": len(d.figures),
                  "clients_pulling_back": len(d.pulling_back())}
        return (fmt.prose(counts[arg], "count"), []) if counts.get(arg) else None
    if name == "src" and sep == ":":  # the sources of the rows a sentence's facts come from: {src:ev-a+cl-b}
        ids = [s for row_id in arg.split("+") for s in d.row_sources(row_id)]
        return ("", ids) if ids else None
    if name == "cite" and sep == ":":
        return ("", [arg]) if arg in d.sources.index else None
    if name == "share" and sep == ":":
        num, den = (d.fact(m) for m in arg.split("-per-"))
        if not (num and den) or not den.amount:
            return None
        return escape(fmt.share(num.amount / den.amount)), []
    fact = d.fact(name)
    if fact is None:
        return None
    if arg == "versions":
        return versions_text(d, name), []  # each value keeps its own sources: they are what tells the versions apart
    if sep == ".":
        value = {"period": escape(fact.period_text()) or None, "n": fmt.prose(fact.n_sources, "count"),
                 "total": fmt.prose(fact.n_total, "count"), "label": escape(fact.label)}[arg]
        return (value, []) if value else None
    value = (fact.history or (fact,))[0] if arg == "first" else fact  # first: the earliest period's, for the deal itself
    if arg == "short":
        return escape(value.text(short=True)), list(value.source_ids)
    qualifier = f"{value.qualifier} " if value.qualifier else ""
    if arg == "verb" and value.unit == "multiple":  # 'demand {x:verb} overnight': 'tripled'
        return escape(qualifier + fmt.multiplied(value.amount)), list(value.source_ids)
    return escape(qualifier + fmt.prose(value.amount, value.unit)), list(value.source_ids)  # running text: 'five sources', 'two weeks'


def versions_text(d: Dataset, metric: str) -> str:
    """Every distinct value sources give for a metric, each with its qualifier, period and citations:
    '$150 million (for 2024) [15] or at least $120 million [7]'."""
    rows = place_figures(d.figures[d.figures["metric"] == metric])
    restating = rows["version"].notna() & (rows["version"] != rows["amount"])  # a rounding of a value is cited with it
    rows, restated = rows[~restating], rows[restating]
    parts, cited = [], set()
    for (amount, qualifier), grp in sorted(rows.groupby(["amount", "qualifier"]),
                                           key=lambda kv: (-kv[1]["source_id"].nunique(), (kv[1]["period"] == "").all(), kv[0])):
        text = (f"{qualifier} " if qualifier else "") + fmt.number(amount, grp.iloc[0]["unit"])
        periods = sorted({fmt.period_text(p) for p in grp["period"] if p})
        if periods:
            text += f" (for {' or '.join(periods)})"
        also = [] if amount in cited else list(restated.loc[restated["version"] == amount, "source_id"])
        cited.add(amount)
        parts.append(escape(text) + cite(d, list(grp["source_id"]) + also))
    return " or ".join(parts)


def say(d: Dataset, *sentences) -> HTML:
    """A paragraph whose {placeholders} are filled from the data, each figure's citations at the end of its clause
    (copydesk.place_citations).

    {metric} is the current value as running text says it (small counts and durations in words: fmt.prose);
    {metric:short} in chart style; {metric:verb} a multiple as a verb ('tripled'); {metric.period}; {metric.label};
    {metric.n} (its sources, in words); {metric:first} (the earliest period's value); {metric:versions} (every value,
    for disputed figures); {share:a-per-b}; {date:event-id}; {cite:source-id}; {src:row-id+row-id}; {as_of}; [[...]] a side
    detail, dropped when its figure is missing. A sentence
    may be a tuple (sentence, premise, ...) (see briefing.premises). A sentence whose premise no longer holds, or whose
    figure is missing in this edition (e.g. an early AS_OF), is withheld and reported, never printed with a gap.
    """
    from ..story.premises import check

    out, stale, told = [], [], set()
    for item in sentences:
        sentence, *premises = (item,) if isinstance(item, str) else item
        original = sentence
        reasons = [r for r in (check(d, p) for p in premises) if r]
        # [[...]]: a side detail (Wang's age) dropped when its figure is missing, never withholding the sentence's main fact
        sentence = _OPTIONAL.sub(lambda m: m.group(1) if all(_resolve(d, *p.groups()) is not None for p in _PLACEHOLDER.finditer(m.group(1))) else "", sentence)
        parts, pos = [], 0
        for m in [] if reasons else _PLACEHOLDER.finditer(sentence):
            value = _resolve(d, *m.groups())
            if value is None:
                reasons.append(f"nothing in this edition for {{{''.join(x or '' for x in m.groups())}}}")
                break
            parts += [(escape(sentence[pos:m.start()]), None), value]
            pos = m.end()
        if reasons:
            stale.append({"sentence": original, "reason": "; ".join(dict.fromkeys(reasons))})
            continue
        parts.append((escape(sentence[pos:]), None))
        out.append(place_citations(parts, lambda ids: cite(d, ids)))
        told |= {p.split(":", 1)[1].split("=")[0].rstrip("!").strip() for p in premises if p.split(":", 1)[0] in ("status", "direction", "evidence")}
    return HTML(f"<p>{' '.join(out)}</p>" if out else "", stale, told)


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


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


def csv_safe(value):
    """A cell a spreadsheet will not run (OWASP CSV injection): text starting with = + - @ tab or CR gets a
    leading ' so it stays text. Numbers, and text that is only a number, are left as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_data_uri(df: pd.DataFrame) -> str:
    """The frame as a CSV download; what the page shows is unchanged (only the download is neutralised)."""
    safe = df.copy()
    safe.columns = [csv_safe(str(c)) for c in safe.columns]
    for col in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[col]):
            safe[col] = safe[col].map(csv_safe)
    return "data:text/csv;charset=utf-8," + urllib.parse.quote(safe.to_csv(index=False, lineterminator="\n"))


SOURCE_COLUMNS = ("source_ids", "source_id", "sources")  # shown as citation numbers on the page; the CSV keeps the ids


def table(df: pd.DataFrame, caption: str, limit: int = MAX_LIST, cls: str = "data", d: Dataset | None = None) -> str:
    """An accessible HTML table of a frame (escaped), first `limit` rows and a note of the rest; with the Dataset,
    a column of source ids reads as citation numbers linking to the sources."""
    head = "".join(f'<th scope="col">{escape("sources" if d is not None and str(c) in SOURCE_COLUMNS else str(c).replace("_", " "))}</th>' for c in df.columns)
    src_cols = {i for i, c in enumerate(df.columns) if d is not None and str(c) in SOURCE_COLUMNS}

    def cell(i, v):
        if i in src_cols and isinstance(v, str):
            return cite(d, [x.strip() for x in v.split(";")]).replace('<sup class="cite">', "").replace("</sup>", "") or ""
        return escape(_cell(v))
    body = "".join("<tr>" + "".join(f"<td>{cell(i, v)}</td>" for i, v in enumerate(row)) + "</tr>" for row in df.head(limit).itertuples(index=False))
    more = f'<p class="more">… and {len(df) - limit:,} more row{"s" * (len(df) - limit != 1)} in the CSV.</p>' if len(df) > limit else ""
    return f'<div class="table-wrap"><table class="{cls}"><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>{more}'


def _cell(v) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return ""  # a missing value is an empty cell, never "nan" (screen readers read it out)
    if isinstance(v, float):
        return f"{v:,.0f}" if v >= 1000 else f"{v:g}"
    return str(v)


def chart_block(d: Dataset, chart: Chart, data_html: HTML | None = None, table_in_appendix: bool = False, appendix_anchor: str = "") -> HTML:
    """The chart with its title, subtitle, sources, CSV download and its data as a table, or data_html
    (a list that is printed on paper too, since paper has no tooltips). table_in_appendix: a story chart links to
    its table in the appendix (chart_table, or appendix_anchor: the part that lists its data) instead of carrying it,
    so the story stays short."""
    shown = [s for s in chart.source_ids if s in d.sources.index]  # only sources this edition lists
    src = ", ".join(f'<a href="#src-{escape(s)}">{d.citation_number(s)}</a>' for s in shown)
    if chart.empty_message:
        return HTML(f'<figure class="chart" id="chart-{chart.name}"><p class="empty">{escape(chart.empty_message)}</p></figure>')
    name = f"{chart.name}.csv"
    return HTML(
        f'<figure class="chart" id="chart-{chart.name}" aria-labelledby="chart-{chart.name}-title">'
        f'<h3 class="chart-title" id="chart-{chart.name}-title">{escape(chart.title)}</h3>'
        f'<p class="chart-subtitle">{escape(chart.subtitle)}</p>'
        f'<div class="chart-image" role="img" aria-label="{escape(chart.alt)}">{chart.svg}</div>'
        f'<figcaption><span class="chart-sources">Sources: {src}.</span> '
        f'<a class="download" download="{name}" href="{csv_data_uri(chart.data)}">Download the data behind this chart (CSV)</a>'
        + (f' · <a class="to-table" href="#{appendix_anchor or f"data-{chart.name}-table"}">The data as {"a list" if appendix_anchor else "a table"}, in the appendix</a>'
           if table_in_appendix else "") + "</figcaption>"
        + (f'<details class="chart-data{" full-list" if data_html else ""}"><summary>{"Show the events as a list" if data_html else "Show the data as a table"}</summary>'
           f'{data_html or table(chart.data, chart.title, d=d)}</details>' if not table_in_appendix else "")
        + "</figure>"
    )
