"""Everything a notebook cell needs, in one import: `from briefing.nb import *`. It sits above the stages
(data -> story -> drawing) and takes from each what a notebook shows; nothing in the package imports it."""

import dataclasses
import re
from html import escape

from IPython.display import display

from .data.dataset import load as _load
from .data.problems import DataError
from .drawing.appendix import appendix_intro, chart_table, charts_data_block, fold, folded_chart, part, parties_block, statements_block
from .drawing.chartblock import chart_block
from .drawing.charts import clients_chart, rivals_chart, valuation_chart
from .drawing.current import clients_heading, events_record, heading, section, since_the_deal, what_to_watch, where_they_stand
from .drawing.lists import event_list, numbers_panel, status_list
from .drawing.markup import HTML
from .drawing.page import sources_section
from .drawing.record import changes_block, changes_summary, checks_block, claims_block, disagreements_block, key_figures_block
from .drawing.say import say as _say
from .drawing.story_blocks import all_statements, checks_verdict, disputes_summary, latest_block, masthead, subject_says
from .drawing.timeline import timeline_chart
from .story.stage import attach as _attach
from .story.stage import read as _read_stage

_CITED: list[str] = []  # source ids cited by what this kernel has shown, in order: the notebook's own sources list
_CITE = re.compile(r'href="#src-([^"]+)"')


def _note(block) -> None:
    for sid in _CITE.findall(str(block)):
        if sid not in _CITED:
            _CITED.append(sid)


def load(data_dir, as_of="", story_dir=""):
    """The data (briefing.data.dataset.load), with its messages worded for both ways of running a notebook. With
    story_dir (make passes BUILD/story), the story stage the build computed once: the data was validated there, and
    the headline, the checks and the changes since BASE are read from it (briefing/story/stage.py)."""
    _CITED.clear()
    try:
        if story_dir:
            return _attach(_load(data_dir, as_of, checked=False), _read_stage(story_dir, data_dir))
        return _load(data_dir, as_of)
    except DataError as exc:
        hint = "(check DATA= with make, or -p data_dir with papermill)"
        raise DataError([dataclasses.replace(p, message=p.message.replace("(check DATA=)", hint)) for p in exc.problems]) from None


def say(d, *sentences) -> HTML:
    out = _say(d, *sentences)
    _note(out)
    return out


def show(*blocks) -> None:
    """Display blocks as HTML (empty ones are skipped)."""
    for b in blocks:  # an empty block still carries the stale: lines of the sentences it withheld
        if b is not None and (str(b) or getattr(b, "stale", None)):
            _note(b)
            display(b)


def notebook_sources(d) -> HTML:
    """The sources this notebook has cited so far, so its citation links work in JupyterLab.
    (Its cell is tagged notebook-only: the briefing has one list for all notebooks, at its end.)"""
    if not _CITED:
        return HTML("")
    return HTML(sources_section(d, only=set(_CITED), title="Sources cited in this notebook"))


def empty_notice(d) -> HTML:
    if not d.empty:
        return HTML("")
    return HTML(f'<p class="empty">{escape(d.story.text("nothing_reported_by", as_of=d.as_of), quote=False)}</p>')


__all__ = [
    "HTML",
    "all_statements",
    "appendix_intro",
    "changes_block",
    "changes_summary",
    "chart_block",
    "chart_table",
    "charts_data_block",
    "checks_block",
    "checks_verdict",
    "claims_block",
    "clients_chart",
    "clients_heading",
    "disagreements_block",
    "disputes_summary",
    "empty_notice",
    "event_list",
    "events_record",
    "fold",
    "folded_chart",
    "heading",
    "key_figures_block",
    "latest_block",
    "load",
    "masthead",
    "notebook_sources",
    "numbers_panel",
    "part",
    "parties_block",
    "rivals_chart",
    "say",
    "section",
    "show",
    "since_the_deal",
    "statements_block",
    "status_list",
    "subject_says",
    "timeline_chart",
    "valuation_chart",
    "what_to_watch",
    "where_they_stand",
]
