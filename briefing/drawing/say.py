"""The say() sentence language: a paragraph whose {placeholders} are filled from the data, each figure cited where its
clause ends, a sentence withheld (and reported) when a premise no longer holds."""

from __future__ import annotations

import re
from html import escape

from ..data import fmt
from ..data.dataset import Dataset
from ..data.periods import place_figures
from .citations import cite
from .copydesk import place_citations
from .markup import HTML

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
