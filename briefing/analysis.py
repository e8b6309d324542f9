"""Computed reading aids: where sources disagree, whether the numbers add up, what changed."""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass

import pandas as pd

from . import fmt
from .data import EVIDENCE_ORDER, Dataset, event_window, period_key, place_figures

# ---------------------------------------------------------------- who reported it

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
            parts.append(f"by {_and(self.outlets)}" + (f", relayed by {_word(self.relayed)} more" if self.relayed else ""))
        if self.n_credited:
            parts.append(f"in {_word(self.n_credited)} text{'s' * (self.n_credited != 1)} crediting {_and(self.credited)}")
        if self.unnamed:
            parts.append(f"in {_word(self.unnamed)} text{'s that name' if self.unnamed != 1 else ' that names'} no outlet")
        if not parts:
            return "reported in no text of this edition"
        return "reported " + (parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + ", and " + parts[-1])


def _and(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _word(n: int) -> str:
    return ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"][n] if 0 <= n < 10 else f"{n:,}"


def reporting(d: Dataset, source_ids) -> Reporting:
    """Who reported a value, as independent reports (sources.csv outlet and credited_to):

    - a text whose outlet is named (outlet, with its outlet_basis) is that outlet's report, and several texts of one
      outlet (versions of one Bloomberg story) count once;
    - a text that names no outlet but relays exactly one (credited_to) carries that outlet's report;
    - a text that names no outlet and relays several does not say whose report it carries: it is counted as relaying
      the listed outlets it credits, or else as a text crediting them;
    - a text that names no outlet and credits none is counted as such: no outlet is invented for it.
    """
    ids = list(dict.fromkeys(source_ids))
    src = d.all_sources
    by_outlet: dict[str, list[str]] = {}
    several, unnamed = [], 0
    for sid in ids:
        row = src.loc[sid] if sid in src.index else None
        outlet = row["outlet"] if row is not None else ""
        credits = [c.strip() for c in (row["credited_to"] if row is not None else "").split(";") if c.strip()]
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


def reported_by(d: Dataset, source_ids) -> str:
    """Who reported a value, in words: 'reported by Bloomberg, CNBC and Reuters, relayed by 7 more' (see reporting())."""
    return reporting(d, source_ids).text()


# ---------------------------------------------------------------- do the numbers add up

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


# ---------------------------------------------------------------- where sources disagree

def figure_disagreements(d: Dataset) -> list[dict]:
    """Metrics whose sources give different values for the same period, or tie one value to different periods.

    Periods are placed by data.place_figures: different values for different periods are a series (a change over
    time), not a disagreement; a value for a period nested in another's (a day in its month) counts for the more
    precise one, the same value there at a lower precision, or another value for it.
    """
    out = []
    for metric, rows in d.figures.groupby("metric", sort=True):
        if d.metrics is not None and metric in d.metrics.index and d.metrics.loc[metric, "key_figure"] == "no":
            continue  # page furniture (metrics.csv key_figure = no) stays in the data, off the page
        rows = place_figures(rows)
        label, entity, unit = d.label(metric), rows.iloc[0]["entity"], rows.iloc[0]["unit"]
        series = {v.period: v for v in d.series(metric)}
        for period, grp in rows.groupby("slot", sort=False):
            cur = series[period]
            own = grp[grp["placed"] != "period"]
            if own["amount"].nunique() > 1:
                versions = []
                for amount, g in own.groupby("amount"):
                    stated = [p for p in dict.fromkeys(g["period"]) if p and p != period]
                    at_slot = (g["placed"] != "nested").any()
                    versions.append({"value": qualified(amount, unit, g), "amount": amount,
                                     "period": fmt.period_text(period) if at_slot or not stated else _or(fmt.period_text(p) for p in stated),
                                     "dated": bool((g["period"] != "").any()), "precise": bool((g["placed"] == "stated").any()),
                                     "source_ids": sorted(set(g["source_id"]), key=d.citation_number),
                                     "quotes": list(dict.fromkeys(g["quote"])), "majority": amount == cur.amount})
                versions.sort(key=lambda v: (not v["majority"], -len(v["source_ids"]), v["amount"]))
                out.append(_with_reporting(d, {"kind": "value", "metric": metric, "label": label, "entity": entity, "period": fmt.period_text(period),
                                               "n_sources": own["source_id"].nunique(), "consensus": cur.text(), "unit": unit, "versions": versions}))
            # one value that sources tie to different periods: the majority's period, then each other reading
            for amount, dissent in grp[grp["placed"] == "period"].groupby("amount"):
                major = own[(own["amount"] == amount) & (own["placed"] != "undated")]
                parts = [(period, major)] + [(p, dissent[dissent["period"] == p]) for p in sorted(set(dissent["period"]), key=period_key)]
                versions = [{"value": qualified(amount, unit, x), "amount": amount, "period": fmt.period_text(p), "dated": True, "precise": True,
                             "source_ids": sorted(set(x["source_id"]), key=d.citation_number), "quotes": list(dict.fromkeys(x["quote"])),
                             "majority": False} for p, x in parts]
                versions.sort(key=lambda v: -len(v["source_ids"]))
                versions[0]["majority"] = len(versions[0]["source_ids"]) > len(versions[1]["source_ids"])
                out.append(_with_reporting(d, {"kind": "period", "metric": metric, "label": label, "entity": entity, "period": "",
                                               "n_sources": len({s for v in versions for s in v["source_ids"]}), "consensus": fmt.number(amount, unit),
                                               "unit": unit, "versions": versions}))
    return out


def _with_reporting(d: Dataset, dis: dict, key: str = "versions") -> dict:
    """Each version (or step) of a disagreement, and the whole, with who reported it as independent reports (reported_by)."""
    for v in dis[key]:
        v["reported_by"] = reported_by(d, v["source_ids"])
    dis["reported_by"] = reported_by(d, [s for v in dis[key] for s in v["source_ids"]])
    return dis


def _or(texts) -> str:
    return " or ".join(dict.fromkeys(texts))


def status_disagreements(d: Dataset) -> list[dict]:
    """Parties whose status or evidence differs between sources, in date order (later supersedes).

    Undated commentary is listed at the date its source can first be known, marked as undated, and
    never stands as the latest: the latest is the party's latest status by Dataset.latest_status.
    """
    out = []
    latest_ids = set(d.latest_status()["relationship_id"])
    for (party, role), g in d.relationships.groupby(["party", "role"], sort=True):
        if g["status"].nunique() < 2 and g["evidence"].nunique() < 2:
            continue
        # date order; on the same day the surest account comes last
        g = g.assign(_ev=g["evidence"].map(EVIDENCE_ORDER.index)).sort_values(["as_of", "_ev"], ascending=[True, False])
        steps = [{"status": r["status"], "evidence": r["evidence"], "as_of": r["as_of"], "source_ids": r["source_list"], "quote": r["quote"],
                  "undated": r.get("as_of_basis", "") == "undated", "latest": r["relationship_id"] in latest_ids}
                 for _, r in g.iterrows()]
        latest = next((st for st in steps if st["latest"]), steps[-1])
        out.append(_with_reporting(d, {"party": party, "steps": steps, "latest": latest, "kind": "status" if g["status"].nunique() > 1 else "evidence"}, "steps"))
    return out


def event_disagreements(d: Dataset) -> list[dict]:
    """Events that sources tell in different versions (events.csv version_of): dates, weekdays, amounts, who said it."""
    ev = d.all_events
    if "version_of" not in ev or ev.empty:
        return []
    root = ev["version_of"].where(ev["version_of"] != "", ev["event_id"])
    out = []
    for key, g in ev.assign(_root=root).groupby("_root", sort=False):
        if len(g) < 2:
            continue
        versions = []
        for _, r in g.iterrows():
            when = fmt.event_date_text(r)
            if r["date_precision"] == "day":
                when += f" (a {fmt.weekday(r['date'])})"
            versions.append({"event_id": r["event_id"], "when": when, "date": r["date"], "description": r["description"],
                             "status": r["status"], "source_ids": r["source_list"], "quote": r["quote"], "main": r["version_of"] == ""})
        # lead with the version most sources give; ties: the main row
        versions.sort(key=lambda v: (-len(v["source_ids"]), not v["main"]))
        # the dates differ only if no day fits every version: a day inside another version's window (June 18 within
        # "between June 18 and 19") is the same date told less precisely, not a conflict
        windows = [event_window(r) for _, r in g.iterrows()]
        dates_differ = max(w[0] for w in windows) > min(w[1] for w in windows)
        out.append(_with_reporting(d, {"kind": "event", "event_id": key,
                                       "label": g[g["version_of"] == ""]["label"].iloc[0] if (g["version_of"] == "").any() else "",
                                       "differs": "date" if dates_differ else "account", "versions": versions,
                                       "n_sources": len({s for v in versions for s in v["source_ids"]})}))
    return out


def _claim_rank(v: dict) -> tuple:
    """How the briefing picks the version it leads with: surest evidence, then dated before undated, then most sources,
    then a date its text states before one worked out from the wording, then file order. Never the earliest date: on a
    topic like 'who first reported it', leading with the earliest dated row would make a claim no text makes."""
    return (EVIDENCE_ORDER.index(v["evidence"]), v["undated"], -len(v["source_ids"]), v["derived"], v["order"])


def claim_disagreements(d: Dataset) -> list[dict]:
    """Topics of claims.csv on which the texts give different claims: each version with its sources and quote, and the lead."""
    claims = d.claims
    if claims is None or claims.empty:
        return []
    out = []
    order = dict(zip(claims["claim_id"], claims["line"].astype(int)))  # file order
    for topic, g in claims.groupby("topic", sort=False):
        if g["claim"].nunique() < 2:
            continue
        versions = []
        for claim, v in g.groupby("claim", sort=False):
            best = v.assign(_ev=v["evidence"].map(EVIDENCE_ORDER.index)).sort_values(["_ev", "as_of"]).iloc[0]
            versions.append({"claim": claim, "party": best["party"], "evidence": best["evidence"], "as_of": best["as_of"],
                             "undated": best.get("as_of_basis", "") == "undated", "derived": best.get("as_of_basis", "") == "derived",
                             "speaker": best.get("speaker", ""),
                             "source_ids": list(dict.fromkeys(s for lst in v["source_list"] for s in lst)), "quote": best["quote"],
                             "note": best.get("note", ""), "order": min(order[c] for c in v["claim_id"])})
        versions.sort(key=_claim_rank)
        lead, second = versions[0], versions[1]
        reasons = []
        if EVIDENCE_ORDER.index(lead["evidence"]) < EVIDENCE_ORDER.index(second["evidence"]):
            reasons.append("it is on the record from the party itself" if lead["evidence"] == "confirmed"
                           else "it is attributed reporting, the others hedged or unattributed")
        if second["undated"] and not lead["undated"]:
            reasons.append("its source dates it" + (" (the others are undated commentary)" if all(v["undated"] for v in versions[1:]) else ""))
        if len(lead["source_ids"]) > len(second["source_ids"]):
            reasons.append("more sources give it")
        if not reasons and second["derived"] and not lead["derived"]:
            reasons.append("its text states when; " + ("the other's date is worked out from the wording" if len(versions) == 2
                                                        else "the others' dates are worked out from the wording or not given"))
        if not reasons:
            reasons.append("the versions are evenly matched; it comes first in the data")
        why = reasons[0] if len(reasons) == 1 else ", ".join(reasons[:-1]) + "; and " + reasons[-1]
        out.append(_with_reporting(d, {"kind": "claim", "topic": topic, "versions": versions, "lead": lead, "why": why,
                                       "n_sources": len({s for v in versions for s in v["source_ids"]})}))
    return out


def reading(dis: dict, checks: pd.DataFrame | None = None) -> str:
    """One line on a disagreement: who reported each version, counted as independent reports ('reported by Bloomberg,
    CNBC and Reuters, relayed by 7 more': each version's reported_by), which version the briefing leads with and why,
    and (figures) whether a variant fails a check."""
    def who(v) -> str:
        return v.get("reported_by") or f"given in {_texts(len(v['source_ids']))}"

    if dis["kind"] == "claim":
        n = len(dis["versions"])
        return (f"The texts give {n} versions, {who(dis)}. "
                f"The briefing leads with \u201c{dis['lead']['claim']}\u201d ({dis['lead']['evidence']}): {dis['why']}.")
    if dis["kind"] == "event":
        lead = dis["versions"][0]
        why = ("most texts give it" if len(lead["source_ids"]) > len(dis["versions"][1]["source_ids"])
               else "as many texts give each; it is the main account in the data")
        if dis["differs"] == "date":
            others = "; ".join(f"{v['when']}, {who(v)}" for v in dis["versions"][1:])
            return f"The sources differ on when it happened: {lead['when']}, {who(lead)} (the briefing leads with it: {why}); {others}."
        return (f"The sources tell it differently; the briefing leads with the version {who(lead)} "
                f"({why}), and lists the other{'s' if len(dis['versions']) > 2 else ''} below.")
    if checks is None:
        checks = pd.DataFrame(columns=["variant_metric", "verdict", "variant"])
    if dis["kind"] == "period":
        parts = [f"{v['period']}, {who(v)}" for v in dis["versions"]]
        return f"The sources agree on {dis['consensus']} but not on when it applies: " + "; ".join(parts) + "."
    when = f" for {dis['period']}" if dis["period"] else ""
    major = dis["versions"][0]
    lines = []
    for v in dis["versions"][1:]:
        other_period = f" for {v['period']}" if v["period"] and v["period"] != dis["period"] else ""
        lines.append(f"{v['value']}{other_period}, {who(v)}")
        failing = checks[(checks["variant_metric"] == dis["metric"]) & (checks["verdict"] == "fail")]
        failing = failing[failing["variant"].str.contains(fmt.number(v["amount"], dis["unit"], True), regex=False)]
        if not failing.empty:
            lines[-1] += "; it also fails the arithmetic check below"
    head = f"{major['value']}{when}, {who(major)}"
    if len(major["source_ids"]) == max(len(v["source_ids"]) for v in dis["versions"][1:]):
        others = dis["versions"][1:]
        because = ("it is the version its source dates" if major["dated"] and not all(v["dated"] for v in others)
                   else "it is the version dated most precisely" if major.get("precise") and not all(v.get("precise") for v in others)
                   else "the earliest stated")
        head += f" (the briefing leads with it: {because})"
    return head[:1].upper() + head[1:] + "; " + "; ".join(lines) + "."


def _texts(n: int) -> str:
    return f"{_word(n)} text{'s' * (n != 1)}"


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
