"""Computed reading aids: where sources disagree, whether the numbers add up, what changed."""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass

import pandas as pd

from . import fmt
from .data import EVIDENCE_ORDER, Dataset, effective_periods, period_key

# ---------------------------------------------------------------- do the numbers add up

@dataclass(frozen=True)
class Check:
    """A declared check (checks.csv): `formula` over metric keys (amounts; percents as fractions), compared with `expected`."""

    check_id: str
    label: str
    formula: str
    expected: str | None = None  # a metric, or None for a result shown for information
    tolerance: float = 0.02  # relative
    show: str = "money"  # how to print the result: money, ratio, share
    note: str = ""


def declared_checks(d: Dataset) -> list[Check]:
    """The checks declared in checks.csv, in file order."""
    return [Check(r["check_id"], r["label"], r["formula"], r["expected"] or None, float(r["tolerance"]) if r["tolerance"] else 0.02,
                  r["show"], r["note"]) for _, r in d.checks.iterrows()]


_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def metric_names(formula: str) -> list[str]:
    return sorted({n.id for n in ast.walk(ast.parse(formula, mode="eval")) if isinstance(n, ast.Name)})


def evaluate(formula: str, values: dict[str, float]) -> float:
    """Arithmetic over metric names only: + - * / and numbers; nothing else runs."""

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        raise ValueError(f"not allowed in a check formula: {ast.dump(node)}")

    return walk(ast.parse(formula, mode="eval"))


def _as_number(amount: float, unit: str) -> float:
    return amount / 100 if unit == "percent" else amount


def _show(value: float, how: str) -> str:
    if not math.isfinite(value):
        return "cannot be computed (out of range)"
    return {"money": lambda v: fmt.money(v, True), "ratio": fmt.ratio, "share": fmt.share}[how](value)


def _input_text(d: Dataset, metric: str, amount: float, unit: str, period: str) -> str:
    when = f" ({fmt.period_text(period)})" if period else ""
    return f"{d.label(metric)}{when} = {fmt.number(amount, unit, True)}"


def run_checks(d: Dataset, checks: list[Check] | None = None) -> pd.DataFrame:
    """One row per check and per variant of its inputs: the current values, then every other value any source gives."""
    rows = []
    for chk in declared_checks(d) if checks is None else checks:
        names = metric_names(chk.formula)
        base = {n: d.fact(n) for n in names}
        if any(f is None for f in base.values()):
            continue
        variants = {}
        for name in names:
            f = d.figures[d.figures["metric"] == name]
            variants[name] = [(a, g.iloc[0]["unit"], sorted(set(g["source_id"]), key=d.citation_number)) for a, g in f.groupby("amount")]
        expected = d.fact(chk.expected) if chk.expected else None
        combos = [{}] + [{n: v} for n in names for v in variants[n] if v[0] != base[n].amount]
        for alt in combos:
            values, sources, desc = {}, [], []
            for n in names:
                amount, unit, srcs = alt.get(n, (base[n].amount, base[n].unit, list(base[n].source_ids)))
                values[n] = _as_number(amount, unit)
                sources += srcs
                desc.append(_input_text(d, n, amount, unit, base[n].period if n not in alt else ""))
            if alt:
                (metric, (amount, unit, srcs)), = alt.items()
                variant = f"with {d.label(metric)} at {fmt.number(amount, unit, True)}, as {_count(len(srcs))} give{'s' if len(srcs) == 1 else ''}"
            else:
                metric, variant = "", "with the current value of each input"
            try:
                result = evaluate(chk.formula, values)
            except ZeroDivisionError:
                result = None
            row = {"check": chk.check_id, "label": chk.label, "variant": variant, "variant_metric": metric, "inputs": "; ".join(desc),
                   "result": result, "shown": _show(result, chk.show) if result is not None else "cannot be computed (division by zero)",
                   "expected": None, "expected_shown": "", "difference_pct": None, "verdict": "info" if result is not None else "n/a",
                   "tolerance": f"±{chk.tolerance:.0%}" if chk.expected else "", "note": chk.note, "sources": ";".join(dict.fromkeys(sources))}
            if expected and result is not None:
                exp_value = _as_number(expected.amount, expected.unit)
                row.update(expected=exp_value, expected_shown=expected.text(True), sources=";".join(dict.fromkeys(sources + list(expected.source_ids))))
                if exp_value:
                    diff = (result - exp_value) / exp_value
                    row.update(difference_pct=round(diff * 100, 1), verdict="pass" if abs(diff) <= chk.tolerance else "fail")
                else:
                    row.update(verdict="n/a", shown=row["shown"] + "; the expected value is zero, so no relative difference")
            rows.append(row)
    return pd.DataFrame(rows, columns=["check", "label", "variant", "variant_metric", "inputs", "result", "shown", "expected", "expected_shown",
                                       "difference_pct", "tolerance", "verdict", "note", "sources"])


# ---------------------------------------------------------------- where sources disagree

def figure_disagreements(d: Dataset) -> list[dict]:
    """Metrics whose sources give different values for the same period, or tie one value to different periods.

    Different values for different periods are a series (a change over time), not a disagreement.
    """
    out = []
    for metric, rows in d.figures.groupby("metric", sort=True):
        rows = rows.assign(_period=effective_periods(rows))
        label, entity, unit = d.label(metric), rows.iloc[0]["entity"], rows.iloc[0]["unit"]
        series = {v.period: v for v in d.series(metric)}
        for period, grp in rows.groupby("_period", sort=False):
            if grp["amount"].nunique() < 2:
                continue
            cur = series[period]
            versions = []
            for amount, g in grp.groupby("amount"):
                quals = {q for q in g["qualifier"] if q}
                versions.append({"value": (f"{quals.pop()} " if len(quals) == 1 else "") + fmt.number(amount, unit), "amount": amount,
                                 "period": fmt.period_text(period), "dated": bool((g["period"] != "").any()),
                                 "source_ids": sorted(set(g["source_id"]), key=d.citation_number),
                                 "quotes": list(dict.fromkeys(g["quote"])), "majority": amount == cur.amount})
            versions.sort(key=lambda v: (not v["majority"], -len(v["source_ids"]), v["amount"]))
            out.append({"kind": "value", "metric": metric, "label": label, "entity": entity, "period": fmt.period_text(period),
                        "n_sources": grp["source_id"].nunique(), "consensus": cur.text(), "unit": unit, "versions": versions})
        # one value, different explicit periods, and no source giving it for more than one: sources differ on the period
        for amount, g in rows[rows["period"] != ""].groupby("amount"):
            periods = sorted(set(g["period"]), key=period_key)
            if len(periods) < 2 or (g.groupby("source_id")["period"].nunique() > 1).any():
                continue
            by_period = [(p, g[g["period"] == p]) for p in periods]
            versions = [{"value": fmt.number(amount, unit), "amount": amount, "period": fmt.period_text(p), "dated": True,
                         "source_ids": sorted(set(x["source_id"]), key=d.citation_number), "quotes": list(dict.fromkeys(x["quote"])),
                         "majority": False} for p, x in by_period]
            versions.sort(key=lambda v: -len(v["source_ids"]))
            versions[0]["majority"] = len(versions[0]["source_ids"]) > len(versions[1]["source_ids"])
            out.append({"kind": "period", "metric": metric, "label": label, "entity": entity, "period": "",
                        "n_sources": g["source_id"].nunique(), "consensus": fmt.number(amount, unit), "unit": unit, "versions": versions})
    return out


def status_disagreements(d: Dataset) -> list[dict]:
    """Parties whose status or evidence differs between sources, in date order (later supersedes)."""
    out = []
    for (party, role), g in d.relationships.groupby(["party", "role"], sort=True):
        if g["status"].nunique() < 2 and g["evidence"].nunique() < 2:
            continue
        # date order; on the same day the surest account comes last, so it is the one that stands
        g = g.assign(_ev=g["evidence"].map(EVIDENCE_ORDER.index)).sort_values(["as_of", "_ev"], ascending=[True, False])
        steps = [{"status": r["status"], "evidence": r["evidence"], "as_of": r["as_of"], "source_ids": r["source_list"], "quote": r["quote"]}
                 for _, r in g.iterrows()]
        latest = steps[-1]
        out.append({"party": party, "steps": steps, "latest": latest, "kind": "status" if g["status"].nunique() > 1 else "evidence"})
    return out


def reading(dis: dict, checks: pd.DataFrame) -> str:
    """One line on a figure disagreement: how many sources give what, and whether a variant fails a check."""
    if dis["kind"] == "period":
        parts = [f"{_count(len(v['source_ids']))} tie{'s' if len(v['source_ids']) == 1 else ''} it to {v['period']}" for v in dis["versions"]]
        return f"The sources agree on {dis['consensus']} but not on when it applies: " + "; ".join(parts) + "."
    when = f" for {dis['period']}" if dis["period"] else ""
    major = dis["versions"][0]
    lines = []
    for v in dis["versions"][1:]:
        n = len(v["source_ids"])
        lines.append(f"{_count(n)} of {dis['n_sources']} give{'s' if n == 1 else ''} {v['value']}")
        failing = checks[(checks["variant_metric"] == dis["metric"]) & (checks["verdict"] == "fail")]
        failing = failing[failing["variant"].str.contains(fmt.number(v["amount"], dis["unit"], True), regex=False)]
        if not failing.empty:
            lines[-1] += "; it also fails the arithmetic check below"
    n_major = len(major["source_ids"])
    head = f"{_count(n_major).capitalize()} of {dis['n_sources']} give{'s' if n_major == 1 else ''} {major['value']}{when}"
    if n_major == max(len(v["source_ids"]) for v in dis["versions"][1:]):
        head += " (the briefing leads with it: " + ("it is the version its source dates" if major["dated"] else "the earliest stated") + ")"
    return head + "; " + "; ".join(lines) + "."


def _count(n: int) -> str:
    return {1: "one source", 2: "two sources", 3: "three sources"}.get(n, f"{n} sources")


# ---------------------------------------------------------------- what changed since the last edition

KEYS = {"relationships": "relationship_id", "events": "event_id", "figures": "figure_id", "sources": "source_id"}
GROUPS = {"statuses": "Statuses", "events": "Events", "figures": "Figures", "sources": "Sources", "corrections": "Corrections to earlier rows"}
IGNORE = {"line", "number", "amount", "known_from", "source_list"}


def _status_text(r: pd.Series) -> str:
    return f"{r['status']} ({r['evidence']}, {fmt.date_text(r['as_of'])})"


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
        return f"{row['party']}: {row['status']} ({row['evidence']}, {fmt.date_text(row['as_of'])})"
    if kind == "events":
        return f"{fmt.date_text(row['date'], row['date_precision'])}: {row['description']}"
    return f"source {row['source_id']} ({row['outlet'] or row['headline'] or row['document']})"
