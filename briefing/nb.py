"""Everything a notebook cell needs, in one import: `from briefing.nb import *`."""

from IPython.display import display

from .charts import clients_chart, rivals_chart, timeline_chart, valuation_chart
from .data import load
from .html import HTML, chart_block, edition_title, event_list, numbers_panel, quotes_list, say, status_list
from .sections import changes_block, checks_block, disagreements_block, key_figures_block


def show(*blocks) -> None:
    """Display blocks as HTML (empty ones are skipped)."""
    for b in blocks:
        if b is not None and str(b):
            display(b)


def empty_notice(d) -> HTML:
    if not d.empty:
        return HTML("")
    return HTML(f"<p class=\"empty\">Nothing about Meta and Scale AI had been reported by {d.as_of}: "
                "the first report in the data comes later. Choose a later AS_OF for a fuller edition.</p>")


__all__ = [
    "HTML",
    "changes_block",
    "chart_block",
    "checks_block",
    "clients_chart",
    "disagreements_block",
    "edition_title",
    "empty_notice",
    "event_list",
    "key_figures_block",
    "load",
    "numbers_panel",
    "quotes_list",
    "rivals_chart",
    "say",
    "show",
    "status_list",
    "timeline_chart",
    "valuation_chart",
]
