"""A chart as the page shows it: its figure with the title, subtitle, sources, CSV download and its data."""

from __future__ import annotations

from markupsafe import Markup

from ..data.dataset import Dataset
from .chartkit import Chart
from .markup import HTML, render
from .tables import csv_data_uri, table


def chart_block(d: Dataset, chart: Chart, data_html: HTML | None = None, table_in_appendix: bool = False, appendix_anchor: str = "") -> HTML:
    """The chart with its title, subtitle, sources, CSV download and its data as a table, or data_html
    (a list that is printed on paper too, since paper has no tooltips). table_in_appendix: a story chart links to
    its table in the appendix (chart_table, or appendix_anchor: the part that lists its data) instead of carrying it,
    so the story stays short."""
    if chart.empty_message:
        return HTML(render("chart", chart=chart))
    return HTML(render("chart", d=d, chart=chart, svg=Markup(chart.svg), csv=csv_data_uri(chart.data), data_html=data_html,
                       sources=[s for s in chart.source_ids if s in d.sources.index],  # only sources this edition lists
                       data_table=Markup(table(chart.data, chart.title, d=d)) if not (data_html or table_in_appendix) else "",
                       table_in_appendix=table_in_appendix, appendix_anchor=appendix_anchor))
