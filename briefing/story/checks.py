"""Do the numbers add up: the checks declared in checks.csv, computed from the figures, with a variant for every other value a source gives."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..data import fmt
from ..data.dataset import Dataset, Value
from ..data.formula import DEFAULT_TOLERANCE, SAME, Input, as_number, parse
from ..data.periods import nested, place_figures
from .outlets import reported_by


@dataclass(frozen=True)
class Check:
    """A declared check (checks.csv): `formula` over metric keys (amounts; percents as fractions), compared with `expected`."""

    check_id: str
    label: str
    formula: str
    expected: str | None = None  # a metric, or None for a result shown for information
    tolerance: float = DEFAULT_TOLERANCE  # relative
    show: str = "money"  # how to print the result: money, ratio, share, month
    note: str = ""
    anchor: str = ""  # for show = month: the event whose date the months count back from
    defines: bool = False  # the formula defines `expected` (checks.csv defines = yes): a variant of its inputs in another check recomputes it


def declared_checks(d: Dataset) -> list[Check]:
    """The checks declared in checks.csv, in file order."""
    return [Check(r["check_id"], r["label"], r["formula"], r["expected"] or None, float(r["tolerance"]) if r["tolerance"] else DEFAULT_TOLERANCE,
                  r["show"], r["note"], r.get("anchor", ""), r.get("defines", "") == "yes") for _, r in d.checks.iterrows()]


def definitions(checks: list[Check]) -> dict[str, Check]:
    """The metrics that declared checks define (defines = yes), each with its defining check: valuation_post_usd is
    meta_investment_usd / meta_stake_pct, so a check whose investment varies recomputes the valuation after the deal."""
    return {c.expected: c for c in checks if c.defines and c.expected}


def _recompute(d: Dataset, chk: Check, metric: str, alt: dict, defs: dict[str, Check]) -> tuple[float, Check, list[str]] | None:
    """The value of `metric` recomputed with a variant input (alt: {metric: (amount, unit, sources)}, current values
    only), where another check defines it from that input; None where nothing defines it so, or the definition cannot
    be computed."""
    rule = defs.get(metric)
    if rule is None or rule.check_id == chk.check_id or not alt:
        return None
    formula = parse(rule.formula)
    if metric in formula.names or not set(alt) & {i.metric for i in formula.inputs if not i.pin}:
        return None
    resolved = _resolve(d, formula)
    if resolved is None or any(v is None for v in resolved.values()):
        return None
    values, sources = {}, []
    for i, v in resolved.items():
        amount, unit, srcs = alt[i.metric] if not i.pin and i.metric in alt else (v.amount, v.unit, list(v.source_ids))
        values[i.key] = as_number(amount, unit)
        sources += srcs
    try:
        return formula.evaluate(values), rule, sources
    except ZeroDivisionError:
        return None


def _resolve(d: Dataset, formula) -> dict[Input, Value | None] | None:
    """Each input's value: the current one, or the one for its pinned period (@same: the period of the first input
    without a pin); None for a period the data gives no value for. None overall where a metric has no value at all in
    this edition (an early AS_OF): the check is left out, as before the metric was reported."""
    facts = {m: d.fact(m) for m in formula.names}
    if any(f is None for f in facts.values()):
        return None
    ref = formula.reference
    same = facts[ref.metric].period if ref else ""
    out = {}
    for i in formula.inputs:
        pin = same if i.pin == SAME else i.pin
        out[i] = facts[i.metric] if not i.pin else d.value_for(i.metric, pin) if pin else None
    return out


def _variants(d: Dataset, metric: str, period: str) -> list[tuple[float, str, list[str]]]:
    """Every value sources give the metric for that period (a rounding counts as the value it rounds from, and a
    value for another period is history, not a variant): (amount, unit, sources)."""
    rows = place_figures(d.figures[d.figures["metric"] == metric])
    rows = rows[(rows["slot"] == period) & (rows["placed"] != "period") & rows["version"].notna()]
    return [(a, g.iloc[0]["unit"], sorted(set(g["source_id"]), key=d.citation_number)) for a, g in rows.groupby("version")]


def _difference_pct(diff: float, tolerance: float) -> float:
    """The relative difference in percent, to one decimal, or more where one decimal would blur the verdict (+10.0% failing ±10%)."""
    for places in (1, 2, 3, 4):
        pct = round(diff * 100, places)
        if (abs(pct) > tolerance * 100) == (abs(diff) > tolerance):
            break
    return pct


def metric_names(formula: str) -> list[str]:
    """The metrics a formula reads (briefing/data/formula.py), sorted, each once."""
    return parse(formula).names


def evaluate(formula: str, values: dict[str, float]) -> float:
    """Arithmetic over metric names only: + - * / and numbers; nothing else runs (formula.FormulaError, a ValueError).
    `values` are keyed by each input as written: 'scale_headcount' or 'scale_headcount@2025-07'."""
    return parse(formula).evaluate(values)


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
        rows = rows[rows["period"].isin([period, ""]) | rows["period"].map(lambda p: bool(p) and (nested(p, period) or nested(period, p)))]
    return f"{d.label(metric)}{when} = {qualified(amount, unit, rows, True)}"


def _not_computed(d: Dataset, formula, base: dict, same: str) -> str:
    """Why a check has no result: a pinned period the data gives no value for, or a division by zero."""
    gaps = []
    for i, v in base.items():
        if v is None:
            pin = same if i.pin == SAME else i.pin
            gaps.append(f"no value of {d.label(i.metric)} for {fmt.period_text(pin)}" if pin
                        else f"{d.label(formula.reference.metric)} has no period for {d.label(i.metric)} to match")
    return f"cannot be computed ({'; '.join(gaps)} in this edition)" if gaps else "cannot be computed (division by zero)"


def run_checks(d: Dataset, checks: list[Check] | None = None) -> pd.DataFrame:
    """One row per check and per variant of its inputs: the current values, then every other value any source gives.
    The declared checks are run once per edition (Dataset.computed: the story stage's checks.csv in a build)."""
    if checks is None:
        return d.computed("checks", lambda: _run_checks(d, None)).copy()
    return _run_checks(d, checks)


def _run_checks(d: Dataset, checks: list[Check] | None) -> pd.DataFrame:
    rows = []
    declared = declared_checks(d)
    checks = declared if checks is None else checks
    defs = definitions(declared + list(checks))
    for chk in checks:
        formula = parse(chk.formula)
        base = _resolve(d, formula)
        if base is None:
            continue
        missing = [i for i, v in base.items() if v is None]
        same = next((v.period for i, v in base.items() if i == formula.reference and v is not None), "")
        variants = {i: _variants(d, i.metric, v.period) for i, v in base.items() if v is not None}
        expected = d.fact(chk.expected) if chk.expected else None
        combos = [{}] + [{i: v} for i in variants for v in variants[i] if v[0] != base[i].amount and not missing]
        for alt in combos:
            values, sources, desc = {}, [], []
            by_metric = {i.metric: v for i, v in alt.items() if not i.pin}
            for i, cur in base.items():
                if cur is None:
                    pin = same if i.pin == SAME else i.pin
                    desc.append(f"{d.label(i.metric)} ({fmt.period_text(pin) if pin else 'the period of ' + d.label(formula.reference.metric)})"
                                f" = not in this edition's data")
                    continue
                amount, unit, srcs = alt.get(i, (cur.amount, cur.unit, list(cur.source_ids)))
                redo = _recompute(d, chk, i.metric, by_metric, defs) if not i.pin else None
                if redo is not None:  # what depends on the variant is recomputed from it, not taken as reported
                    values[i.key], rule, srcs = redo
                    desc.append(f"{d.label(i.metric)} = {_show(values[i.key], rule.show)}, recomputed with this value (\u2018{rule.label}\u2019)")
                    sources += srcs
                    continue
                values[i.key] = as_number(amount, unit)
                sources += srcs
                desc.append(_input_text(d, i.metric, amount, unit, cur.period if i not in alt or i.pin else ""))
            if alt:
                (term, (amount, unit, srcs)), = alt.items()
                metric = term.metric
                vrows = d.figures[(d.figures["metric"] == metric) & (d.figures["amount"] == amount)]
                vtext = qualified(amount, unit, vrows, True) + (f" for {fmt.period_text(base[term].period)}" if term.pin else "")
                variant = f"with {d.label(metric)} {'at' if vtext[:1] in '$0123456789' else 'given as'} {vtext}, as {reported_by(d, srcs, list(vrows['quote']))}"
            else:
                metric, variant = "", "with the current value of each input"
            try:
                result = None if missing else formula.evaluate(values)
            except ZeroDivisionError:
                result = None
            note = chk.note
            # inputs whose period the formula does not name (no pin, or @same), for periods that do not nest: e.g. a 2025 plan
            # against 2024 revenue; the reader is told, every time
            periods = {i: base[i].period for i in base if i not in alt and base[i] is not None and base[i].period and i.pin in ("", SAME)}
            if any(not (nested(p, q) or nested(q, p)) for p in periods.values() for q in periods.values()):
                note = (note + " " if note else "") + "The inputs are for different periods: " + ", ".join(
                    f"{d.label(i.metric)} for {fmt.period_text(p)}" for i, p in periods.items()) + "."
            anchor_date = ""
            if chk.anchor:
                ev = d.event(chk.anchor)
                anchor_date = "" if ev is None else ev["date"]
                if ev is not None:
                    desc.append(f"counted back from {fmt.event_date_text(ev)} ({ev['label'] or ev['actor']})")
                    sources += [s for s in ev["source_list"] if s not in sources]
            row = {"check": chk.check_id, "label": chk.label, "variant": variant, "variant_metric": metric, "inputs": "; ".join(desc),
                   "result": result, "shown": _show(result, chk.show, anchor_date) if result is not None else _not_computed(d, formula, base, same),
                   "expected": None, "expected_shown": "", "difference_pct": None, "verdict": "info" if result is not None else "n/a",
                   "tolerance": fmt.tolerance(chk.tolerance) if chk.expected else "", "note": note, "sources": ";".join(dict.fromkeys(sources))}
            if expected and result is not None:
                exp_value, exp_shown, exp_sources = as_number(expected.amount, expected.unit), expected.text(True), list(expected.source_ids)
                redo = _recompute(d, chk, chk.expected, by_metric, defs)
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
