"""The appendix as a reader moves through it: its parts in one list (the contents, the headings, the anchors and the
"back to the story" links all come from PARTS), long parts folded, and the story's chart data as tables a reader reads.

On paper a folded part prints as its summary (briefing.css); the whole record is one click away in the HTML and in
the data package, and the appendix says so once, in print only."""

from __future__ import annotations

import re
from html import escape

import pandas as pd
from markupsafe import Markup

from ..data import fmt
from ..data.dataset import Dataset
from ..story import lead, ranking
from .chartblock import chart_block
from .chartkit import Chart
from .lists import EVIDENCE_WORDS, status_list
from .markup import HTML, render
from .story_blocks import all_statements, statements
from .tables import table

PARTS = (  # (key, title): the appendix in order; each part is #appendix-KEY, listed in the contents and ended by a way back
    ("method", "How this briefing is made"),
    ("disputes", "Where the reporting disagrees"),
    ("claims", "What else the reporting says"),
    ("checks", "Do the numbers add up: the workings"),
    ("figures", "Key figures"),
    ("data", "The data behind the story's charts"),
    ("parties", "Each client, rival and investor, in date order"),
    ("events", "How it unfolded"),
    ("statements", ""),  # x-story's statements_title: it names the subject
    ("changes", "What changed since the last edition"),
)
TITLES = dict(PARTS)
SOURCES_ANCHOR = "sources-h"  # the numbered sources (page.sources_section), the appendix's last part
PRINTED_NOTE = ("On paper the long parts are summarised. Every one is in full one click away in the HTML edition, and in the data "
                "package (the CSV files in data/, which the downloads in the HTML also carry).")


def back_link() -> str:
    """The way out of a part: to the contents, or back to the top of the story."""
    return str(render("back_link"))


def fold(summary: str, body: str, cls: str = "", anchor: str = "") -> Markup:
    """A long block folded under a one-line summary (markup, trusted); on paper only the summary prints."""
    return render("fold", summary=Markup(summary), body=Markup(body), cls=cls, anchor=anchor)


def part(d: Dataset, key: str, *blocks) -> HTML:
    """One part of the appendix: its heading (from PARTS), its blocks, and the way back; nothing if its blocks are empty."""
    body = "".join(str(b) for b in blocks if b is not None and str(b))
    if not body:
        return HTML("")
    return HTML(render("part", key=key, title=TITLES[key] or d.story.text(f"{key}_title"), body=Markup(body)))


def parts_present(d: Dataset, base: str) -> list[tuple[str, str]]:
    """The parts this edition's appendix has: every part always shows something, but the changes only with a base edition."""
    return [(k, t or d.story.text(f"{k}_title")) for k, t in PARTS if k != "changes" or base]


def contents(d: Dataset, base: str) -> str:
    return str(render("contents", parts=parts_present(d, base), sources_anchor=SOURCES_ANCHOR))


def appendix_intro(d: Dataset, base: str = "") -> HTML:
    """The appendix's heading, what it holds, its contents list, and how the briefing is made (folded)."""
    n = {"source": len(d.sources), "event": d.n_events, "figure": len(d.figures), "status report": len(d.relationships)}
    counts = [f"{v:,} {k}{'s' * (v != 1)}" for k, v in n.items()]
    method = part(d, "method", fold("Evidence levels, dates, figures, how the story is chosen, sources", _method(), "method"))
    return HTML(render("appendix_intro", counts=counts, printed_note=PRINTED_NOTE, contents=Markup(contents(d, base)), method=method))


def _method() -> Markup:
    return render("method", moved_on_days=lead.MOVED_ON_DAYS, story_latest=ranking.STORY_LATEST, per_day=lead.PER_DAY)


# ---------------------------------------------------------------- the parties, folded by role


def parties_block(d: Dataset) -> HTML:
    """Each client's, rival's and investor's statuses in date order, one folded list per role, each counted."""
    out = []
    for name, roles in ((d.story.role_headings[k], list(d.story.roles[k])) for k in ("clients", "rivals", "investors")):
        n = d.relationships.loc[d.relationships["role"].isin(roles), "party"].nunique()
        if n:
            out.append(fold(f"{escape(name)} ({n})", str(status_list(d, roles)), "parties"))
    return HTML("".join(out) or "<p>Nothing had been reported about any client, rival or investor by this date.</p>")


def statements_block(d: Dataset, event_types: list[str], actors: list[str]) -> HTML:
    """Every statement by these actors, oldest first, folded under their count."""
    n = len(statements(d, event_types, actors))
    if not n:
        return all_statements(d, event_types, actors)
    who = " and ".join(actors)
    return HTML(fold(f"All {n:,} statement{'s' * (n != 1)} by {escape(who)}, oldest first, with who said it and where", str(all_statements(d, event_types, actors)), "statements"))


# ---------------------------------------------------------------- the story's chart data, as a reader reads it

HEADERS = {  # a chart's data column -> the header a reader sees; a column not named here keeps its name, in words
    "bar": "Figure", "amount_usd": "Amount", "party": "Party", "status": "Status", "reported": "Figures it gave",
    "evidence": "How sure", "when": "When", "source_ids": "Sources", "sources": "Sources", "period": "For", "qualifier": "Hedge",
}
FOLDED_INTO = {"direction", "dated", "shown_as_latest", "n_sources", "metric", "date_from", "date_until"}  # said by another cell
ISO = re.compile(r"\d{4}(-\d\d){0,2}")


def _date(value) -> str:
    """An ISO date or period in words ('June 12, 2025', 'June 2025'); a date already in words stays as it is."""
    return fmt.period_text(value) if isinstance(value, str) and ISO.fullmatch(value) else ("" if value is None else str(value))


def reader_frame(data: pd.DataFrame) -> pd.DataFrame:
    """A chart's data with the words a reader reads: dates as 'June 12, 2025', money as '$14.3B', how sure and when in one
    cell, the latest status marked, and no column that only repeats another (the CSV download keeps every column)."""
    df = data.copy()
    if "bar" in df and "figure" in df:
        df = df.drop(columns="figure")  # "Valuation before the deal" beside "Scale AI's valuation before the deal"
    if "amount_usd" in df:
        df["amount_usd"] = df["amount_usd"].map(lambda v: fmt.money(v, short=True) if pd.notna(v) else "")
    if "evidence" in df:
        df["evidence"] = df["evidence"].map(lambda e: EVIDENCE_WORDS.get(e, e))  # the appendix's words for how sure
    if "shown_as_latest" in df and "status" in df:
        df["status"] = df["status"] + df["shown_as_latest"].map(lambda x: " (latest)" if x == "yes" else "")
    if "date" in df:
        undated = df["dated"].str.startswith("no") if "dated" in df else pd.Series(False, index=df.index)
        df["date"] = [f"undated, public by {_date(v)}" if u else _date(v) for v, u in zip(df["date"], undated)]
        if "evidence" in df:
            df["evidence"] = df["evidence"] + ", " + df["date"]
            df = df.drop(columns="date").rename(columns={"evidence": "How sure, when"})
    if "evidence" in df and "status" in df:  # no date to go with it: how sure goes with the status
        df["status"] = df["status"] + " (" + df["evidence"] + ")"
        df = df.drop(columns="evidence").rename(columns={"status": "Status, how sure"})
    if "period" in df:
        df["period"] = df["period"].map(_date)
    if any(c in df for c in ("source_ids", "sources")):
        df = df.drop(columns=[c for c in FOLDED_INTO if c in df])
    else:
        df = df.drop(columns=[c for c in FOLDED_INTO - {"n_sources"} if c in df])
    return df.rename(columns={c: HEADERS.get(c, str(c).replace("_", " ").capitalize()) for c in df.columns})


def chart_table(d: Dataset, chart: Chart) -> HTML:
    """A story chart's data, for the appendix: folded under the chart's finding, linked from the chart, in a reader's words."""
    if chart.empty_message:
        return HTML("")
    frame = reader_frame(chart.data)
    frame.columns = ["sources" if c == "Sources" else c for c in frame.columns]  # table() turns a sources column into citation numbers
    body = table(frame, chart.title, d=d, cls="data reader").replace('<th scope="col">sources</th>', '<th scope="col">Sources</th>')
    return HTML(fold(escape(chart.title), render("chart_table", name=chart.name, table=Markup(body)), "chart-data", f"data-{chart.name}"))


def folded_chart(d: Dataset, chart: Chart, data_html: HTML | None = None) -> HTML:
    """A chart of the appendix folded under its title (a finding). On paper too it prints as that title: a chart a page
    tall cannot break, and pushed to the next page it would leave the page before it half blank."""
    block = chart_block(d, chart, data_html=data_html)
    if chart.empty_message:
        return block
    return HTML(fold(render("chart_fold_summary", title=chart.title), str(block), "chart"))


def charts_data_block(d: Dataset, *charts: Chart) -> HTML:
    """The tables behind the story's charts, one folded table each; a line when no chart had data yet."""
    tables = "".join(str(chart_table(d, c)) for c in charts)
    return HTML(tables or "<p>No chart in the story had data by this date.</p>")


__all__ = ["PARTS", "appendix_intro", "back_link", "chart_table", "charts_data_block", "contents", "fold", "folded_chart", "part", "parties_block", "reader_frame", "statements_block"]
