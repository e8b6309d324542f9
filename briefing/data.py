"""Load the validated CSVs into pandas, filter them to an AS_OF date, and derive facts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import fmt
from .validate import validated_tables

EVIDENCE_ORDER = ["confirmed", "reported", "rumoured"]
PULLING_BACK = ["winding down", "plans to cut ties", "considering", "paused"]


@dataclass(frozen=True)
class Fact:
    """One number for the prose: the value most sources give, with those sources."""

    metric: str
    amount: float  # value x scale
    unit: str
    period: str
    qualifier: str
    source_ids: tuple[str, ...]
    n_sources: int  # sources stating this value
    n_total: int  # sources stating any value for the metric

    def text(self, short: bool = False) -> str:
        return fmt.number(self.amount, self.unit, short)


@dataclass
class Dataset:
    """Everything a notebook needs: the filtered tables and the edition's facts."""

    data_dir: Path
    as_of: str | None
    sources: pd.DataFrame
    events: pd.DataFrame
    figures: pd.DataFrame
    relationships: pd.DataFrame
    all_sources: pd.DataFrame = field(repr=False, default=None)

    @property
    def empty(self) -> bool:
        return self.events.empty and self.figures.empty and self.relationships.empty

    def citation_number(self, source_id: str) -> int:
        """Stable across editions: the source's position in sources.csv."""
        return int(self.all_sources.loc[source_id, "number"])

    def fact(self, metric: str) -> Fact | None:
        rows = self.figures[self.figures["metric"] == metric]
        if rows.empty:
            return None
        counts = Counter(rows["amount"])
        top = max(counts.values())
        # Ties go to the value stated earliest, then by figure_id: never silently averaged.
        candidates = rows[rows["amount"].map(counts) == top].sort_values(["known_from", "figure_id"])
        amount = candidates.iloc[0]["amount"]
        chosen = rows[rows["amount"] == amount]
        periods = [p for p in chosen["period"] if p]
        quals = [q for q in chosen["qualifier"] if q]
        return Fact(
            metric=metric,
            amount=float(amount),
            unit=chosen.iloc[0]["unit"],
            period=Counter(periods).most_common(1)[0][0] if periods else "",
            qualifier=quals[0] if len(quals) == len(chosen) else "",
            source_ids=tuple(sorted(set(chosen["source_id"]), key=self.citation_number)),
            n_sources=chosen["source_id"].nunique(),
            n_total=rows["source_id"].nunique(),
        )

    def quote_for(self, metric: str, amount: float) -> str:
        """The words of the first source that gives this value for the metric."""
        rows = self.figures[(self.figures["metric"] == metric) & (self.figures["amount"] == amount)]
        return rows.iloc[0]["quote"] if len(rows) else ""

    def event(self, event_id: str) -> pd.Series | None:
        hit = self.events[self.events["event_id"] == event_id]
        return None if hit.empty else hit.iloc[0]

    def latest_status(self) -> pd.DataFrame:
        """Each party's most recent status (ties: the surest evidence first)."""
        rel = self.relationships.copy()
        rel["_ev"] = rel["evidence"].map(EVIDENCE_ORDER.index)
        rel = rel.sort_values(["party", "as_of", "_ev"], ascending=[True, False, True])
        return rel.drop_duplicates("party").drop(columns="_ev").reset_index(drop=True)

    def pulling_back(self) -> pd.DataFrame:
        """Clients whose latest status is a move away from Scale."""
        latest = self.latest_status()
        return latest[(latest["role"] == "client") & latest["status"].isin(PULLING_BACK)]

    def headline(self) -> str:
        """The edition's headline, computed from its figures and statuses."""
        inv, stake = self.fact("meta_investment_usd"), self.fact("meta_stake_pct")
        if inv and stake:
            head = f"Meta paid {inv.text(short=True)} for {stake.text()} of Scale AI"
            return head + (". Clients that compete with Meta began pulling away." if not self.pulling_back().empty else "")
        return "Meta and Scale AI: nothing reported yet" if self.empty else "Meta weighs a stake in Scale AI"


def split_ids(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


def _frame(table) -> pd.DataFrame:
    df = pd.DataFrame(table.rows, columns=table.resource.field_names, dtype="string").fillna("")
    df = df.astype(object)
    df["line"] = table.lines
    return df


def load(data_dir: str | Path, as_of: str | None = None) -> Dataset:
    """Validate and load data_dir; keep only what was public on or before as_of.

    Sources and figures count from the source's known_from date; events from their date and
    relationships from their as_of, provided one of their sources is public by then.
    Raises DataError listing every problem.
    """
    as_of = (as_of or "").strip() or None
    tables = validated_tables(Path(data_dir), as_of)
    sources = _frame(tables["sources"]).set_index("source_id", drop=False)
    sources["number"] = range(1, len(sources) + 1)
    events = _frame(tables["events"])
    figures = _frame(tables["figures"])
    rels = _frame(tables["relationships"])

    figures["value"] = figures["value"].astype(float)
    figures["amount"] = [v * fmt.SCALE[s] for v, s in zip(figures["value"], figures["scale"])]
    figures["known_from"] = figures["source_id"].map(sources["known_from"])
    for df in (events, rels):
        df["source_list"] = df["source_ids"].map(split_ids)

    all_sources = sources.copy()
    if as_of:
        sources = sources[sources["known_from"] <= as_of]
        known = set(sources.index)
        # an event or status counts once it happened AND some source public by then reports it
        events = events[(events["date"] <= as_of) & events["source_list"].map(lambda ids: bool(known.intersection(ids)))]
        rels = rels[(rels["as_of"] <= as_of) & rels["source_list"].map(lambda ids: bool(known.intersection(ids)))]
        figures = figures[figures["known_from"] <= as_of]
    events = events.sort_values(["date", "event_id"]).reset_index(drop=True)
    return Dataset(
        data_dir=Path(data_dir),
        as_of=as_of,
        sources=sources,
        events=events,
        figures=figures.reset_index(drop=True),
        relationships=rels.sort_values(["party", "as_of"]).reset_index(drop=True),
        all_sources=all_sources,
    )
