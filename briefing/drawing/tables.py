"""Data as a reader gets it: an accessible table of a frame, and the frame as a CSV download a spreadsheet will not run."""

from __future__ import annotations

import math
import re
import urllib.parse

import pandas as pd
from markupsafe import Markup

from ..data.dataset import Dataset
from .citations import cite
from .markup import render

MAX_LIST = 40  # long tables show the first rows and "and N more"


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
    head = ["sources" if d is not None and str(c) in SOURCE_COLUMNS else str(c).replace("_", " ") for c in df.columns]
    src_cols = {i for i, c in enumerate(df.columns) if d is not None and str(c) in SOURCE_COLUMNS}

    def cell(i, v):
        if i in src_cols and isinstance(v, str):  # the citation numbers without their superscript: the column says what they are
            return Markup(cite(d, [x.strip() for x in v.split(";")]).replace('<sup class="cite">', "").replace("</sup>", ""))
        return _cell(v)
    rows = [[cell(i, v) for i, v in enumerate(row)] for row in df.head(limit).itertuples(index=False)]
    return str(render("table", cls=cls, caption=caption, head=head, rows=rows, more=len(df) - limit))


def _cell(v) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return ""  # a missing value is an empty cell, never "nan" (screen readers read it out)
    if isinstance(v, float):
        return f"{v:,.0f}" if v >= 1000 else f"{v:g}"
    return str(v)
