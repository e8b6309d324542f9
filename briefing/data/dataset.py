"""Load the validated CSVs into pandas, filter them to an AS_OF date, and derive facts."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import fmt, identity, rounding
from .history import History, evidence_rank, moments, when_text, window
from .periods import nested, period_key, place_figures
from .schema import schema_path
from .validate import validated_tables


@dataclass(frozen=True)
class Value:
    """One period's value of a metric: the value most sources give for that period, with those sources."""

    period: str  # YYYY, YYYY-MM or YYYY-MM-DD; "" when no source ties the value to a time
    amount: float  # value x scale
    unit: str
    qualifier: str
    source_ids: tuple[str, ...]
    n_sources: int  # sources stating this value for this period
    n_total: int  # sources stating any value for this period, or tying this value to another period (place_figures)
    disputed: bool  # sources give different values for this period, or tie its value to another period

    def text(self, short: bool = False, qualified: bool = True) -> str:
        qual = f"{self.qualifier} " if qualified and self.qualifier else ""
        return qual + fmt.number(self.amount, self.unit, short)

    def period_text(self) -> str:
        return fmt.period_text(self.period)


@dataclass(frozen=True)
class Fact(Value):
    """A metric's current value (the latest period's), its label and its history."""

    metric: str = ""
    label: str = ""
    entity: str = ""
    history: tuple[Value, ...] = ()  # earlier periods, oldest first

    @property
    def previous(self) -> Value | None:
        """The latest earlier period whose value differs from the current one: what it changed from."""
        for v in reversed(self.history):
            if v.amount != self.amount or v.unit != self.unit:
                return v
        return None


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
    metrics: pd.DataFrame = field(repr=False, default=None)
    statuses: pd.DataFrame = field(repr=False, default=None)
    checks: pd.DataFrame = field(repr=False, default=None)
    claims: pd.DataFrame = field(repr=False, default=None)  # non-numeric statements (claims.csv); empty if the package has none
    event_versions: pd.DataFrame = field(repr=False, default=None)  # other sources' versions of an event (version_of), kept off `events`
    topics: pd.DataFrame = field(repr=False, default=None)  # topics.csv: whether a claim topic's answer can change over time
    watch: pd.DataFrame = field(repr=False, default=None)  # watch.csv: what to watch, each item with its premises
    story: identity.Story = field(repr=False, default=None)  # x-story in datapackage.json: the names the package never types
    _breaking: bool = field(repr=False, default=False)  # series() is breaking a tie by the checks (no tie-break inside it)
    _memo: dict = field(repr=False, init=False, default_factory=dict)  # computed(): what this data's story computed once

    def computed(self, key, compute):
        """A value of this edition's story, computed once (compute()), or as the story stage holds it: a Dataset attached
        to BUILD/story (briefing/story/stage.py) answers from there, so every step shows what the stage computed."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def remember(self, key, value) -> None:
        """Hold a value of the story as computed() will answer it (the story stage's)."""
        self._memo[key] = value

    @property
    def empty(self) -> bool:
        return self.events.empty and self.figures.empty and self.relationships.empty

    def citation_number(self, source_id: str) -> int:
        """Stable across editions: the source's position in sources.csv."""
        return int(self.all_sources.loc[source_id, "number"])

    def label(self, metric: str) -> str:
        """What a reader sees for a metric: its label in metrics.csv."""
        if self.metrics is not None and metric in self.metrics.index:
            return self.metrics.loc[metric, "label"]
        return metric.replace("_", " ")  # not reached for validated data: every figure's metric is declared

    def status_phrase(self, status: str) -> str:
        """A status as it reads after 'is' in a sentence (statuses.csv), else as written."""
        if self.statuses is not None and status in self.statuses.index:
            return self.statuses.loc[status, "phrase"]
        return status

    def lead_metrics(self) -> list[str]:
        """The metrics that lead 'By the numbers', in their declared order."""
        m = self.metrics[self.metrics["lead"] != ""]
        return sorted(m.index, key=lambda k: (int(m.loc[k, "lead"]), k))

    def series(self, metric: str) -> list[Value]:
        """The metric's value per period, oldest first: the most-cited value of each period (periods placed by place_figures)."""
        rows = self.figures[self.figures["metric"] == metric]
        if rows.empty:
            return []
        rows = place_figures(rows)
        out = []
        for period in sorted(set(rows["slot"]), key=period_key):
            grp = rows[rows["slot"] == period]
            # the rows that give a value for this period (not another period's reading of it, nor a rounding of several versions)
            own = grp[(grp["placed"] != "period") & grp["version"].notna()]
            if own.empty:
                continue
            counts = own.groupby("version")["source_id"].nunique()
            top = counts.max()
            # Ties: a value its source dates explicitly, then the one dated most precisely, then the earliest stated, then by figure_id;
            # never averaged. A rounded restatement counts toward the value it rounds from, which is the one shown.
            cands = own[own["version"].map(counts) == top].assign(_undated=lambda g: g["placed"] == "undated", _coarse=lambda g: g["placed"] == "nested")
            amount = cands.sort_values(["_undated", "_coarse", "known_from", "figure_id"]).iloc[0]["version"]
            if cands["version"].nunique() > 1:  # a tie between values: the one the declared checks bear out leads
                amount = self._checked(metric, list(dict.fromkeys(cands.sort_values(["_undated", "_coarse", "known_from", "figure_id"])["version"])))
            chosen = own[own["version"] == amount]
            exact = chosen[chosen["amount"] == amount]  # its hedge is the precise value's, not a restatement's
            quals = [q for q in exact["qualifier"] if q]
            qualifier = Counter(quals).most_common(1)[0][0] if quals and 2 * len(quals) >= len(exact) else ""
            counted = grp[grp["version"].notna()]
            out.append(Value(period=period, amount=float(amount), unit=exact.iloc[0]["unit"], qualifier=qualifier,
                             source_ids=tuple(sorted(set(chosen["source_id"]), key=self.citation_number)),
                             n_sources=chosen["source_id"].nunique(), n_total=counted["source_id"].nunique(),
                             disputed=own["version"].nunique() > 1 or bool((grp["placed"] == "period").any())))
        return out

    def _checked(self, metric: str, amounts: list[float]) -> float:
        """Of values that as many sources give, the first that the declared checks (checks.csv) bear out: a check with
        this metric as an input or as its expected value passes with it (within its tolerance) and fails with the
        others, the other metrics at their current values; else the first. Never a value the page's own check fails."""
        if self._breaking or self.checks is None or self.checks.empty:
            return amounts[0]
        from .formula import DEFAULT_TOLERANCE, FormulaError, as_number, parse

        self._breaking = True
        try:
            score = dict.fromkeys(amounts, 0)
            for _, c in self.checks.iterrows():
                if not c.get("expected"):
                    continue
                try:
                    f = parse(c["formula"])
                except FormulaError:
                    continue
                if any(i.pin for i in f.inputs) or (metric not in f.names and c["expected"] != metric):
                    continue
                tol = float(c["tolerance"]) if c.get("tolerance") else DEFAULT_TOLERANCE
                for amount in amounts:
                    vals = {}
                    for i in f.inputs:
                        fact = None if i.metric == metric else self.fact(i.metric)
                        a, unit = (amount, self._unit(metric)) if i.metric == metric else ((fact.amount, fact.unit) if fact else (None, ""))
                        if a is None:
                            break
                        vals[i.key] = as_number(a, unit)
                    exp = None if c["expected"] == metric else self.fact(c["expected"])
                    want = amount if c["expected"] == metric else (exp.amount if exp else None)
                    if len(vals) < len(f.inputs) or not want:
                        continue
                    try:
                        got = f.evaluate(vals)
                    except ZeroDivisionError:
                        continue
                    want = as_number(want, self._unit(c["expected"]))
                    score[amount] += 1 if abs(got - want) <= tol * abs(want) else -1
            best = max(score.values())
            return next(a for a in amounts if score[a] == best)
        finally:
            self._breaking = False

    def _unit(self, metric: str) -> str:
        rows = self.figures.loc[self.figures["metric"] == metric, "unit"]
        return rows.iloc[0] if len(rows) else ""

    def fact(self, metric: str) -> Fact | None:
        """The metric's current value: the consensus of its latest period, with the earlier periods as history."""
        values = self.series(metric)
        if not values:
            return None
        cur = values[-1]
        entity = self.figures.loc[self.figures["metric"] == metric, "entity"].iloc[0]
        return Fact(**vars(cur), metric=metric, label=self.label(metric), entity=entity, history=tuple(values[:-1]))

    def value_for(self, metric: str, period: str) -> Value | None:
        """The metric's value for a period (a check's pin): the one given for that period, else the latest given for a
        period inside it (a day of the month), else the one for the most precise period around it (periods that nest
        are one period); None if the data gives none."""
        values = [v for v in self.series(metric) if v.period]
        for found in ([v for v in values if v.period == period], [v for v in values if nested(v.period, period)],
                      [v for v in values if nested(period, v.period)]):
            if found:
                return found[-1]
        return None

    def quote_for(self, metric: str, amount: float) -> str:
        """The words of the first source that gives this value for the metric."""
        rows = self.figures[(self.figures["metric"] == metric) & (self.figures["amount"] == amount)]
        return rows.iloc[0]["quote"] if len(rows) else ""

    def event(self, event_id: str) -> pd.Series | None:
        hit = self.events[self.events["event_id"] == event_id]
        if hit.empty and self.event_versions is not None:
            hit = self.event_versions[self.event_versions["event_id"] == event_id]
        return None if hit.empty else hit.iloc[0]

    @property
    def all_events(self) -> pd.DataFrame:
        """Every event row, versions included, in date order."""
        if self.event_versions is None or self.event_versions.empty:
            return self.events
        return pd.concat([self.events, self.event_versions]).sort_values(["date", "event_id"]).reset_index(drop=True)

    @property
    def n_events(self) -> int:
        """Events counted once: a source's other version of an event (version_of) is not another event."""
        return len(self.events)

    def listings(self) -> set[str]:
        """Statuses that only name the party (statuses.csv supersedes = no): never a party's latest over a move."""
        return set(self.statuses.index[self.statuses["supersedes"] == "no"])

    def status_histories(self, roles: list[str] | None = None) -> list[History]:
        """Each party's record in each role (data.history): its statuses as moments, oldest first. A party with two
        roles (Meta as investor and as client) has two histories."""
        rel = self.relationships if roles is None else self.relationships[self.relationships["role"].isin(roles)]
        if rel.empty:
            return []
        listings = self.listings()
        rel = rel.assign(_undated=rel["as_of_basis"] == "undated",
                         _listing=rel["status"].isin(listings), _ev=evidence_rank(rel["evidence"]),
                         _n=rel["source_list"].map(len))

        def rank(g: pd.DataFrame) -> pd.DataFrame:  # the lead: a move before a listing, dated, surest, most sources, latest
            return g.sort_values(["_listing", "_undated", "_ev", "_n", "_last", "relationship_id"],
                                 ascending=[True, True, True, False, False, True], kind="stable")

        out = []
        for (party, role), g in rel.groupby(["party", "role"], sort=True):
            out.append(History(party, role, moments(g, "direction", rank, g["_undated"] | g["_listing"], g["_listing"])))
        return out

    def latest_status(self, roles: list[str] | None = None) -> pd.DataFrame:
        """Each party's latest status in the given roles (all roles if None): the lead account of its history's latest
        moment (data.history: dated before undated commentary, a move before a listing, then the surest evidence). A
        party in several roles takes its newest. Column `disputed`: that moment's accounts point different ways."""
        rows = []
        for h in self.status_histories(roles):
            cur = h.current
            rows.append(cur.lead.to_dict() | {"disputed": cur.disputed, "_mfirst": cur.first})
        if not rows:
            return self.relationships.iloc[0:0].assign(disputed=pd.Series(dtype=bool))
        df = pd.DataFrame(rows)
        df = df.sort_values(["party", "_listing", "_undated", "_mfirst", "_ev"], ascending=[True, True, True, False, True], kind="stable")
        df = df.drop_duplicates("party").drop(columns=["_ev", "_undated", "_listing", "_n", "_mfirst"])
        return df.reset_index(drop=True)

    def claim_histories(self) -> list[History]:
        """Each claims.csv topic's record (data.history): a later claim on a topic is the newest word, unless topics.csv
        says the topic's answer cannot change (changes = no), when every claim on it is one moment."""
        c = self.claims
        if c is None or c.empty:
            return []
        timeless = set(self.topics.index[self.topics["changes"] == "no"])
        c = c.assign(_undated=c["as_of_basis"] == "undated", _derived=c["as_of_basis"] == "derived",
                     _ev=evidence_rank(c["evidence"]), _n=c["source_list"].map(len), _line=c["line"].astype(int))

        def rank(g: pd.DataFrame) -> pd.DataFrame:  # surest, dated, most sources, a stated date, then file order
            return g.sort_values(["_ev", "_undated", "_n", "_derived", "_line"], ascending=[True, True, False, True, True], kind="stable")

        no = pd.Series(False, index=c.index)
        return [History(topic, "", moments(g, "claim", rank, g["_undated"], no.loc[g.index], topic in timeless))
                for topic, g in c.groupby("topic", sort=False)]

    def movers(self, roles: tuple[str, ...] | None = None) -> pd.DataFrame:
        """The one rule for who is moving: each party's latest status in these roles (a party with two roles, Meta as
        investor and client, counts in the roles asked for), with direction away or toward. The dek, By the numbers,
        chart titles and prose all count from it."""
        latest = self.latest_status(list(self.story.roles["clients"] if roles is None else roles))
        return latest[latest["direction"] != "neutral"].reset_index(drop=True)

    def row_sources(self, row_id: str) -> list[str]:
        """The sources of one row of this edition (an event, claim, status or figure, by its id): what a sentence
        built on that row cites. Empty if the row is not in this edition."""
        for df, key, col in ((self.all_events, "event_id", "source_ids"), (self.claims, "claim_id", "source_ids"),
                             (self.relationships, "relationship_id", "source_ids"), (self.figures, "figure_id", "source_id")):
            if df is None or key not in df:
                continue
            hit = df[df[key] == row_id]
            if len(hit):
                return [s for s in split_ids(hit.iloc[0][col]) if s in self.sources.index]
        return []

    def status_date_text(self, row: pd.Series) -> str:
        """A status's or claim's date in words, one way everywhere: the date of the event it rests on (one fact, one
        date: a window stays a window), else its own as_of at the text's precision (a month prints as the month)."""
        return row["when"] if row.get("when", "") else when_text(row["as_of"])

    def pulling_back(self) -> pd.DataFrame:
        """Clients whose latest status moves them away from Scale (direction 'away'; the rule is movers())."""
        m = self.movers()
        return m[m["direction"] == "away"]


def split_ids(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


# NUL and the bidi embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069) can hide or
# reorder text on the page ("Trojan Source"); none belongs in the data, so none reaches the HTML.
_INVISIBLE = re.compile("[\x00\u202a-\u202e\u2066-\u2069]")


def neutralise(text: str) -> str:
    return _INVISIBLE.sub("", text) if isinstance(text, str) else text


def _frame(table) -> pd.DataFrame:
    df = pd.DataFrame(table.rows, columns=table.resource.field_names, dtype="string").fillna("")
    df = df.astype(object).map(neutralise)
    df["line"] = table.lines
    return df


def load(data_dir: str | Path, as_of: str | None = None, rules: bool = True, checked: bool = True) -> Dataset:
    """Validate and load data_dir; keep only what was public on or before as_of.

    Sources and figures count from the source's known_from date; events from their date and
    relationships from their as_of, provided one of their sources is public by then.
    Raises DataError listing every problem. rules=False skips the editorial rules (a past edition, read as it was);
    checked=False only reads (data the build's story step has validated: validate.validate).
    """
    as_of = ("" if as_of is None else str(as_of)).strip() or None  # papermill's -p as_of 12345 passes a number: it is then "not a date"
    tables = validated_tables(Path(data_dir), as_of, rules, checked)
    sources = _frame(tables["sources"]).set_index("source_id", drop=False)
    sources["number"] = range(1, len(sources) + 1)
    events = _frame(tables["events"])
    figures = _frame(tables["figures"])
    rels = _frame(tables["relationships"])
    metrics = _frame(tables["metrics"]).set_index("metric", drop=False)
    statuses = _frame(tables["statuses"]).set_index("status", drop=False)
    checks = _frame(tables["checks"])
    claims = _frame(tables["claims"])  # every table and column of the current shape: an older package is upgraded at load

    figures["decimals"] = figures["value"].map(rounding.decimals)  # the precision the value is written with (a rounding restates)
    figures["value"] = figures["value"].astype(float)
    figures["amount"] = [v * fmt.SCALE[s] for v, s in zip(figures["value"], figures["scale"])]
    figures["known_from"] = figures["source_id"].map(sources["known_from"])
    for df in (events, rels, claims):
        df["source_list"] = df["source_ids"].map(split_ids)

    # one date per status and claim: its event's window where it rests on one, else its as_of (data.history)
    every_event = events.set_index("event_id", drop=False)
    for df in (rels, claims):
        ev = [every_event.loc[e] if e and e in every_event.index else None for e in (df["event_id"] if "event_id" in df else [""] * len(df))]  # claims.csv has no event_id
        spans = [window(a, e) for a, e in zip(df["as_of"], ev)]
        df["_first"], df["_last"] = [s[0] for s in spans], [s[1] for s in spans]
        df["when"] = [when_text(a, e) for a, e in zip(df["as_of"], ev)]
    topics = _frame(tables["topics"]).set_index("topic", drop=False)
    watch = _frame(tables["watch"])

    all_sources = sources.copy()
    if as_of:
        sources = sources[sources["known_from"] <= as_of]
        known = set(sources.index)
        # an event or status counts once it happened AND some source public by then reports it
        events = events[(events["date"] <= as_of) & events["source_list"].map(lambda ids: bool(known.intersection(ids)))]
        rels = rels[(rels["_first"] <= as_of) & rels["source_list"].map(lambda ids: bool(known.intersection(ids)))]
        figures = figures[figures["known_from"] <= as_of]
        claims = claims[(claims["_first"] <= as_of) & claims["source_list"].map(lambda ids: bool(known.intersection(ids)))]
    events = events.sort_values(["date", "event_id"]).reset_index(drop=True)
    # One event, one row on the page: another source's version of it (version_of) is kept apart, shown where
    # the reporting disagrees, and neither counted again, plotted again nor allowed to date the edition.
    is_version = events["version_of"] != ""
    versions, events = events[is_version].reset_index(drop=True), events[~is_version].reset_index(drop=True)
    return Dataset(
        data_dir=Path(data_dir),
        as_of=as_of,
        sources=sources,
        events=events,
        figures=figures.reset_index(drop=True),
        relationships=rels.sort_values(["party", "_first", "relationship_id"]).reset_index(drop=True),
        all_sources=all_sources,
        metrics=metrics,
        statuses=statuses,
        checks=checks,
        claims=claims.sort_values(["topic", "as_of", "claim_id"]).reset_index(drop=True),
        event_versions=versions,
        topics=topics,
        watch=watch,
        story=identity.read(schema_path(Path(data_dir))),
    )
