"""Who reported a value: the texts behind it counted as independent reports, one per outlet, never inventing one."""

from __future__ import annotations

from dataclasses import dataclass

from ..data.dataset import Dataset
from ..data.fmt import number_word


@dataclass(frozen=True)
class Reporting:
    """The texts behind a value counted as independent reports, not excerpt by excerpt (see reporting())."""

    outlets: tuple[str, ...]  # the outlets whose reports the texts are, alphabetical
    by_outlet: tuple[tuple[str, tuple[str, ...]], ...]  # each outlet with the texts that carry its report
    relayed: int  # texts beyond one per outlet: another text of a listed outlet, or a text relaying several of them
    credited: tuple[str, ...]  # outlets credited by texts that relay several and name none of the listed ones
    n_credited: int  # those texts
    unnamed: int  # texts that name no outlet and credit none: no outlet is invented for them
    n_texts: int

    def text(self) -> str:
        """'reported by Bloomberg, CNBC and Reuters, relayed by 7 more', '... and in 3 texts that name no outlet',
        'reported in one text crediting Bloomberg, PitchBook and Reuters', 'reported in one text that names no outlet'."""
        parts = []
        if self.outlets:
            parts.append(f"by {_and(self.outlets)}" + (f", relayed by {number_word(self.relayed)} more" if self.relayed else ""))
        if self.n_credited:
            parts.append(f"in {number_word(self.n_credited)} text{'s' * (self.n_credited != 1)} crediting {_and(self.credited)}")
        if self.unnamed:
            parts.append(f"in {number_word(self.unnamed)} text{'s that name' if self.unnamed != 1 else ' that names'} no outlet")
        if not parts:
            return "reported in no text of this edition"
        return "reported " + (parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + ", and " + parts[-1])


def _and(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _credits(row, quotes) -> list[str]:
    """The outlets a text relays for this value: its credited_to, only those the value's quotes name (a text credits an
    outlet for what its quote credits to it, not for every sentence); all of them when no quote is given."""
    credits = [c.strip() for c in (row["credited_to"] if row is not None else "").split(";") if c.strip()]
    if quotes is None:
        return credits
    said = " ".join(quotes).casefold()
    return [c for c in credits if c.casefold() in said]


def outlet_name(row) -> str:
    """The outlet a text names, with the caveat where only the collection's README names it."""
    if row is None or not row["outlet"]:
        return ""
    return f"{row['outlet']} (per the collection's README)" if str(row.get("outlet_basis", "")).startswith("collection README") else row["outlet"]


def reporting(d: Dataset, source_ids, quotes=None) -> Reporting:
    """Who reported a value, as independent reports (sources.csv outlet and credited_to):

    - a text whose outlet is named (outlet, with its outlet_basis) is that outlet's report, and several texts of one
      outlet (versions of one Bloomberg story) count once;
    - a text that names no outlet but relays exactly one (credited_to) carries that outlet's report;
    - a text that names no outlet and relays several does not say whose report it carries: it is counted as relaying
      the listed outlets it credits, or else as a text crediting them;
    - a text that names no outlet and credits none is counted as such: no outlet is invented for it;
    - quotes (the quotes of the rows behind the value), where given: a text relays only the outlets they name;
    - an outlet only the collection's README names keeps that caveat wherever it is named.
    """
    ids = list(dict.fromkeys(source_ids))
    src = d.all_sources
    by_outlet: dict[str, list[str]] = {}
    several, unnamed = [], 0
    for sid in ids:
        row = src.loc[sid] if sid in src.index else None
        outlet = outlet_name(row)
        credits = _credits(row, quotes)
        if outlet or len(credits) == 1:
            by_outlet.setdefault(outlet or credits[0], []).append(sid)
        elif credits:
            several.append(credits)
        else:
            unnamed += 1
    outlets = tuple(sorted(by_outlet, key=str.casefold))
    relays = [c for c in several if set(c) & set(outlets)]
    others = [c for c in several if not set(c) & set(outlets)]
    credited = tuple(sorted({o for c in others for o in c}, key=str.casefold))
    return Reporting(outlets=outlets, by_outlet=tuple((o, tuple(by_outlet[o])) for o in outlets),
                     relayed=sum(len(v) - 1 for v in by_outlet.values()) + len(relays), credited=credited,
                     n_credited=len(others), unnamed=unnamed, n_texts=len(ids))


def reported_by(d: Dataset, source_ids, quotes=None) -> str:
    """Who reported a value, in words: 'reported by Bloomberg, CNBC and Reuters, relayed by 7 more' (see reporting())."""
    return reporting(d, source_ids, quotes).text()
