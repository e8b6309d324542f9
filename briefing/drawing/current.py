"""The story's blocks that read the data's current state (briefing.story.standing): a heading that follows the state,
where each party stands, what happened since the deal (with the timeline once the story spans months), what to watch."""

from __future__ import annotations

import dataclasses

from ..data.dataset import Dataset
from ..story import standing as st
from ..story.ranking import slug
from .appendix import fold, folded_chart
from .chartblock import chart_block
from .lists import event_list
from .markup import HTML, render
from .say import say
from .story_blocks import more_link
from .timeline import timeline_chart

TIMELINE_MONTHS = 3  # the timeline joins the story once it spans more than this many months


def heading(text: str) -> HTML:
    """A story section's heading, computed (its words follow the data), with the anchor a markdown heading would get."""
    anchor = slug(text)
    return HTML(render("heading", anchor=anchor, text=text))


def section(title: str, *blocks) -> HTML:
    """A story section under its heading, or nothing when every block is empty (an edition whose data lacks the rows
    its sentences rest on shows no empty heading); the withheld sentences still reach the build's stale: lines."""
    body = "".join(str(b) for b in blocks if b is not None)
    stale = [s for b in blocks if isinstance(b, HTML) for s in b.stale]
    return HTML(str(heading(title)) + body if body.strip() else "", stale)


def clients_heading(d: Dataset) -> HTML:
    return heading(st.clients_heading(d))


def where_they_stand(d: Dataset, roles: list[str], told: HTML | None = None) -> HTML:
    """A sentence for each party in these roles that has moved and that no hand-written sentence (whose premise still
    holds) tells: its latest status with what came before, dated and cited; the rest counted."""
    items, more = st.to_tell(d, roles, told.told if told is not None else set())
    if not items:
        return HTML("")
    return HTML(render("standing", d=d, items=items, more=more_link(more, "appendix-parties", "parties")))


def since_the_deal(d: Dataset) -> HTML:
    """'Since the deal': once the story has moved on, the developments Latest does not show, oldest first, and the
    timeline when the story spans more than TIMELINE_MONTHS months."""
    items, more = st.since_the_deal(d)
    if not items and not timeline_in_story(d):
        return HTML("")
    timeline = ""
    if timeline_in_story(d):  # the year since the deal's first month; the whole timeline's events are listed in the appendix
        year = dataclasses.replace(d, events=d.events[d.events["date"] > st.first_month_end(d)].reset_index(drop=True))
        timeline = chart_block(d, timeline_chart(year, "in the appendix"), table_in_appendix=True, appendix_anchor="appendix-events")
    return HTML(render("since", d=d, heading=heading("Since the deal"), items=items, more=more_link(more, "appendix-events", "developments"),
                       timeline=timeline))


def timeline_in_story(d: Dataset) -> bool:
    """The timeline joins the story once the story spans more than TIMELINE_MONTHS months."""
    return st.span_months(d) > TIMELINE_MONTHS


def events_record(d: Dataset) -> HTML:
    """The appendix's events: the timeline folded with its list, or the list alone when the story shows the timeline."""
    if timeline_in_story(d):
        return HTML(fold(f"All {d.n_events:,} events, in date order", str(event_list(d)), "events"))
    return folded_chart(d, timeline_chart(d), data_html=event_list(d))


def what_to_watch(d: Dataset) -> HTML:
    """watch.csv's items whose premises hold (the others are withheld and named by stale: lines), then, for each client
    moving away whose move no kept item covers and no party has confirmed, whether it will be."""
    items = []
    for _, r in d.watch.iterrows():
        premises = [p.strip() for p in r["premises"].split(";") if p.strip()]
        items.append((r["question"], *premises))
    kept = say(d, *items)
    extra = []
    movers = d.movers()
    for _, r in movers[(movers["direction"] == "away") & (movers["evidence"] != "confirmed")].iterrows():
        if r["party"] in kept.told:
            continue
        how = "reported" if r["evidence"] == "reported" else "unattributed"
        extra.append({"party": r["party"], "status": d.status_phrase(r["status"]), "how": how, "source_ids": r["source_list"]})
    return HTML(render("what_to_watch", d=d, kept=kept, movers=extra), kept.stale, kept.told)
