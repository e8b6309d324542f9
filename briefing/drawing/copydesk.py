"""The copy desk: where a sentence's citations go, and the checks an editor makes on the story's prose.

Citations go at the end of a clause, never inside a phrase ("Alexandr Wang, 28 years old,[16]" not "28 years[16]
old"): the sources of every figure, date and {src:} in a sentence are held until the next clause boundary
(, ; : or a dash) or the sentence's end, and given there as one group. A clause's group waits for the sentence's
end when every source in it is cited again later in the sentence, so facts that share sources get one group.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable

# a clause ends at , ; : or a dash (the group goes before it), a sentence at . ? ! before a space or the end (after it)
_BOUNDARY = re.compile(r"[,;:\u2014\u2013]|[.?!](?=\s|$)")


def place_citations(parts: list[tuple[str, list[str] | None]], cite: Callable[[list[str]], str]) -> str:
    """A sentence from (html, source ids) parts: the sentence's own text has None; a filled placeholder has its value
    and the sources behind it (a {src:} has no text). Every source is cited once, at the end of its clause (see the
    module); a value's own text ('June 12, 2025') never ends a clause."""
    parts = list(parts)
    later: list[set[str]] = [set() for _ in parts]  # the sources cited after each part, in this sentence
    seen: set[str] = set()
    for i in range(len(parts) - 1, -1, -1):
        later[i] = set(seen)
        seen |= set(parts[i][1] or ())
    out: list[str] = []
    pending: list[str] = []

    def flush() -> str:
        ids = list(dict.fromkeys(pending))
        pending.clear()
        return cite(ids) if ids else ""

    for i, (text, ids) in enumerate(parts):
        if ids is not None:  # a value: its text now, its sources at the clause's end
            out.append(text)
            pending += ids
            continue
        pos = 0
        for m in _BOUNDARY.finditer(text):
            if not pending:
                continue
            mark = m.group()
            if mark in ".?!":
                rest = text[m.end():]
                if not rest.strip():  # the sentence's end: a {src:} right after the full stop joins this group
                    j = i + 1
                    while j < len(parts) and parts[j][1] and not parts[j][0]:
                        pending += parts[j][1]
                        parts[j] = ("", [])
                        j += 1
                out.append(text[pos:m.end()] + flush())
            elif set(pending) <= later[i]:  # every source here is cited again later in the sentence: one group there
                continue
            else:
                out.append(text[pos:m.start()] + flush() + mark)
            pos = m.end()
        out.append(text[pos:])
    out.append(flush())
    return "".join(out)


# ---------------------------------------------------------------- the copy desk's checks on built prose

_MARKER = re.compile(r'<sup class="cite">.*?</sup>', re.DOTALL)
_BLOCK = re.compile(r"<(p|li|h1|h2|h3)\b[^>]*>(.*?)</\1>", re.DOTALL)
_QUOTED = re.compile(r"<(blockquote|q|svg|style|script)\b.*?</\1>", re.DOTALL)
CITE_TOKEN = "\u2020"  # a citation marker, as the checks see it


def prose_blocks(fragment: str) -> list[str]:
    """A page fragment's running prose, one string per paragraph, list item or heading: quotations and charts removed
    (a source's words are its own), citation markers as CITE_TOKEN, tags as spaces. Panels of figures are not prose."""
    text = _QUOTED.sub(" ", fragment)
    return [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", _MARKER.sub(CITE_TOKEN, body)))).strip()
            for _, body in _BLOCK.findall(text)]


_INSIDE = re.compile(CITE_TOKEN + r" ([a-z][\w'-]*)")
_DOUBLED = re.compile(r"\b(\w+) \1\b", re.IGNORECASE)


def faults(fragment: str, labels: Iterable[str] = ()) -> list[str]:
    """What an editor would strike in a fragment of story prose: a citation inside a phrase ('28 years[16] old'), a
    doubled word ('at at least'), a metric label pasted in parentheses ('(Scale AI's valuation after the deal)')."""
    out = []
    for text in prose_blocks(fragment):
        shown = text.replace(" " + CITE_TOKEN, CITE_TOKEN).replace(CITE_TOKEN, "[n]")
        out += [f"citation inside a phrase: {shown}" for _ in _INSIDE.finditer(text.replace(CITE_TOKEN, " " + CITE_TOKEN))][:1]
        out += [f"doubled word '{m.group()}': {shown}" for m in _DOUBLED.finditer(text.replace(CITE_TOKEN, "")) if not m.group(1).isdigit()]
        out += [f"metric label in parentheses '({label})': {shown}" for label in labels if f"({label})".casefold() in text.casefold()]
    return out
