"""The computed sections of the briefing: disagreements, checks, changes, key figures."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from ..data import fmt
from ..data.dataset import Dataset
from ..data.previous import load_base
from ..story import ranking
from ..story.changes import GROUPS, SINGULAR, compare, summary
from ..story.checks import run_checks
from ..story.outlets import reported_by
from ..story.stage import STAGED_CHANGES
from .appendix import fold
from .citations import plain_ids
from .markup import HTML, render
from .tables import csv_data_uri, table

MAX_POINTS = 12  # per entry: the heaviest first
MAX_POINTS_TOTAL = 32  # the whole section (the June 2025 edition has 28): beyond it the heaviest entries keep theirs
MAX_KEY_FIGURES = 30  # rows of the key-figures table; the CSV has every figure
MAX_DISPUTES = 20  # entries in the appendix; beyond it the heaviest are shown and "and N more" (every row is in the CSVs)


MAX_VERSIONS = 8  # per point (the June 2025 edition has at most 6); the rest are counted, every row is in the CSVs


def _versions(d: Dataset, q: ranking.Question) -> Markup:
    """The versions behind one question, each with its sources, evidence, date and quote (the first MAX_VERSIONS)."""
    items = _version_items(q)
    return render("versions", d=d, items=items[:MAX_VERSIONS], hidden=len(items) - MAX_VERSIONS, period=q.kind == "period")


def _version_items(q: ranking.Question) -> list[tuple[str, dict]]:
    """(kind, row) for each version, as versions.html.j2 writes it."""
    dis = q.raw
    if q.kind in ("value", "period"):
        return [("value", v) for v in dis["versions"]] + [("rounding", r) for r in dis.get("roundings", ())]
    if q.kind == "event":
        return [("event", {**v, "when": when}) for v, when in zip(dis["versions"], _whens(dis))]
    if q.kind == "claim":
        return [("claim", v) for v in dis["versions"]]
    return [("step", st) for st in dis["steps"]]


def _whens(dis: dict) -> list[str]:
    """Each version's date; its weekday ('(a Thursday)') only where the versions differ on the date, and once per date."""
    out, seen = [], set()
    for v in dis["versions"]:
        day, _, weekday = v["when"].partition(" (a ")
        out.append(v["when"] if weekday and dis["differs"] == "date" and day not in seen else day)
        seen.add(day)
    return out


NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


def _finding(d: Dataset, q: ranking.Question) -> str:
    """A point's opening line in the appendix: the story's sentence, except where that sentence points to the appendix itself."""
    if q.kind == "event" and q.raw["differs"] != "date":
        n = len(q.raw["versions"])
        title = (q.raw["label"] or q.raw["versions"][0]["description"]).rstrip(".")
        return plain_ids(d, f"Sources tell one development ({title}) in {NUMBER_WORDS.get(n, str(n))} versions.")
    return plain_ids(d, q.sentence)


def _why(q: ranking.Question) -> str:
    """Which version the briefing leads with, and why (claims and figures), in the appendix's evidence words."""
    if q.kind == "status" and any(st["undated"] for st in q.raw["steps"]) and not q.raw["steps"][0]["undated"]:
        return " Undated commentary is counted with the moment it could know of; a dated report leads it."
    return ""


def disagreements_block(d: Dataset) -> HTML:
    """Where sources disagree: one entry per party, whatever kind of row each point comes from (figures, versions
    of events, claims, statuses), each point opening with its finding, then every version with its sources and quote."""
    items = ranking.disputes(d)
    if not items:
        return HTML("<p>The sources in this edition do not disagree on any figure, date, claim or status.</p>")
    entries = []
    budget = MAX_POINTS_TOTAL
    for x in items[:MAX_DISPUTES]:
        if budget <= 0:
            break
        keep = min(MAX_POINTS, budget, len(x.questions))
        budget -= keep
        points = [{"finding": Markup(_finding(d, q)), "why": _why(q), "versions": _versions(d, q)} for q in x.questions[:keep]]
        entries.append({"anchor": x.anchor, "subject": x.subject, "n": len(x.questions), "points": points, "hidden": len(x.questions) - keep})
    return HTML(render("disagreements", entries=entries, more=len(items) - len(entries)))


def claims_block(d: Dataset) -> HTML:
    """Every claim no disagreement tells (a topic with one version): what the reporting says, how sure, when, its sources and
    quote, topic by topic in file order, so that no claim in claims.csv stays off the page."""
    claims = d.claims
    if claims is None or claims.empty:
        return HTML("<p>No other claims had been reported by this date.</p>")
    disputed = {t for t, g in claims.groupby("topic") if g["claim"].nunique() > 1}
    rest = claims[~claims["topic"].isin(disputed)]
    if rest.empty:
        return HTML("<p>Every claim in the reporting is among the disagreements above.</p>")
    items = [{"topic": r["topic"], "claim": r["claim"], "evidence": r["evidence"], "source_list": r["source_list"], "quote": r["quote"],
              "when": "undated" if r.get("as_of_basis", "") == "undated" else fmt.date_text(r["as_of"])} for _, r in rest.iterrows()]
    summary = f"{len(items)} other claim{'s' * (len(items) != 1)}, each told by the texts in one version"
    return HTML(fold(escape(summary), render("claims", d=d, claims=items), "claims"))


MAX_CHECK_VARIANTS = 4  # per check in the appendix: failures and uncomputable ones first, then the most-cited; the CSV has all
VERDICT = {"pass": "passes", "fail": "fails", "info": "for information", "n/a": "cannot be checked"}


def _variants_shown(res: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Each check's current-value row and up to MAX_CHECK_VARIANTS of its variants; how many were left out per check."""
    keep, hidden = [], {}
    for check, g in res.groupby("check", sort=False):
        base, alts = g[g["variant_metric"] == ""], g[g["variant_metric"] != ""]
        alts = alts.assign(_fail=~alts["verdict"].isin(["fail", "n/a"]), _n=-alts["sources"].str.count(";")).sort_values(["_fail", "_n"], kind="stable")
        chosen = alts.head(MAX_CHECK_VARIANTS).index
        keep += list(base.index) + sorted(chosen)
        if len(alts) > len(chosen):
            hidden[check] = len(alts) - len(chosen)
    return res.loc[keep], hidden


def _check_row(r: pd.Series) -> dict:
    """A check's row as check_summary.html.j2 and check_workings.html.j2 write it: the difference from the reported figure
    only where there is one."""
    pct = r["difference_pct"]
    return {**r.to_dict(), "difference": fmt.signed_percent(pct) if pd.notna(pct) else None}


def checks_block(d: Dataset) -> HTML:
    """Declared arithmetic checks, pass or fail, with their workings and every variant, one block per check (reads on a phone)."""
    res = run_checks(d)
    if res.empty:
        return HTML("<p>Not enough figures in this edition to check any arithmetic.</p>")
    shown, hidden = _variants_shown(res)
    blocks = []
    for check, g in shown.groupby("check", sort=False):
        base, alts = g[g["variant_metric"] == ""], g[g["variant_metric"] != ""]
        head = _check_row(base.iloc[0] if len(base) else g.iloc[0])
        workings = render("check_workings", d=d, head=head, variants=[_check_row(r) for _, r in alts.iterrows()], hidden=hidden.get(check, 0),
                          verdicts=VERDICT)
        blocks.append(fold(render("check_summary", r=head, verdicts=VERDICT), workings, "check", f"check-{check}"))
    return HTML(render("checks", blocks=blocks, n_fail=int((res["verdict"] == "fail").sum()), n_pass=int((res["verdict"] == "pass").sum()),
                       csv=csv_data_uri(res.drop(columns=["check", "variant_metric"]))))


def _changes(d: Dataset, base: str) -> list[dict]:
    staged = d.computed(STAGED_CHANGES, lambda: None)  # in a build, the story stage's (computed once, against the edition's one BASE)
    return staged if staged is not None else d.computed(("changes", base), lambda: compare(load_base(base, d.data_dir, d.as_of), d))


def changes_summary(d: Dataset, base: str) -> HTML:
    """For the story: how much changed since the base edition and the most important few, linked to the full list."""
    if not base:
        return HTML("")
    changes = _changes(d, base)
    top = summary(changes) if changes else []  # the rule is in briefing/story/changes.py
    return HTML(render("changes_summary", d=d, base=base_name(base), n=len(changes), top=top, groups=GROUPS, counts=_counts(changes)))


def _counts(changes: list[dict]) -> str:
    """'2 statuses, 1 event, 3 corrections to earlier rows': how many changes of each group."""
    groups = {g: sum(c["group"] == g for c in changes) for g in GROUPS}
    return ", ".join(f"{n} {GROUPS[g].lower() if n != 1 else SINGULAR[g]}" for g, n in groups.items() if n)


def changes_block(d: Dataset, base: str) -> HTML:
    """What changed since the base edition, complete and grouped, with a CSV."""
    if not base:
        return HTML("")
    changes = _changes(d, base)
    grouped = {g: [c for c in changes if c["group"] == g] for g in GROUPS}
    csv = csv_data_uri(pd.DataFrame(changes)[["group", "change", "date", "text", "ids"]].rename(columns={"change": "kind", "text": "change", "ids": "rows"})) if changes else ""
    return HTML(render("changes", d=d, base=base_name(base), n=len(changes), counts=_counts(changes), groups=GROUPS, grouped=grouped, csv=csv))


def base_name(base: str) -> str:
    """How the base edition is named on the page: a git revision as given, a directory by its name only."""
    if re.fullmatch(r"[0-9a-f]{40,64}", base):  # BASE=HEAD and the like arrive resolved to their commit
        return f"commit {base[:12]}"
    return f"the data in {Path(base).name}/" if Path(base).is_dir() else base


def key_figures_block(d: Dataset) -> HTML:
    """Every key metric's current value with its date, sources and history (metrics.csv key_figure; the most widely
    reported first), folded: three columns that fit a phone, the period and any earlier value under the value."""
    figs = d.figures[d.figures["metric"].map(lambda m: d.metrics.loc[m, "key_figure"] != "no")]
    if figs.empty:
        return HTML("<p>No figures had been reported by this date.</p>")
    rows, records = [], []
    metrics = figs.groupby("metric")["source_id"].nunique().sort_values(ascending=False, kind="stable")
    for i, metric in enumerate(metrics.index):
        f = d.fact(metric)
        earlier = "; ".join(f"{v.text(True)} ({v.period_text() or 'undated'})" for v in f.history)
        records.append({"figure": f.label, "value": f.text(), "for": f.period_text(), "earlier": earlier, "sources_differ": "yes" if f.disputed else "",
                        "sources": ";".join(f.source_ids)})
        if i >= MAX_KEY_FIGURES:  # the most widely reported are listed; the CSV below has every one
            continue
        under = [x for x in (f.period_text(), f"earlier: {earlier}" if earlier else "", "sources differ" if f.disputed else "") if x]
        rows.append({"label": f.label, "value": f.text(), "under": under, "reported_by": reported_by(d, f.source_ids, _quotes(d, metric, f.source_ids)),
                     "source_ids": f.source_ids, "differ": f.n_total - f.n_sources})
    n = len(metrics)
    body = render("key_figures", d=d, rows=rows, more=n - min(n, MAX_KEY_FIGURES))
    return HTML(fold(f"All {n:,} key figure{'s' * (n != 1)}, each with its date and who reported it", body, "figures print-open")
                + render("figure_downloads", key_figures=csv_data_uri(pd.DataFrame(records)), figures=csv_data_uri(figure_rows(d))))


def _quotes(d: Dataset, metric: str, source_ids) -> list[str]:
    """The quotes of a metric's rows from these texts: what they credit to an outlet (outlets.reporting)."""
    rows = d.figures[(d.figures["metric"] == metric) & d.figures["source_id"].isin(list(source_ids))]
    return list(rows["quote"])


def figure_rows(d: Dataset) -> pd.DataFrame:
    """figures.csv as used in this edition, with each metric's label beside its key."""
    f = d.figures.drop(columns=["line", "amount", "decimals"], errors="ignore")
    f.insert(1, "label", f["metric"].map(d.label))
    return f


__all__ = ["changes_block", "changes_summary", "checks_block", "disagreements_block", "key_figures_block", "table"]
