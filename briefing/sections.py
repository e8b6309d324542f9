"""The computed sections of the briefing: disagreements, checks, changes, key figures."""

from __future__ import annotations

import subprocess
import tempfile
from html import escape
from pathlib import Path

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


def disagreements_block(d: Dataset) -> HTML:
    """Where sources disagree, computed from figures.csv and relationships.csv."""
    checks = analysis.run_checks(d)
    all_figs = analysis.figure_disagreements(d)
    all_stats = analysis.status_disagreements(d)
    if not all_figs and not all_stats:
        return HTML("<p>The sources in this edition do not disagree on any figure or status.</p>")
    figs = _most_cited(all_figs, lambda f: f["n_sources"])
    stats = _most_cited(all_stats, lambda s: len(s["steps"]))
    parts = []
    for dis in figs:
        versions = "".join(
            f"<li><strong>{escape(v['value'])}</strong>" + (f" for {escape(v['period'])}" if v["period"] != "(not stated)" else "")
            + f" \u2014 {len(v['source_ids'])} source{'s' if len(v['source_ids']) != 1 else ''}{cite(d, v['source_ids'])}"
            + (f": <q>{escape(v['quotes'][0])}</q>" if not v["majority"] or len(dis["versions"]) == 1 else "") + "</li>"
            for v in dis["versions"]
        )
        parts.append(f'<div class="disagreement"><h3>{escape(dis["entity"])}: {escape(fmt.metric_label(dis["metric"], dis["entity"]))}</h3>'
                     f"<p>{escape(analysis.reading(dis, checks))}</p><ul>{versions}</ul></div>")
    if len(all_figs) > len(figs):
        parts.append(f'<p class="more">… and {len(all_figs) - len(figs):,} more figures on which the sources disagree (every version is in figures.csv).</p>')
    for s in stats:
        steps = "".join(
            f"<li>{escape(fmt.date_text(st['as_of']))}: <strong>{escape(st['status'])}</strong> ({escape(st['evidence'])})"
            f"{cite(d, st['source_ids'])}: <q>{escape(st['quote'])}</q></li>" for st in s["steps"]
        )
        latest = s["latest"]
        kind = "statuses" if s["kind"] == "status" else "levels of certainty"
        parts.append(f'<div class="disagreement"><h3>{escape(s["party"])}: {kind} differ</h3>'
                     f"<p>{len(s['steps'])} versions, in date order; the latest ({escape(fmt.date_text(latest['as_of']))}, "
                     f"{escape(latest['evidence'])}) is <strong>{escape(latest['status'])}</strong>.</p><ol>{steps}</ol></div>")
    if len(all_stats) > len(stats):
        parts.append(f'<p class="more">… and {len(all_stats) - len(stats):,} more parties whose reported status differs between sources (every version is in relationships.csv).</p>')
    return HTML("".join(parts))


def checks_block(d: Dataset) -> HTML:
    """Declared arithmetic checks, pass or fail, with their arithmetic shown."""
    res = analysis.run_checks(d)
    if res.empty:
        return HTML("<p>Not enough figures in this edition to check any arithmetic.</p>")
    rows = []
    for _, r in res.iterrows():
        verdict = {"pass": "passes", "fail": "fails", "info": "for information"}[r["verdict"]]
        if r["tolerance"]:
            verdict += f" (tolerance {r['tolerance']})"
        vs = f" against {escape(r['expected_shown'])} reported ({r['difference_pct']:+.1f}%)" if r["expected_shown"] else ""
        rows.append(f"<tr><td>{escape(r['label'])}<br><span class=\"note\">{escape(r['variant'])}</span></td>"
                    f"<td>{escape(r['inputs'])}</td><td><strong>{escape(r['shown'])}</strong>{vs}{cite(d, r['sources'].split(';'))}</td>"
                    f"<td class=\"{r['verdict']}\">{verdict}</td></tr>")
    n_fail = int((res["verdict"] == "fail").sum())
    n_pass = int((res["verdict"] == "pass").sum())
    summary = f"<p>{n_pass} check{'s' if n_pass != 1 else ''} pass and {n_fail} fail{'s' if n_fail == 1 else ''} (a check passes when the computed value is within its tolerance of the reported one).</p>"
    return HTML(summary + '<div class="table-wrap"><table class="checks"><caption>Arithmetic checks on the reported figures</caption>'
                '<thead><tr><th scope="col">Check</th><th scope="col">Inputs</th><th scope="col">Result</th><th scope="col">Verdict</th></tr></thead>'
                f'<tbody>{"".join(rows)}</tbody></table></div>'
                f'<p><a class="download" download="checks.csv" href="{csv_data_uri(res)}">Download the checks (CSV)</a></p>')


def load_base(base: str, data_dir: Path, as_of: str | None) -> Dataset:
    """The previous edition's data: a directory, or a git revision of the data directory."""
    if Path(base).is_dir():
        return load(base, as_of)
    data_dir = Path(data_dir).resolve()
    try:
        rel = data_dir.relative_to(ROOT)
    except ValueError as exc:
        raise ValueError(f"BASE={base}: not a directory, and DATA is not inside the repository, so it cannot be a git revision") from exc
    tmp = Path(tempfile.mkdtemp(prefix="briefing-base-"))
    names = [schema_path(data_dir).name] + [r.path for r in load_schema(schema_path(data_dir)).values()]
    for name in names:
        out = subprocess.run(["git", "-C", str(ROOT), "show", f"{base}:{rel.as_posix()}/{name}"], capture_output=True)
        if out.returncode:
            raise ValueError(f"BASE={base}: git cannot read {rel}/{name} at that revision ({out.stderr.decode().strip()})")
        (tmp / name).write_bytes(out.stdout)
    return load(tmp, as_of)


def changes_block(d: Dataset, base: str) -> HTML:
    """What changed since the base edition, in plain words; nothing at all without a base."""
    if not base:
        return HTML("")
    old = load_base(base, d.data_dir, d.as_of)
    changes = analysis.compare(analysis.raw_frames(old), analysis.raw_frames(d))
    head = f'<h2 id="changes">What changed since the last edition</h2><p class="note">Compared with {escape(base)}.</p>'
    if not changes:
        return HTML(head + "<p>No row was added, removed or changed.</p>")
    items = "".join(f'<li class="change-{c["change"]}">{escape(c["text"])}</li>' for c in changes[:60])
    more = f'<p class="more">… and {len(changes) - 60} more changes.</p>' if len(changes) > 60 else ""
    counts = {k: sum(c["change"] == k for c in changes) for k in ("added", "removed", "changed")}
    summary = f"<p>{counts['added']} rows added, {counts['removed']} removed, {counts['changed']} values changed.</p>"
    return HTML(head + summary + f'<ul class="changes">{items}</ul>{more}')


def key_figures_block(d: Dataset, limit: int = 40) -> HTML:
    """Every metric's consensus value with its sources (disputed ones flagged)."""
    if d.figures.empty:
        return HTML("<p>No figures had been reported by this date.</p>")
    rows = []
    metrics = d.figures.groupby("metric")["source_id"].nunique().sort_values(ascending=False)
    for metric in metrics.index[:limit]:
        f = d.fact(metric)
        disputed = d.figures[d.figures["metric"] == metric]["amount"].nunique() > 1
        entity = d.figures[d.figures["metric"] == metric].iloc[0]["entity"]
        rows.append(f"<tr><td>{escape(entity)}</td><td>{escape(fmt.metric_label(metric, entity))}</td>"
                    f"<td>{escape((f.qualifier + ' ' if f.qualifier else '') + f.text())}{' (disputed)' if disputed else ''}</td>"
                    f"<td>{escape(f.period)}</td><td>{f.n_sources} of {f.n_total}{cite(d, f.source_ids)}</td></tr>")
    more = f'<p class="more">… and {len(metrics) - limit} more metrics in figures.csv.</p>' if len(metrics) > limit else ""
    return HTML('<div class="table-wrap"><table class="key-figures"><caption>Key figures: the value most sources give</caption>'
                '<thead><tr><th scope="col">Who</th><th scope="col">Metric</th><th scope="col">Value</th><th scope="col">Period</th><th scope="col">Sources</th></tr></thead>'
                f'<tbody>{"".join(rows)}</tbody></table></div>{more}'
                f'<p><a class="download" download="figures.csv" href="{csv_data_uri(d.figures.drop(columns=["line"]))}">Download every figure (CSV)</a></p>')


__all__ = ["changes_block", "checks_block", "disagreements_block", "key_figures_block", "load_base", "table"]
