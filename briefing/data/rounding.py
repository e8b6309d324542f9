"""A rounded restatement is the same value: "$14 billion" in a later text is the $14.3 billion told at a coarser
precision, not a third version beside $14.3 billion and $14.8 billion.

A figure's precision is the decimals its `value` is written with, times its scale: 14 (billion) is to the whole
billion, 14.3 (billion) to the tenth, 1400 (one) to the unit, 1.4e3 to the hundred. Within one period of one metric
(data.place_figures' slot) and one unit, a value that a more precise value rounds to (half up) restates it and
counts toward it: its sources join that value's, and the precise value is the one shown. A value that does not
round from another is a version of its own, so "$14 billion" beside $14.8 billion (which rounds to $15 billion)
is still a disagreement. A value that two or more precise versions round to (14 beside 14.3 and 14.4) supports
neither alone: it counts toward no version (NaN), and is listed as a rounding of them. The hedge does not matter:
"about $14 billion" restates $14.3 billion as "$14 billion" does. Standard library and pandas only.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pandas as pd

from .fmt import SCALE


def decimals(text: str) -> int:
    """How many decimals a number is written with: 14 -> 0, 14.3 -> 1, 14.30 -> 2, 1.4e3 -> -2."""
    try:
        return -int(Decimal(str(text).strip()).as_tuple().exponent)
    except (InvalidOperation, ValueError, TypeError):
        return 0


def _exact(value: float, scale: str) -> Decimal:
    return Decimal(repr(float(value))) * Decimal(SCALE.get(scale, 1.0))


def _step(places: int, scale: str) -> Decimal:
    return Decimal(1).scaleb(-int(places)) * Decimal(SCALE.get(scale, 1.0))


def rounds_to(fine: Decimal, coarse: Decimal, step: Decimal) -> bool:
    """Whether `fine` rounded (half up) to a multiple of `step` is `coarse`."""
    return (fine / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step == coarse


def rounds_from(amount: float, row) -> bool:
    """Whether the amount (value x scale) rounds to the figure `row` (value, scale, decimals) at its precision."""
    fine = Decimal(repr(float(amount)))
    return rounds_to(fine, _exact(row["value"], row["scale"]), _step(row.get("decimals", 0), row["scale"]))


def versions(rows: pd.DataFrame, group: str = "slot") -> pd.Series:
    """For each row, the amount of the value it counts toward: its own, or the more precise value it restates
    (rounds from) in its group and unit; NaN where it rounds from several versions. Needs value, scale, unit, amount
    and decimals (the value as written; 0 when absent)."""
    out = pd.Series(rows["amount"].astype(float), index=rows.index, dtype=float)
    places = rows["decimals"] if "decimals" in rows else pd.Series(0, index=rows.index)
    for _, g in rows.groupby([group, "unit"], sort=False):
        if g["amount"].nunique() < 2:
            continue
        # each distinct amount at its most precise writing in the group
        best: dict[float, tuple[Decimal, Decimal]] = {}
        for i in g.index:
            a = float(g.at[i, "amount"])
            exact, step = _exact(g.at[i, "value"], g.at[i, "scale"]), _step(places[i], g.at[i, "scale"])
            if a not in best or step < best[a][1]:
                best[a] = (exact, step)
        roots: dict[float, frozenset] = {}
        for a, (exact, step) in sorted(best.items(), key=lambda kv: kv[1][1]):  # finest first
            restated = [b for b, (fine, fstep) in best.items() if b != a and fstep < step and rounds_to(fine, exact, step)]
            roots[a] = frozenset().union(*(roots[b] for b in restated)) if restated else frozenset([a])
        for i in g.index:
            r = roots[float(g.at[i, "amount"])]
            out[i] = next(iter(r)) if len(r) == 1 else float("nan")
    return out
