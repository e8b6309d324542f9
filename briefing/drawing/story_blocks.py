"""The story's own blocks: the masthead, Latest, what Scale says, the short disputes and the checks' verdict.

Each is the top few of a longer list (the rules: briefing.story) and links to its full entry in the appendix.
"""

from __future__ import annotations

from html import escape

from ..data import fmt
from ..data.dataset import Dataset
from ..story import lead, ranking
from .html import HTML, cite, plain_ids


def more_link(n: int, anchor: str, what: str = "") -> str:
    """'4 more in the appendix', linked to the full list."""
    if n <= 0:
        return ""
    return f'<p class="more"><a href="#{escape(anchor)}">{n:,} more {escape(what) + " " if what else ""}in the appendix</a></p>'


def masthead(d: Dataset) -> HTML:
    """The headline and the one-sentence dek, computed from the data's current state."""
    return HTML(f'<header class="masthead"><p class="kicker">Briefing</p><h1>{escape(lead.headline(d))}</h1>'
                f'<p class="dek">{escape(lead.dek(d))}</p></header>')


def latest_block(d: Dataset) -> HTML:
    """The newest developments after the deal, at most ranking.STORY_LATEST, each a dated, cited sentence."""
    items = ranking.story_latest(d, lead.deal_date(d))
    if not items:
        return HTML("")
    shown, more = ranking.top(items, ranking.STORY_LATEST)
    lis = "".join(f'<li><time datetime="{escape(i["date"])}">{escape(i["when"])}</time> {escape(i["text"])}{cite(d, i["source_ids"])}</li>'
                  for i in shown)
    return HTML(f'<section class="latest" aria-labelledby="latest-h"><h2 id="latest-h">Latest</h2><ul>{lis}</ul>'
                f'{more_link(more, "appendix-events", "developments")}</section>')


_OPEN, _CLOSE = "\u201c\"", "\u201d\""


def quoted_words(quote: str, min_words: int = 3) -> list[str]:
    """The words inside quotation marks in a source's sentence, pair by pair (a pair the excerpt cuts off is closed at
    its end); a short quoted phrase ('double down') is part of the reporter's sentence, not the party's words."""
    out, start = [], None
    for i, ch in enumerate(quote):
        if start is None and ch in _OPEN:
            start = i + 1
        elif start is not None and ch in _CLOSE:
            out.append(quote[start:i])
            start = None
    if start is not None:
        out.append(quote[start:])
    return [w.strip().rstrip(",") for w in out if len(w.split()) >= min_words]


def statement_item(d: Dataset, r) -> str:
    """A party's statement: its own quoted words, with who said them and through which outlet; a text that only
    relays it (no quotation marks) is shown as the outlet's sentence, attributed to the outlet."""
    srcs = r["source_list"]
    first = d.all_sources.loc[srcs[0]] if srcs and srcs[0] in d.all_sources.index else None
    outlet = (first["outlet"] or "") if first is not None else ""
    who = r.get("speaker", "") or ranking.party_name(r["actor"])
    if who.lower().startswith(("the ", "a ", "an ")):  # "The company", "a Scale AI spokesperson": name the party
        who = ranking.party_name(r["actor"]) + (f" ({who[:1].lower() + who[1:]})" if who.lower() not in ("the company",) else "")
    when = escape(fmt.event_date_text(r))
    words = quoted_words(r["quote"])
    if words:
        text = " \u2026 ".join(f"\u201c{escape(w)}\u201d" for w in words)
        via = f", as {escape(outlet)} reported it" if outlet else ""
        return f'<li><blockquote>{text}</blockquote><p class="who">{escape(who[:1].upper() + who[1:])}, {when}{via}{cite(d, srcs)}</p></li>'
    by = f"{escape(outlet)} reported" if outlet else "Reported, in a text that names no outlet"
    return (f'<li><p class="relayed">{by}: <q>{escape(r["quote"])}</q></p>'
            f'<p class="who">{when}{cite(d, srcs)}</p></li>')


def statements(d: Dataset, event_types: list[str], actors: list[str]):
    """Statements by these actors, newest last: rows whose quote names who spoke (a reporter's narration has no speaker)."""
    every = d.all_events
    ev = every[every["event_type"].isin(event_types) & every["actor"].map(lambda a: a.startswith(tuple(actors)))]
    if "speaker" in ev:
        ev = ev[ev["speaker"] != ""]
    # the newest month first (a year on, Scale's newest word leads), then those with the party's own quoted words, then the
    # most widely reported
    ev = ev.assign(_q=ev["quote"].map(lambda q: not quoted_words(q)), _n=-ev["source_list"].map(len), _m=ev["date"].map(lambda x: lead.newest_first(x[:7])))
    return ev.sort_values(["_m", "_q", "_n", "date"], kind="stable").drop(columns="_m")


def subject_says(d: Dataset, event_types: list[str], actors: list[str], limit: int = ranking.STORY_QUOTES) -> HTML:
    """The party's newest statements, in its own words where quoted; one fewer once the story has moved on (its
    June words are history there, and the budget goes to the year's news)."""
    ev = statements(d, event_types, actors)
    limit -= lead.moved_on(d)
    if ev.empty:
        return HTML("")
    shown, more = ranking.top(list(ev.iterrows()), limit)
    items = "".join(statement_item(d, r) for _, r in shown)
    return HTML(f'<ul class="quotes">{items}</ul>{more_link(more, "appendix-statements", "statements")}')


def all_statements(d: Dataset, event_types: list[str], actors: list[str]) -> HTML:
    ev = statements(d, event_types, actors).sort_values(["date", "event_id"])
    if ev.empty:
        return HTML("<p>No statement had been reported by this date.</p>")
    return HTML(f'<ul class="quotes">{"".join(statement_item(d, r) for _, r in ev.iterrows())}</ul>')


def disputes_summary(d: Dataset, limit: int = ranking.STORY_DISPUTES) -> HTML:
    """The reader's questions the reporting answers differently (ranking.story_questions), each answered in one line, cited,
    linked to its full entry; then how many more points the appendix holds (it holds every one: ranking.questions)."""
    asked = ranking.story_questions(d)
    if not asked:
        return HTML("<p>The sources in this edition do not disagree on any figure, date, claim or status.</p>")
    shown, _ = ranking.top(asked, limit)
    lis = "".join(f'<li><strong class="ask">{escape(q.ask)}</strong> {plain_ids(d, q.answer)}{cite(d, q.source_ids)} '
                  f'<a class="entry" href="#{q.anchor}-entry">Full entry</a></li>' for q in shown)
    more = len(ranking.questions(d)) - len(shown)
    tail = (f"{more:,} more point{'s' * (more != 1)} on which the reporting differs, and every version and quote of these, are in the appendix"
            if more else "Every version and quote of these is in the appendix")
    return HTML(f'<ul class="disputes">{lis}</ul><p class="more"><a href="#appendix-disputes">{tail}</a>.</p>')


def checks_verdict(d: Dataset, limit: int = ranking.STORY_CHECKS) -> HTML:
    """The checks' findings, one sentence each: a check that fails, or a value some source gives that fails it. A check
    that only confirms the reported figures is counted and left to the appendix, with the workings of every check."""
    verdicts = ranking.check_verdicts(d)
    if not verdicts:
        return HTML("<p>Not enough figures in this edition to check any arithmetic.</p>")
    shown, _ = ranking.top([v for v in verdicts if v["finding"]], limit)
    lis = "".join(f'<li class="v-{escape(v["verdict"].replace("/", ""))}">{escape(v["text"])}{cite(d, v["sources"])}</li>' for v in shown)
    more = len(verdicts) - len(shown)
    if not shown:
        n = fmt.number_word(len(verdicts))
        return HTML(f'<p>None of the {n} checks finds a reported figure that does not fit.</p>'
                    f'<p class="more"><a href="#appendix-checks">The {n} checks, and the workings of each, are in the appendix</a>.</p>')
    return HTML(f'<ul class="verdicts">{lis}</ul>{more_link(more, "appendix-checks", "checks, and the workings of each,")}')
