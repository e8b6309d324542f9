"""The computed sections of the briefing: disagreements, checks, changes, key figures."""

from __future__ import annotations

import re
import subprocess
import tempfile
from html import escape
from pathlib import Path

import pandas as pd

from . import analysis, fmt
from .data import Dataset, load
from .html import HTML, cite, csv_data_uri, table
from .paths import ROOT
from .schema import load_schema, schema_path

MAX_DISAGREEMENTS = 12  # per kind (figures, statuses); beyond it the most-cited are shown and "and N more"


def _most_cited(items: list[dict], weight, limit: int = MAX_DISAGREEMENTS) -> list[dict]:
    """The `limit` items of largest weight (ties: the earlier), kept in their original order."""
    if len(items) <= limit:
        return items
    keep = set(sorted(range(len(items)), key=lambda i: -weight(items[i]))[:limit])
    return [x for i, x in enumerate(items) if i in keep]


MAX_DISAGREEMENTS_TOTAL = 30  # the whole section; beyond it the most-cited of each kind are shown and "and N more"


def _shares(sizes: list[int], budget: int) -> list[int]:
    """Split a budget across kinds one item at a time, in turn, so each kind gets a fair share of what it has."""
    got = [0] * len(sizes)
    while sum(got) < budget and any(g < n for g, n in zip(got, sizes)):
        for i, n in enumerate(sizes):
            if got[i] < n and sum(got) < budget:
                got[i] += 1
    return got


def _q(text: str) -> str:
    return f"<q>{escape(text)}</q>"


def disagreements_block(d: Dataset) -> HTML:
    """Where sources disagree, of every kind: figures, dates and versions of events, claims (titles, how the deal
    is described, who said what), and statuses; each version with its sources and quote, and the one the briefing leads with."""
    checks = analysis.run_checks(d)
    all_figs = analysis.figure_disagreements(d)
    all_events = analysis.event_disagreements(d)
    all_claims = analysis.claim_disagreements(d)
    all_stats = analysis.status_disagreements(d)
    if not (all_figs or all_events or all_claims or all_stats):
        return HTML("<p>The sources in this edition do not disagree on any figure, date, claim or status.</p>")
    # one budget for the whole section, shared kind by kind, so no kind crowds out the others; the rest is counted
    n_figs, n_events, n_claims, n_stats = _shares([len(all_figs), len(all_events), len(all_claims), len(all_stats)], MAX_DISAGREEMENTS_TOTAL)
    figs = _most_cited(all_figs, lambda f: f["n_sources"], n_figs)
    events = _most_cited(all_events, lambda e: e["n_sources"], n_events)
    claims = _most_cited(all_claims, lambda c: c["n_sources"], n_claims)
    stats = _most_cited(all_stats, lambda s: len(s["steps"]), n_stats)
    parts = []
    for dis in figs:
        versions = "".join(
            f"<li><strong>{escape(v['value'])}</strong>" + (f" for {escape(v['period'])}" if dis["kind"] == "period" else "")
            + f" \u2014 {len(v['source_ids'])} source{'s' if len(v['source_ids']) != 1 else ''}{cite(d, v['source_ids'])}"
            + f": {_q(v['quotes'][0])}</li>"
            for v in dis["versions"]
        )
        when = f" ({escape(dis['period'])})" if dis["period"] else ""
        parts.append(f'<div class="disagreement"><h3>{escape(dis["label"])}{when}</h3>'
                     f"<p>{escape(analysis.reading(dis, checks))}</p><ul>{versions}</ul></div>")
    for dis in events:
        versions = "".join(
            f"<li><strong>{escape(v['when'])}</strong> ({escape(v['status'])}){cite(d, v['source_ids'])}: {escape(v['description'])} {_q(v['quote'])}</li>"
            for v in dis["versions"])
        title = dis["label"] or dis["versions"][0]["description"]
        what = "Dates differ" if dis["differs"] == "date" else "Accounts differ"
        parts.append(f'<div class="disagreement"><h3>{what}: {escape(title.rstrip("."))}</h3>'
                     f"<p>{escape(analysis.reading(dis))}</p><ul>{versions}</ul></div>")
    for dis in claims:
        versions = "".join(
            ('<li class="lead">' if v is dis["lead"] else "<li>") + f"<strong>{escape(v['claim'])}</strong> ({escape(v['evidence'])}"
            + (", undated" if v["undated"] else f", {escape(fmt.date_text(v['as_of']))}") + f"){cite(d, v['source_ids'])}: {_q(v['quote'])}"
            + (f' <span class="note">{escape(v["note"])}</span>' if v["note"] else "") + "</li>"
            for v in dis["versions"])
        topic = dis["topic"][:1].upper() + dis["topic"][1:]
        parts.append(f'<div class="disagreement"><h3>{escape(topic)}</h3><p>{escape(analysis.reading(dis))}</p><ul>{versions}</ul></div>')
    for shown, every, what in ((figs, all_figs, "figures on which sources differ (every value is in figures.csv)"),
                               (events, all_events, "events told in more than one version (every version is in events.csv)"),
                               (claims, all_claims, "questions on which the texts differ (every version is in claims.csv)")):
        if len(every) > len(shown):
            parts.append(f'<p class="more">\u2026 and {len(every) - len(shown):,} more {what}.</p>')
    for s in stats:
        steps = "".join(
            f"<li>{escape(fmt.date_text(st['as_of']))}"
            + (" (undated commentary, public by then)" if st["undated"] else "")
            + f": <strong>{escape(st['status'])}</strong> ({escape(st['evidence'])}){cite(d, st['source_ids'])}: {_q(st['quote'])}</li>"
            for st in s["steps"]
        )
        latest = s["latest"]
        kind = "statuses" if s["kind"] == "status" else "levels of certainty"
        later_undated = any(st["undated"] and st["as_of"] > latest["as_of"] for st in s["steps"]) and not latest["undated"]
        undated_note = " Later undated commentary does not stand as the latest: a dated report outranks it." if later_undated else ""
        parts.append(f'<div class="disagreement"><h3>{escape(s["party"])}: {kind} differ</h3>'
                     f"<p>{len(s['steps'])} versions, in date order; the latest ({escape(fmt.date_text(latest['as_of']))}, "
                     f"{escape(latest['evidence'])}{', undated' if latest['undated'] else ''}) is <strong>{escape(latest['status'])}</strong>.{undated_note}</p><ol>{steps}</ol></div>")
    if len(all_stats) > len(stats):
        parts.append(f'<p class="more">\u2026 and {len(all_stats) - len(stats):,} more parties whose reported status differs between sources (every version is in relationships.csv).</p>')
    return HTML("".join(parts))


MAX_CHECK_VARIANTS = 1  # per check, beyond its current-value row: failures and uncomputable ones first, then the most-cited; the CSV has all


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


def checks_block(d: Dataset) -> HTML:
    """Declared arithmetic checks, pass or fail, with their arithmetic shown."""
    res = analysis.run_checks(d)
    if res.empty:
        return HTML("<p>Not enough figures in this edition to check any arithmetic.</p>")
    rows = []
    shown, hidden = _variants_shown(res)
    for i, (_, r) in enumerate(shown.iterrows()):
        verdict = {"pass": "passes", "fail": "fails", "info": "for information", "n/a": "cannot be checked"}[r["verdict"]]
        if r["tolerance"] and r["verdict"] in ("pass", "fail"):
            verdict += f" (tolerance {r['tolerance']})"
        vs = f" against {escape(r['expected_shown'])} reported ({r['difference_pct']:+.1f}%)" if r["difference_pct"] is not None and r["difference_pct"] == r["difference_pct"] else ""
        note = f'<br><span class="note">{escape(r["note"])}</span>' if r["note"] and r["variant_metric"] == "" else ""
        rows.append(f"<tr><td>{escape(r['label'])}<br><span class=\"note\">{escape(r['variant'])}</span>{note}</td>"
                    f"<td>{escape(r['inputs'])}</td><td><strong>{escape(r['shown'])}</strong>{vs}{cite(d, r['sources'].split(';'))}</td>"
                    f"<td class=\"{'na' if r['verdict'] == 'n/a' else r['verdict']}\">{verdict}</td></tr>")
        last_of_check = i + 1 == len(shown) or shown["check"].iat[i + 1] != r["check"]
        if r["check"] in hidden and last_of_check:
            n = hidden[r["check"]]
            rows.append(f'<tr><td colspan="4" class="note">\u2026 and {n:,} more variant{"s" if n != 1 else ""} of this check, '
                        f"one per other value a source gives (every one is in the CSV below).</td></tr>")
    n_fail = int((res["verdict"] == "fail").sum())
    n_pass = int((res["verdict"] == "pass").sum())
    summary = f"<p>{n_pass} check{'s' if n_pass != 1 else ''} pass and {n_fail} fail{'s' if n_fail == 1 else ''} (a check passes when the computed value is within its tolerance of the reported one).</p>"
    return HTML(summary + '<div class="table-wrap"><table class="checks"><caption>Arithmetic checks on the reported figures</caption>'
                '<thead><tr><th scope="col">Check</th><th scope="col">Inputs</th><th scope="col">Result</th><th scope="col">Verdict</th></tr></thead>'
                f'<tbody>{"".join(rows)}</tbody></table></div>'
                f'<p><a class="download" download="checks.csv" href="{csv_data_uri(res.drop(columns=["check", "variant_metric"]))}">Download the checks (CSV)</a></p>')


def load_base(base: str, data_dir: Path, as_of: str | None) -> Dataset:
    """The previous edition's data: a directory, or a git revision of the data directory."""
    if Path(base).is_dir():
        return load(base, as_of, rules=False)
    data_dir = Path(data_dir).resolve()
    try:
        rel = data_dir.relative_to(ROOT)
    except ValueError as exc:
        raise ValueError(f"BASE={base}: not a directory, and DATA is not inside the repository, so it cannot be a git revision") from exc
    tmp = Path(tempfile.mkdtemp(prefix="briefing-base-"))

    def fetch(name: str) -> None:
        out = subprocess.run(["git", "-C", str(ROOT), "show", f"{base}:{rel.as_posix()}/{name}"], capture_output=True)
        if out.returncode:
            raise ValueError(f"BASE={base}: git cannot read {rel}/{name} at that revision ({out.stderr.decode().strip()})")
        (tmp / name).write_bytes(out.stdout)

    # the files that revision's own schema declares (an older edition may lack a file added since, e.g. claims.csv)
    fetch(schema_path(data_dir).name)
    for name in [r.path for r in load_schema(schema_path(tmp)).values()]:
        fetch(name)
    return load(tmp, as_of, rules=False)  # the last edition as it was published, even if it predates a rule


SUMMARY_PER_GROUP = 3  # the page's short summary: the most important changes of each group; the full list follows


def changes_block(d: Dataset, base: str) -> HTML:
    """What changed since the base edition: a short summary, the complete list grouped (toggle on screen, in full on paper), a CSV."""
    if not base:
        return HTML("")
    old = load_base(base, d.data_dir, d.as_of)
    changes = analysis.compare(old, d)
    head = f'<h2 id="changes">What changed since the last edition</h2><p class="note">Compared with {escape(base_name(base))}.</p>'
    if not changes:
        return HTML(head + "<p>Nothing was added, removed or changed.</p>")
    groups = {g: [c for c in changes if c["group"] == g] for g in analysis.GROUPS}
    one = {"statuses": "status", "events": "event", "figures": "figure", "sources": "source", "corrections": "correction to earlier rows"}  # "1 events"
    counts = ", ".join(f"{len(cs)} {analysis.GROUPS[g].lower() if len(cs) != 1 else one.get(g, g)}" for g, cs in groups.items() if cs)
    summary = "".join(f"<li><strong>{escape(analysis.GROUPS[g])}:</strong> {escape(c['text'])}</li>"
                      for g, cs in groups.items() if g != "corrections" for c in cs[:SUMMARY_PER_GROUP])
    full = "".join(f'<h3>{escape(analysis.GROUPS[g])} ({len(cs)})</h3><ul class="changes">'
                   + "".join(f"<li>{escape(c['text'])}</li>" for c in cs) + "</ul>" for g, cs in groups.items() if cs)
    csv = csv_data_uri(pd.DataFrame(changes)[["group", "date", "text", "ids"]].rename(columns={"text": "change", "ids": "rows"}))
    return HTML(head + f"<p>{len(changes)} change{'s' if len(changes) != 1 else ''}: {escape(counts)}. The most important:</p>"
                f'<ul class="changes">{summary}</ul>'
                f'<details class="full-list"><summary>Show all {len(changes)} change{"s" if len(changes) != 1 else ""}</summary>{full}</details>'
                f'<p><a class="download" download="changes.csv" href="{csv}">Download every change (CSV)</a></p>')


def base_name(base: str) -> str:
    """How the base edition is named on the page: a git revision as given, a directory by its name only."""
    if re.fullmatch(r"[0-9a-f]{40,64}", base):  # BASE=HEAD and the like arrive resolved to their commit
        return f"commit {base[:12]}"
    return f"the data in {Path(base).name}/" if Path(base).is_dir() else base


def key_figures_block(d: Dataset) -> HTML:
    """Every key metric's current value with its date, sources and history (complete: nothing cut)."""
    figs = d.figures[d.figures["metric"].map(lambda m: d.metrics.loc[m, "key_figure"] != "no")]
    if figs.empty:
        return HTML("<p>No figures had been reported by this date.</p>")
    rows, records = [], []
    metrics = figs.groupby("metric")["source_id"].nunique().sort_values(ascending=False, kind="stable")
    for metric in metrics.index:
        f = d.fact(metric)
        flag = " (sources differ)" if f.disputed else ""
        earlier = "; ".join(f"{v.text(True)} ({v.period_text() or 'undated'})" for v in f.history)
        rows.append(f"<tr><td>{escape(f.label)}</td><td>{escape(f.text())}{flag}</td><td>{escape(f.period_text())}</td>"
                    f"<td>{escape(earlier)}</td><td>{f.n_sources} of {f.n_total}{cite(d, f.source_ids)}</td></tr>")
        records.append({"figure": f.label, "value": f.text(), "for": f.period_text(), "earlier": earlier, "sources_differ": "yes" if f.disputed else "",
                        "sources": ";".join(f.source_ids)})
    return HTML('<div class="table-wrap"><table class="key-figures"><caption>Key figures: the current value (the latest period\'s, as most sources give it)</caption>'
                '<thead><tr><th scope="col">Figure</th><th scope="col">Value</th><th scope="col">For</th><th scope="col">Earlier</th><th scope="col">Sources</th></tr></thead>'
                f'<tbody>{"".join(rows)}</tbody></table></div>'
                f'<p><a class="download" download="key-figures.csv" href="{csv_data_uri(pd.DataFrame(records))}">Download the key figures (CSV)</a> '
                f'<a class="download" download="figures.csv" href="{csv_data_uri(figure_rows(d))}">Download every figure, one row per source (CSV)</a></p>')


def figure_rows(d: Dataset) -> pd.DataFrame:
    """figures.csv as used in this edition, with each metric's label beside its key."""
    f = d.figures.drop(columns=["line", "amount"], errors="ignore")
    f.insert(1, "label", f["metric"].map(d.label))
    return f


__all__ = ["changes_block", "checks_block", "disagreements_block", "key_figures_block", "load_base", "table"]
