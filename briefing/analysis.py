"""Computed reading aids: where sources disagree, whether the numbers add up, what changed."""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass

import pandas as pd

from . import fmt
from .data import EVIDENCE_ORDER, Dataset

# ---------------------------------------------------------------- do the numbers add up

@dataclass(frozen=True)
class Check:
    """A declared check: `formula` over metric names (amounts; percents as fractions), compared with `expected`."""

    check_id: str
    label: str
    formula: str
    expected: str | None = None  # a metric, or None for a ratio shown for information
    tolerance: float = 0.02  # relative
    show: str = "money"  # how to print the result: money, ratio, share


CHECKS = (
    Check("implied-valuation", "Post-money valuation implied by the deal (investment ÷ stake)", "meta_investment_usd / meta_stake_pct", "valuation_post_usd", 0.02),
    Check("valuation-jump", "Valuation jump (after ÷ before)", "valuation_post_usd / valuation_pre_usd", "valuation_multiple", 0.10, "ratio"),
    Check("valuation-to-revenue", "Valuation after the deal as a multiple of 2024 revenue", "valuation_post_usd / scale_revenue_usd", None, show="ratio"),
    Check("google-spend-share", "Google's past spend as a share of Scale's 2024 revenue", "google_spend_usd / scale_revenue_usd", None, show="share"),
    Check("google-planned-share", "Google's planned spend as a share of Scale's 2024 revenue", "google_planned_spend_usd / scale_revenue_usd", None, show="share"),
)

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
    return {"money": lambda v: fmt.money(v, True), "ratio": fmt.ratio, "share": fmt.share}[how](value)


def run_checks(d: Dataset, checks=CHECKS) -> pd.DataFrame:
    """One row per check and per variant of its inputs (every distinct value any source gives)."""
    rows = []
    for chk in checks:
        names = metric_names(chk.formula)
        variants = {}
        for name in names:
            f = d.figures[d.figures["metric"] == name]
            variants[name] = [(a, g.iloc[0]["unit"], sorted(set(g["source_id"]), key=d.citation_number)) for a, g in f.groupby("amount")]
        if any(not v for v in variants.values()):
            continue
        expected = d.fact(chk.expected) if chk.expected else None
        # the consensus of every input first, then each alternative value of one input at a time
        base = {n: d.fact(n) for n in names}
        combos = [{}] + [{n: v} for n in names for v in variants[n] if v[0] != base[n].amount]
        for alt in combos:
            values, sources, desc = {}, [], []
            for n in names:
                amount, unit, srcs = alt.get(n, (base[n].amount, base[n].unit, list(base[n].source_ids)))
                values[n] = _as_number(amount, unit)
                sources += srcs
                desc.append(f"{n} = {fmt.number(amount, unit, True)}")
            result = evaluate(chk.formula, values)
            row = {"check": chk.check_id, "label": chk.label, "variant": "consensus" if not alt else f"variant: {next(iter(alt))}",
                   "inputs": "; ".join(desc), "result": result, "shown": _show(result, chk.show), "expected": None,
                   "expected_shown": "", "difference_pct": None, "verdict": "info", "tolerance": f"±{chk.tolerance:.0%}" if chk.expected else "",
                   "sources": ";".join(dict.fromkeys(sources))}
            if expected:
                exp_value = _as_number(expected.amount, expected.unit)
                diff = (result - exp_value) / exp_value
                row.update(expected=exp_value, expected_shown=expected.text(True), difference_pct=round(diff * 100, 1),
                           verdict="pass" if abs(diff) <= chk.tolerance else "fail",
                           sources=";".join(dict.fromkeys(sources + list(expected.source_ids))))
            rows.append(row)
    return pd.DataFrame(rows, columns=["check", "label", "variant", "inputs", "result", "shown", "expected", "expected_shown", "difference_pct", "tolerance", "verdict", "sources"])


# ---------------------------------------------------------------- where sources disagree

def figure_disagreements(d: Dataset) -> list[dict]:
    """Metrics whose sources give different values (or assign them to different periods)."""
    out = []
    for metric, rows in d.figures.groupby("metric", sort=True):
        periods_by_amount = {a: sorted({p for p in g["period"] if p}) for a, g in rows.groupby("amount")}
        if rows["amount"].nunique() < 2 and all(len(p) < 2 for p in periods_by_amount.values()):
            continue
        fact = d.fact(metric)
        versions = []
        for (amount, period), g in rows.assign(period=rows["period"].replace("", "(not stated)")).groupby(["amount", "period"]):
            versions.append({"value": fmt.number(amount, g.iloc[0]["unit"]), "amount": amount, "period": period,
                             "source_ids": sorted(set(g["source_id"]), key=d.citation_number),
                             "quotes": list(dict.fromkeys(g["quote"])), "majority": amount == fact.amount})
        versions.sort(key=lambda v: (-len(v["source_ids"]), v["amount"]))
        out.append({"metric": metric, "entity": rows.iloc[0]["entity"], "n_sources": rows["source_id"].nunique(),
                    "consensus": fact.text(), "unit": fact.unit, "versions": versions})
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
    major = dis["versions"][0]
    lines = []
    for v in dis["versions"][1:]:
        n = len(v["source_ids"])
        what = v["value"] + (f" for {v['period']}" if v["period"] != "(not stated)" else "")
        lines.append(f"{_count(n)} of {dis['n_sources']} give{'s' if n == 1 else ''} {what}")
        failing = checks[(checks["variant"] == f"variant: {dis['metric']}") & (checks["verdict"] == "fail")]
        failing = failing[failing["inputs"].str.contains(fmt.number(v["amount"], dis["unit"], True), regex=False)]
        if not failing.empty:
            lines[-1] += "; it also fails the arithmetic check below"
    n_major = len(major["source_ids"])
    head = f"{_count(n_major).capitalize()} of {dis['n_sources']} give{'s' if n_major == 1 else ''} {major['value']}" + (f" for {major['period']}" if major["period"] != "(not stated)" else "")
    return head + "; " + "; ".join(lines) + "."


def _count(n: int) -> str:
    return {1: "one source", 2: "two sources", 3: "three sources"}.get(n, f"{n} sources")


# ---------------------------------------------------------------- what changed since the last edition

KEYS = {"sources": "source_id", "events": "event_id", "figures": "figure_id", "relationships": "relationship_id"}
NOUN = {"sources": "source", "events": "event", "figures": "figure", "relationships": "relationship"}
IGNORE = {"line", "number", "amount", "known_from_x", "source_list"}


def _label(kind: str, row: pd.Series) -> str:
    if kind == "figures":
        amount = float(row["value"]) * fmt.SCALE.get(row["scale"], 1.0)
        return f"{row['entity']} {row['metric']} = {fmt.number(amount, row['unit'])} ({row['source_id']})"
    if kind == "relationships":
        return f"{row['party']}: {row['status']} ({row['evidence']}, {row['as_of']})"
    if kind == "events":
        return f"{row['date']} {row['actor']}: {row['description']}"
    return f"{row['source_id']}: {row['outlet'] or row['headline'] or row['document']}"


def compare(old: dict[str, pd.DataFrame], new: dict[str, pd.DataFrame]) -> list[dict]:
    """Added, removed and changed rows per file, keyed by each file's id column."""
    changes = []
    for kind, key in KEYS.items():
        a = old.get(kind, pd.DataFrame(columns=[key])).set_index(key, drop=False)
        b = new.get(kind, pd.DataFrame(columns=[key])).set_index(key, drop=False)
        for k in b.index.difference(a.index, sort=False):
            changes.append({"file": kind, "id": k, "change": "added", "text": f"new {NOUN[kind]}: {_label(kind, b.loc[k])}"})
        for k in a.index.difference(b.index, sort=False):
            changes.append({"file": kind, "id": k, "change": "removed", "text": f"removed {NOUN[kind]}: {_label(kind, a.loc[k])}"})
        for k in a.index.intersection(b.index, sort=False):
            cols = [c for c in b.columns if c in a.columns and c not in IGNORE]
            diffs = [c for c in cols if str(a.loc[k, c]) != str(b.loc[k, c])]
            for c in diffs:
                who = b.loc[k, "party"] if kind == "relationships" else b.loc[k, "entity"] if kind == "figures" else k
                src = b.loc[k].get("source_ids", b.loc[k].get("source_id", ""))
                changes.append({"file": kind, "id": k, "change": "changed",
                                "text": f"{who}: {c} changed from '{a.loc[k, c]}' to '{b.loc[k, c]}'" + (f" (source {src})" if src else "")})
    return changes


def raw_frames(d: Dataset) -> dict[str, pd.DataFrame]:
    return {"sources": d.all_sources.reset_index(drop=True), "events": d.events, "figures": d.figures, "relationships": d.relationships}
