"""A chart as the page shows it: its figure with the title, subtitle, sources, CSV download and its data."""

from __future__ import annotations

from html import escape

from ..data.dataset import Dataset
from .chartkit import Chart
from .markup import HTML
from .tables import csv_data_uri, table


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
