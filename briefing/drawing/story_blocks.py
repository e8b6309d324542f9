"""The story's own blocks: the masthead, Latest, what Scale says, the short disputes and the checks' verdict.

Each is the top few of a longer list (the rules: briefing.story) and links to its full entry in the appendix.
"""

from __future__ import annotations

from ..data import fmt
from ..data.dataset import Dataset
from ..story import lead, ranking
from .markup import HTML, render


def more_link(n: int, anchor: str, what: str = "") -> str:
    """'4 more in the appendix', linked to the full list."""
    if n <= 0:
        return ""
    return render("more_link", n=n, anchor=anchor, what=what)


def masthead(d: Dataset) -> HTML:
    """The headline and the one-sentence dek, computed from the data's current state."""
    headline, dek = d.computed("headline", lambda: lead.headline(d)), d.computed("dek", lambda: lead.dek(d))  # the story stage's, in a build
    return HTML(render("masthead", headline=headline, dek=dek))


def latest_block(d: Dataset) -> HTML:
    """The newest developments after the deal, at most ranking.STORY_LATEST, each a dated, cited sentence."""
    items = ranking.story_latest(d, lead.deal_date(d))
    if not items:
        return HTML("")
    shown, more = ranking.top(items, ranking.STORY_LATEST)
    return HTML(render("latest", d=d, items=shown, more=more_link(more, "appendix-events", "developments")))


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
    return render("statement", d=d, words=quoted_words(r["quote"]), who=who[:1].upper() + who[1:], when=fmt.event_date_text(r),
                  outlet=outlet, quote=r["quote"], sources=srcs)


def statements(d: Dataset, event_types: list[str], actors: list[str]):
    """Statements by these actors, newest last: rows whose quote names who spoke (a reporter's narration has no speaker)."""
    every = d.all_events
    ev = every[every["event_type"].isin(event_types) & every["actor"].map(lambda a: a.startswith(tuple(actors)))]
    if every["speaker"].ne("").any():  # a package that names no speaker at all (an older curation) keeps every statement
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
    return HTML(render("quotes", items=[statement_item(d, r) for _, r in shown], more=more_link(more, "appendix-statements", "statements")))


def all_statements(d: Dataset, event_types: list[str], actors: list[str]) -> HTML:
    ev = statements(d, event_types, actors).sort_values(["date", "event_id"])
    if ev.empty:
        return HTML("<p>No statement had been reported by this date.</p>")
    return HTML(render("quotes", items=[statement_item(d, r) for _, r in ev.iterrows()], more=""))


def disputes_summary(d: Dataset, limit: int = ranking.STORY_DISPUTES) -> HTML:
    """The reader's questions the reporting answers differently (ranking.story_questions), each answered in one line, cited,
    linked to its full entry; then how many more points the appendix holds (it holds every one: ranking.questions)."""
    asked = ranking.story_questions(d)
    if not asked:
        return HTML("<p>The sources in this edition do not disagree on any figure, date, claim or status.</p>")
    shown, _ = ranking.top(asked, limit)
    return HTML(render("disputes_summary", d=d, shown=shown, more=len(ranking.questions(d)) - len(shown)))


def checks_verdict(d: Dataset, limit: int = ranking.STORY_CHECKS) -> HTML:
    """The checks' findings, one sentence each: a check that fails, or a value some source gives that fails it. A check
    that only confirms the reported figures is counted and left to the appendix, with the workings of every check."""
    verdicts = ranking.check_verdicts(d)
    if not verdicts:
        return HTML("<p>Not enough figures in this edition to check any arithmetic.</p>")
    shown, _ = ranking.top([v for v in verdicts if v["finding"]], limit)
    more = more_link(len(verdicts) - len(shown), "appendix-checks", "checks, and the workings of each,")
    return HTML(render("checks_verdict", d=d, shown=shown, more=more, n=fmt.number_word(len(verdicts))))
