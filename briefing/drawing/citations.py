"""Citations: the numbered markers that link a sentence to its sources, and a curated text's source ids as those numbers."""

from __future__ import annotations

import re
from html import escape

from ..data.dataset import Dataset


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
