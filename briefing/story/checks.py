"""Do the numbers add up: the checks declared in checks.csv, computed from the figures, with a variant for every other value a source gives."""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass

import pandas as pd

from ..data import fmt
from ..data.dataset import Dataset
from .reporting import reported_by


@dataclass(frozen=True)
class Check:
    """A declared check (checks.csv): `formula` over metric keys (amounts; percents as fractions), compared with `expected`."""

    check_id: str
    label: str
    formula: str
    expected: str | None = None  # a metric, or None for a result shown for information
    tolerance: float = 0.02  # relative
    show: str = "money"  # how to print the result: money, ratio, share, month
    note: str = ""
    anchor: str = ""  # for show = month: the event whose date the months count back from
    defines: bool = False  # the formula defines `expected` (checks.csv defines = yes): a variant of its inputs in another check recomputes it


def declared_checks(d: Dataset) -> list[Check]:
    """The checks declared in checks.csv, in file order."""
    return [Check(r["check_id"], r["label"], r["formula"], r["expected"] or None, float(r["tolerance"]) if r["tolerance"] else 0.02,
                  r["show"], r["note"], r.get("anchor", ""), r.get("defines", "") == "yes") for _, r in d.checks.iterrows()]


def definitions(checks: list[Check]) -> dict[str, Check]:
    """The metrics that declared checks define (defines = yes), each with its defining check: valuation_post_usd is
    meta_investment_usd / meta_stake_pct, so a check whose investment varies recomputes the valuation after the deal."""
    return {c.expected: c for c in checks if c.defines and c.expected}


def _recompute(d: Dataset, chk: Check, metric: str, alt: dict, defs: dict[str, Check]) -> tuple[float, Check, list[str]] | None:
    """The value of `metric` recomputed with a variant input (alt: {input: (amount, unit, sources)}), where another
    check defines it from that input; None where nothing defines it so, or the definition cannot be computed."""
    rule = defs.get(metric)
    if rule is None or rule.check_id == chk.check_id or not alt:
        return None
    inputs = metric_names(rule.formula)
    if metric in inputs or not set(alt) & set(inputs):
        return None
    values, sources = {}, []
    for n in inputs:
        if n in alt:
            amount, unit, srcs = alt[n]
        else:
            f = d.fact(n)
            if f is None:
                return None
            amount, unit, srcs = f.amount, f.unit, list(f.source_ids)
        values[n] = _as_number(amount, unit)
        sources += srcs
    try:
        return evaluate(rule.formula, values), rule, sources
    except ZeroDivisionError:
        return None


def _difference_pct(diff: float, tolerance: float) -> float:
    """The relative difference in percent, to one decimal, or more where one decimal would blur the verdict (+10.0% failing ±10%)."""
    for places in (1, 2, 3, 4):
        pct = round(diff * 100, places)
        if (abs(pct) > tolerance * 100) == (abs(diff) > tolerance):
            break
    return pct


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


def _show(value: float, how: str, anchor_date: str = "") -> str:
    if not math.isfinite(value):
        return "cannot be computed (out of range)"
    if how == "month":
        return _months_before(anchor_date, value) if anchor_date else "cannot be computed (no anchor event in this edition)"
    return {"money": lambda v: fmt.money(v, True), "ratio": fmt.ratio, "share": fmt.share}[how](value)


def _months_before(date: str, months: float) -> str:
    """The month `months` before `date`, in words: 12 months before June 18, 2025 is June 2024."""
    y, m = int(date[:4]), int(date[5:7])
    total = y * 12 + (m - 1) - round(months)
    return fmt.date_text(f"{total // 12:04d}-{total % 12 + 1:02d}-01", "month")


def _qualifier(rows: pd.DataFrame) -> str:
    """The hedge the sources give a value, never dropped: shared ('at least'), or in how many texts ('about' in 2 of 5 texts)."""
    n = rows["source_id"].nunique()
    by_q = {q: g["source_id"].nunique() for q, g in rows[rows["qualifier"] != ""].groupby("qualifier", sort=False)}
    if not by_q:
        return ""
    plain = set(rows.loc[rows["qualifier"] == "", "source_id"])
    if len(by_q) == 1 and not plain:
        return next(iter(by_q))
    return "; ".join(f"\u2018{q}\u2019 in {k} of {n} texts" for q, k in by_q.items())


def qualified(amount: float, unit: str, rows: pd.DataFrame, short: bool = False) -> str:
    """A value with its sources' hedge: 'at least $120 million', or '$200 million (‘about’ in 2 of 5)'."""
    q = _qualifier(rows)
    text = fmt.number(amount, unit, short)
    if not q:
        return text
    return f"{q} {text}" if "‘" not in q else f"{text} ({q})"


def _input_text(d: Dataset, metric: str, amount: float, unit: str, period: str) -> str:
    when = f" ({fmt.period_text(period)})" if period else ""
    rows = d.figures[(d.figures["metric"] == metric) & (d.figures["amount"] == amount)]
    if period:  # the rows behind this period's value: dated to it, or undated
        rows = rows[rows["period"].isin([period, ""])]
    return f"{d.label(metric)}{when} = {qualified(amount, unit, rows, True)}"


def run_checks(d: Dataset, checks: list[Check] | None = None) -> pd.DataFrame:
    """One row per check and per variant of its inputs: the current values, then every other value any source gives."""
    rows = []
    declared = declared_checks(d)
    checks = declared if checks is None else checks
    defs = definitions(declared + list(checks))
    for chk in checks:
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
                redo = _recompute(d, chk, n, alt, defs)
                if redo is not None:  # what depends on the variant is recomputed from it, not taken as reported
                    values[n], rule, srcs = redo
                    desc.append(f"{d.label(n)} = {_show(values[n], rule.show)}, recomputed with this value (\u2018{rule.label}\u2019)")
                    sources += srcs
                    continue
                values[n] = _as_number(amount, unit)
                sources += srcs
                desc.append(_input_text(d, n, amount, unit, base[n].period if n not in alt else ""))
            if alt:
                (metric, (amount, unit, srcs)), = alt.items()
                vrows = d.figures[(d.figures["metric"] == metric) & (d.figures["amount"] == amount)]
                vtext = qualified(amount, unit, vrows, True)
                variant = f"with {d.label(metric)} {'at' if vtext[:1] in '$0123456789' else 'given as'} {vtext}, as {reported_by(d, srcs)}"
            else:
                metric, variant = "", "with the current value of each input"
            try:
                result = evaluate(chk.formula, values)
            except ZeroDivisionError:
                result = None
            note = chk.note
            periods = {n: base[n].period for n in names if n not in alt and base[n].period}
            if len(set(periods.values())) > 1:  # e.g. a 2025 plan against 2024 revenue: the reader is told, every time
                note = (note + " " if note else "") + "The inputs are for different periods: " + ", ".join(
                    f"{d.label(n)} for {fmt.period_text(p)}" for n, p in periods.items()) + "."
            anchor_date = ""
            if chk.anchor:
                ev = d.event(chk.anchor)
                anchor_date = "" if ev is None else ev["date"]
                if ev is not None:
                    desc.append(f"counted back from {fmt.event_date_text(ev)} ({ev['label'] or ev['actor']})")
                    sources += [s for s in ev["source_list"] if s not in sources]
            row = {"check": chk.check_id, "label": chk.label, "variant": variant, "variant_metric": metric, "inputs": "; ".join(desc),
                   "result": result, "shown": _show(result, chk.show, anchor_date) if result is not None else "cannot be computed (division by zero)",
                   "expected": None, "expected_shown": "", "difference_pct": None, "verdict": "info" if result is not None else "n/a",
                   "tolerance": f"±{chk.tolerance:.0%}" if chk.expected else "", "note": note, "sources": ";".join(dict.fromkeys(sources))}
            if expected and result is not None:
                exp_value, exp_shown, exp_sources = _as_number(expected.amount, expected.unit), expected.text(True), list(expected.source_ids)
                redo = _recompute(d, chk, chk.expected, alt, defs)
                if redo is not None:
                    exp_value, rule, exp_sources = redo
                    exp_shown = f"{_show(exp_value, rule.show)} (recomputed with this value: \u2018{rule.label}\u2019)"
                row.update(expected=exp_value, expected_shown=exp_shown, sources=";".join(dict.fromkeys(sources + exp_sources)))
                if exp_value:
                    diff = (result - exp_value) / exp_value
                    row.update(difference_pct=_difference_pct(diff, chk.tolerance), verdict="pass" if abs(diff) <= chk.tolerance else "fail")
                else:
                    row.update(verdict="n/a", shown=row["shown"] + "; the expected value is zero, so no relative difference")
            rows.append(row)
    return pd.DataFrame(rows, columns=["check", "label", "variant", "variant_metric", "inputs", "result", "shown", "expected", "expected_shown",
                                       "difference_pct", "tolerance", "verdict", "note", "sources"])
