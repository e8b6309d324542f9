"""What changed since the last edition (BASE), in a reader's terms, most important first."""

from __future__ import annotations

import pandas as pd

from ..data import fmt
from ..data.dataset import Dataset

KEYS = {"relationships": "relationship_id", "events": "event_id", "figures": "figure_id", "sources": "source_id"}
GROUPS = {"statuses": "Statuses", "events": "Events", "figures": "Figures", "sources": "Sources", "corrections": "Corrections to earlier rows"}
IGNORE = {"line", "number", "amount", "decimals", "known_from", "source_list"}


def _status_text(r: pd.Series) -> str:
    return f"{r['status']} ({r['evidence']}, {r['when']})"


def compare(old: Dataset, new: Dataset) -> list[dict]:
    """What changed from the old edition's data to the new one, in reader's terms, most important first.

    Each change has a group (statuses, events, figures, sources, corrections), a rank within it, and a sentence.
    """
    out: list[dict] = []

    def add(group: str, rank: int, text: str, date: str = "", ids=()):
        out.append({"group": group, "rank": rank, "date": date, "text": text, "ids": ";".join(ids)})

    # statuses: each party's latest status, old against new
    before = old.latest_status().set_index(["party", "role"])
    after = new.latest_status().set_index(["party", "role"])
    for key, r in after.iterrows():
        party = key[0]
        if key not in before.index:
            add("statuses", 1, f"{party}: {_status_text(r)}, new in this edition", r["as_of"], [r["relationship_id"]])
        elif (before.loc[key, "status"], before.loc[key, "evidence"]) != (r["status"], r["evidence"]):
            add("statuses", 0, f"{party}: {before.loc[key, 'status']} → {_status_text(r)}", r["as_of"], [r["relationship_id"]])
    for key, r in before.iterrows():
        if key not in after.index:
            add("statuses", 1, f"{key[0]}: no longer in the data (was {_status_text(r)})", r["as_of"], [r["relationship_id"]])
    # events: new ones with their dates, newest first
    old_ev = set(old.events["event_id"])
    for _, r in new.events[~new.events["event_id"].isin(old_ev)].sort_values("date", ascending=False).iterrows():
        add("events", 0, f"{fmt.date_text(r['date'], r['date_precision'])}: {r['description']}", r["date"], [r["event_id"]])
    for _, r in old.events[~old.events["event_id"].isin(set(new.events["event_id"]))].iterrows():
        add("events", 2, f"removed: {fmt.date_text(r['date'], r['date_precision'])}: {r['description']}", r["date"], [r["event_id"]])
    # figures: each metric's current value, old against new
    for metric in dict.fromkeys(new.figures["metric"]):
        f, g = old.fact(metric), new.fact(metric)
        when = f" ({g.period_text()})" if g.period else ""
        if f is None:
            add("figures", 1, f"{g.label}: {g.text()}{when}, new in this edition", g.period, g.source_ids)
        elif (f.amount, f.unit, f.period) != (g.amount, g.unit, g.period):
            was = f" ({f.period_text()})" if f.period else ""
            add("figures", 0, f"{g.label}: {f.text()}{was} → {g.text()}{when}", g.period, g.source_ids)
    for metric in dict.fromkeys(old.figures["metric"]):
        if new.fact(metric) is None:
            add("figures", 2, f"{old.label(metric)}: no longer in the data", "", ())
    # sources
    for _, r in new.all_sources[~new.all_sources["source_id"].isin(set(old.all_sources["source_id"]))].iterrows():
        add("sources", 0, f"new source [{new.citation_number(r['source_id'])}]: {r['outlet'] or r['headline'] or r['document']}", r["known_from"], [r["source_id"]])
    # corrections: rows present in both editions whose cells differ, and rows added or removed that moved no headline value
    frames = {"relationships": (old.relationships, new.relationships), "events": (old.events, new.events),
              "figures": (old.figures, new.figures), "sources": (old.all_sources, new.all_sources)}
    for kind, key in KEYS.items():
        a, b = (df.set_index(key, drop=False) for df in frames[kind])
        for k in a.index.intersection(b.index, sort=False):
            for c in [c for c in b.columns if c in a.columns and c not in IGNORE and not c.startswith("_")]:
                if str(a.loc[k, c]) != str(b.loc[k, c]):
                    add("corrections", 0, f"{_row_name(new, kind, b.loc[k])}: {c.replace('_', ' ')} changed from ‘{a.loc[k, c]}’ to ‘{b.loc[k, c]}’", "", [k])
        if kind in ("relationships", "figures"):
            for k in b.index.difference(a.index, sort=False):
                if not any(k in c["ids"].split(";") for c in out):
                    add("corrections", 1, f"another account: {_row_name(new, kind, b.loc[k])}", "", [k])
    group_order = list(GROUPS)
    out.sort(key=lambda c: (group_order.index(c["group"]), c["rank"], _neg_date(c["date"])))
    return out


def _neg_date(date: str) -> tuple:
    return tuple(-ord(ch) for ch in date)  # newest first within a rank


def _row_name(d: Dataset, kind: str, row: pd.Series) -> str:
    if kind == "figures":
        amount = float(row["value"]) * fmt.SCALE.get(row["scale"], 1.0)
        return f"{d.label(row['metric'])} = {fmt.number(amount, row['unit'])} (source {row['source_id']})"
    if kind == "relationships":
        return f"{row['party']}: {row['status']} ({row['evidence']}, {row['when']})"
    if kind == "events":
        return f"{fmt.date_text(row['date'], row['date_precision'])}: {row['description']}"
    return f"source {row['source_id']} ({row['outlet'] or row['headline'] or row['document']})"
