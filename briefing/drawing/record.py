"""The computed sections of the briefing: disagreements, checks, changes, key figures."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

import pandas as pd

from ..data import fmt
from ..data.dataset import Dataset
from ..data.previous import load_base
from ..story import ranking
from ..story.changes import GROUPS, SINGULAR, compare, summary
from ..story.checks import run_checks
from ..story.outlets import reported_by
from .appendix import fold
from .html import HTML, cite, csv_data_uri, plain_ids, table

MAX_POINTS = 12  # per entry: the heaviest first
MAX_POINTS_TOTAL = 32  # the whole section (the June 2025 edition has 28): beyond it the heaviest entries keep theirs
MAX_KEY_FIGURES = 30  # rows of the key-figures table; the CSV has every figure
MAX_DISPUTES = 20  # entries in the appendix; beyond it the heaviest are shown and "and N more" (every row is in the CSVs)


def _q(text: str) -> str:
    return f"<q>{escape(text)}</q>"


MAX_VERSIONS = 8  # per point (the June 2025 edition has at most 6); the rest are counted, every row is in the CSVs


def _versions(d: Dataset, q: ranking.Question) -> str:
    """The versions behind one question, each with its sources, evidence, date and quote (the first MAX_VERSIONS)."""
    items = _version_items(d, q)
    more = f'<li class="note">\u2026 and {len(items) - MAX_VERSIONS:,} more versions (every row is in the CSVs).</li>' if len(items) > MAX_VERSIONS else ""
    return "".join(items[:MAX_VERSIONS]) + more


def _version_items(d: Dataset, q: ranking.Question) -> list[str]:
    dis = q.raw
    if q.kind in ("value", "period"):
        return [
            f"<li><strong>{escape(v['value'])}</strong>" + (f" for {escape(v['period'])}" if q.kind == "period" else "")
            + f"{cite(d, v.get('exact_ids', v['source_ids']))}: {_q(v['quotes'][0])}"
            + "".join(f"; given as {escape(r['value'])}{cite(d, r['source_ids'])}: {_q(r['quote'])}" for r in v.get("restated", ()))
            + "</li>" for v in dis["versions"]] + [
            f"<li><strong>{escape(r['value'])}</strong>, a rounding of {escape(' and of '.join(r['of']))}, so it supports neither alone"
            f"{cite(d, r['source_ids'])}: {_q(r['quote'])}</li>" for r in dis.get("roundings", ())]
    if q.kind == "event":
        return [f"<li><strong>{escape(when)}</strong> ({escape(v['status'])}){cite(d, v['source_ids'])}: "
                f"{plain_ids(d, v['description'])} {_q(v['quote'])}</li>" for v, when in zip(dis["versions"], _whens(dis))]
    if q.kind == "claim":
        return [
            f"<li><strong>{plain_ids(d, v['claim'])}</strong> ({escape(v['evidence'])}"
            + (", undated" if v["undated"] else f", {escape(v['when'])}") + f"){cite(d, v['source_ids'])}: {_q(v['quote'])}"
            + (f' <span class="note">{plain_ids(d, v["note"])}</span>' if v["note"] else "") + "</li>"
            for v in dis["versions"]]
    return [
        f"<li>{escape(st['when'])}" + (" (undated, public by then)" if st["undated"] else "")
        + f": <strong>{escape(d.status_phrase(st['status']))}</strong> ({escape(st['evidence'])}){cite(d, st['source_ids'])}: {_q(st['quote'])}</li>"
        for st in dis["steps"]]


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
    shown = items[:MAX_DISPUTES]
    parts = []
    budget = MAX_POINTS_TOTAL
    for x in shown:
        if budget <= 0:
            break
        keep = min(MAX_POINTS, budget, len(x.questions))
        budget -= keep
        points = "".join(
            f'<div class="point"><p class="finding">{_finding(d, q)}{escape(_why(q))}</p><ul>{_versions(d, q)}</ul></div>'
            for q in x.questions[:keep])
        if len(x.questions) > keep:
            points += f'<p class="more">\u2026 and {len(x.questions) - keep:,} more points on {escape(x.subject)} (every row is in the CSVs).</p>'
        n = len(x.questions)
        parts.append(f'<details class="dispute" id="{x.anchor}"><summary><h4>{escape(x.subject)}</h4>'
                     f'<span class="count">{n} point{"s" * (n != 1)}</span></summary><div id="{x.anchor}-entry">{points}</div></details>')
    if len(items) > len(parts):
        parts.append(f'<p class="more">\u2026 and {len(items) - len(parts):,} more parties on whom sources differ (every row is in the CSVs).</p>')
    return HTML("".join(parts))


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
    items = [f"<li><strong>{escape(r['topic'][:1].upper() + r['topic'][1:])}</strong>: {plain_ids(d, r['claim'])} "
             f"({escape(r['evidence'])}, " + ("undated" if r.get("as_of_basis", "") == "undated" else escape(fmt.date_text(r["as_of"])))
             + f"){cite(d, r['source_list'])}: {_q(r['quote'])}</li>" for _, r in rest.iterrows()]
    summary = f"{len(items)} other claim{'s' * (len(items) != 1)}, each told by the texts in one version"
    return HTML(fold(escape(summary), f'<ul class="claims">{"".join(items)}</ul>', "claims"))


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


def _workings(d: Dataset, r: pd.Series) -> str:
    verdict = VERDICT[r["verdict"]]
    if r["tolerance"] and r["verdict"] in ("pass", "fail"):
        verdict += f" (tolerance {r['tolerance']})"
    vs = f" against {escape(r['expected_shown'])} reported ({fmt.signed_percent(r['difference_pct'])})" if r["difference_pct"] is not None and r["difference_pct"] == r["difference_pct"] else ""
    return (f"{escape(r['inputs'])} \u2192 <strong>{escape(r['shown'])}</strong>{vs}{cite(d, r['sources'].split(';'))} "
            f"<span class=\"verdict {'na' if r['verdict'] == 'n/a' else r['verdict']}\">{verdict}</span>")


def _check_summary(r: pd.Series) -> str:
    """A check in one line: what it computes, the result against the reported figure, and the verdict."""
    vs = f" against {escape(r['expected_shown'])} reported" if r["expected_shown"] else ""
    verdict = VERDICT[r["verdict"]]
    return (f'<span class="check-label">{escape(r["label"])}:</span> <strong>{escape(r["shown"])}</strong>{vs} '
            f'<span class="verdict {"na" if r["verdict"] == "n/a" else r["verdict"]}">{verdict}</span>')


def checks_block(d: Dataset) -> HTML:
    """Declared arithmetic checks, pass or fail, with their workings and every variant, one block per check (reads on a phone)."""
    res = run_checks(d)
    if res.empty:
        return HTML("<p>Not enough figures in this edition to check any arithmetic.</p>")
    shown, hidden = _variants_shown(res)
    blocks = []
    for check, g in shown.groupby("check", sort=False):
        base, alts = g[g["variant_metric"] == ""], g[g["variant_metric"] != ""]
        head = base.iloc[0] if len(base) else g.iloc[0]
        note = f'<p class="note">{plain_ids(d, head["note"])}</p>' if head["note"] else ""
        variants = "".join(f"<li>{escape(r['variant'][:1].upper() + r['variant'][1:])}: {_workings(d, r)}</li>" for _, r in alts.iterrows())
        if check in hidden:
            n = hidden[check]
            variants += f'<li class="note">\u2026 and {n:,} more variant{"s" if n != 1 else ""}, one per other value a source gives (every one is in the CSV below).</li>'
        blocks.append(fold(_check_summary(head), f'<p class="workings">{_workings(d, head)}</p>{note}'
                           + (f'<ul class="variants">{variants}</ul>' if variants else ""), "check", f"check-{check}"))
    n_fail = int((res["verdict"] == "fail").sum())
    n_pass = int((res["verdict"] == "pass").sum())
    summary = (f"<p>Counting every variant, {n_pass} computation{'s' * (n_pass != 1)} pass{'es' * (n_pass == 1)} and {n_fail} fail{'s' * (n_fail == 1)} "
               "(a variant swaps in another value a source gives). Open a check for its workings.</p>")
    return HTML(summary + "".join(blocks)
                + f'<p><a class="download" download="checks.csv" href="{csv_data_uri(res.drop(columns=["check", "variant_metric"]))}">Download the checks (CSV)</a></p>')


def _changes(d: Dataset, base: str) -> list[dict]:
    return d.computed(("changes", base), lambda: compare(load_base(base, d.data_dir, d.as_of), d))  # the story stage's, in a build


def changes_summary(d: Dataset, base: str) -> HTML:
    """For the story: how much changed since the base edition and the most important few, linked to the full list."""
    if not base:
        return HTML("")
    changes = _changes(d, base)
    head = '<section class="changes-summary" aria-labelledby="changes-h"><h2 id="changes-h">Since the last edition</h2>'
    if not changes:
        return HTML(head + f"<p>Nothing was added, removed or changed since {escape(base_name(base))}.</p></section>")
    top = summary(changes)  # the rule is in briefing/story/changes.py
    items = "".join(f"<li><strong>{escape(GROUPS[c['group']])}:</strong> {plain_ids(d, c['text'])}</li>" for c in top)
    n = len(changes)
    body = f'<ul class="changes">{items}</ul>' if top else f"<p>{escape(_counts(changes))}.</p>"
    return HTML(head + body + f'<p class="more"><a href="#appendix-changes">All {n} change{"s" * (n != 1)} '
                f"since {escape(base_name(base))}, in the appendix</a></p></section>")


def _counts(changes: list[dict]) -> str:
    """'2 statuses, 1 event, 3 corrections to earlier rows': how many changes of each group."""
    groups = {g: sum(c["group"] == g for c in changes) for g in GROUPS}
    return ", ".join(f"{n} {GROUPS[g].lower() if n != 1 else SINGULAR[g]}" for g, n in groups.items() if n)


def changes_block(d: Dataset, base: str) -> HTML:
    """What changed since the base edition, complete and grouped, with a CSV."""
    if not base:
        return HTML("")
    changes = _changes(d, base)
    head = f'<p class="note">Compared with {escape(base_name(base))}.</p>'
    if not changes:
        return HTML(head + "<p>Nothing was added, removed or changed.</p>")
    groups = {g: [c for c in changes if c["group"] == g] for g in GROUPS}
    counts = _counts(changes)
    full = "".join(f'<h4>{escape(GROUPS[g])} ({len(cs)})</h4><ul class="changes">'
                   + "".join(f"<li>{plain_ids(d, c['text'])}</li>" for c in cs) + "</ul>" for g, cs in groups.items() if cs)
    csv = csv_data_uri(pd.DataFrame(changes)[["group", "change", "date", "text", "ids"]].rename(columns={"change": "kind", "text": "change", "ids": "rows"}))
    return HTML(head + f"<p>{len(changes)} change{'s' if len(changes) != 1 else ''}: {escape(counts)}.</p>"
                f'<details class="full-list"><summary>Show all {len(changes)} change{"s" if len(changes) != 1 else ""}</summary>{full}</details>'
                f'<p><a class="download" download="changes.csv" href="{csv}">Download every change (CSV)</a></p>')


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
        differ = f.n_total - f.n_sources
        rows.append(f'<tr><td>{escape(f.label)}</td><td><span class="value">{escape(f.text())}</span>'
                    + "".join(f'<span class="under">{escape(x)}</span>' for x in under)
                    + f"</td><td>{escape(reported_by(d, f.source_ids, _quotes(d, metric, f.source_ids)))}{cite(d, f.source_ids)}"
                    + (f"; {differ} other text{'s' * (differ != 1)} differ{'s' * (differ == 1)}" if differ > 0 else "") + "</td></tr>")
    more = len(metrics) - min(len(metrics), MAX_KEY_FIGURES)
    more_html = f'<p class="more">\u2026 and {more:,} more figures, less widely reported, in the CSV below.</p>' if more else ""
    n = len(metrics)
    body = ('<div class="table-wrap"><table class="key-figures"><caption>The current value of each (the latest period\'s, as most sources give it)</caption>'
            '<thead><tr><th scope="col">Figure</th><th scope="col">Value, and when</th><th scope="col">Reported by</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>{more_html}')
    return HTML(fold(f"All {n:,} key figure{'s' * (n != 1)}, each with its date and who reported it", body, "figures print-open")
                + f'<p class="downloads">Download <a class="download" download="key-figures.csv" href="{csv_data_uri(pd.DataFrame(records))}">the key figures</a> '
                f'\u00b7 <a class="download" download="figures.csv" href="{csv_data_uri(figure_rows(d))}">every figure, one row per source</a> (CSV)</p>')


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
