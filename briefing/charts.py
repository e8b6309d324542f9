"""One function per chart. Each returns a Chart: SVG with a tooltip on every mark, a title that
states the finding, alt text, the sources behind its rows, and the rows it plots."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape as xml_escape

import matplotlib

matplotlib.use("svg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Patch

from . import fmt
from .data import EVIDENCE_ORDER, Dataset

# Okabe-Ito, the colour-blind-safe palette; each used colour has >= 3:1 contrast on white.
BLUE, VERMILLION, GREEN, PURPLE, GREY, INK = "#0072B2", "#D55E00", "#007A5A", "#A4487E", "#767676", "#222222"
EVIDENCE_COLOURS = {"confirmed": BLUE, "reported": VERMILLION, "rumoured": PURPLE}
EVIDENCE_MARKERS = {"confirmed": "o", "reported": "s", "rumoured": "D"}
STATUS_COLOURS = {"announced": GREEN, "confirmed": BLUE, "reported": VERMILLION, "denied": PURPLE}
WIDTH = 5.2  # inches; the SVG scales to the column, this keeps 10 pt text legible at phone width
MAX_EVENT_MARKS = 60  # above this the timeline aggregates per day or month

plt.rcParams.update({
    "font.family": "DejaVu Sans", "font.size": 11, "axes.edgecolor": GREY, "axes.labelcolor": INK,
    "xtick.color": INK, "ytick.color": INK, "text.color": INK, "axes.spines.top": False,
    "axes.spines.right": False, "svg.fonttype": "path", "figure.dpi": 100,
})


@dataclass
class Chart:
    name: str
    title: str
    subtitle: str
    alt: str
    source_ids: list[str]
    data: pd.DataFrame
    svg: str = ""
    empty_message: str = ""
    tooltips: dict[str, str] = field(default_factory=dict)


def plain(text: str) -> str:
    """Data text for matplotlib: never let '$' start mathtext."""
    return str(text).replace("\\", "\\\\").replace("$", r"\$")


def _quote(text: str, limit: int = 140) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def tooltip(value: str, source_ids, quote: str) -> str:
    ids = source_ids if isinstance(source_ids, str) else ", ".join(source_ids)
    return f"{value} | source: {ids} | \u201c{_quote(quote)}\u201d"


def _svg(fig, name: str, tooltips: dict[str, str]) -> str:
    """Deterministic SVG (fixed hash salt, no date) with an SVG <title> inside each mark's group."""
    plt.rcParams["svg.hashsalt"] = name
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r'<svg\1', svg, count=1)
    svg = svg.replace("<svg", f'<svg class="chart-svg" focusable="false" aria-hidden="true" data-chart="{name}"', 1)
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.DOTALL)
    for gid, text in tooltips.items():
        svg = svg.replace(f'<g id="{gid}">', f'<g id="{gid}" class="mark"><title>{xml_escape(text)}</title>', 1)
    # ids must be unique across the page's several SVGs: prefix matplotlib's own ids (figure_1,
    # clip paths, glyphs) and every reference to them with the chart's name; mark gids already have it.
    prefix = f"{name}-"

    def own(i: str) -> str:
        return i if i.startswith(prefix) else prefix + i

    svg = re.sub(r'(?<![\w:-])id="([^"]+)"', lambda m: f'id="{own(m.group(1))}"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{own(m.group(1))})", svg)
    svg = re.sub(r'((?<![\w-])(?:xlink:)?href)="#([^"]+)"', lambda m: f'{m.group(1)}="#{own(m.group(2))}"', svg)
    return svg


def _finish(fig, chart: Chart) -> Chart:
    chart.svg = _svg(fig, chart.name, chart.tooltips)
    return chart


def _mark(artist, chart: Chart, key: str, text: str) -> None:
    gid = f"{chart.name}-{key}"
    artist.set_gid(gid)
    chart.tooltips[gid] = text


def valuation_chart(d: Dataset) -> Chart:
    """The valuation before and after the deal, with Meta's investment and stake against it."""
    pre, post, inv, stake = (d.fact(m) for m in ("valuation_pre_usd", "valuation_post_usd", "meta_investment_usd", "meta_stake_pct"))
    rows = []
    for label, fact in (("Valuation before the deal", pre), ("Valuation after the deal", post), ("Meta's investment", inv)):
        if fact:
            rows.append({"bar": label, "metric": fact.metric, "amount_usd": fact.amount, "sources": ";".join(fact.source_ids)})
    data = pd.DataFrame(rows, columns=["bar", "metric", "amount_usd", "sources"])
    ids = sorted({s for f in (pre, post, inv, stake) if f for s in f.source_ids}, key=d.citation_number)
    if pre and post:
        mult = post.amount / pre.amount
        title = "Meta's deal roughly doubled Scale AI's valuation" if 1.8 <= mult <= 2.2 else f"Meta's deal took Scale AI's valuation to {fmt.ratio(mult)} its earlier level"
    elif post:
        title = f"Meta's deal valued Scale AI at {post.text(short=True)}"
    else:
        title = "Scale AI's valuation"
    stake_txt = f" for a {stake.text()} stake" if stake else ""
    chart = Chart("valuation", title, "US dollars, billions", "", ids, data)
    if data.empty:
        chart.empty_message = "No valuation or investment figures had been reported by this date."
        chart.alt = chart.empty_message
        return chart
    fig, ax = plt.subplots(figsize=(WIDTH, 0.75 * len(data) + 0.9))
    colours = {"Valuation before the deal": GREY, "Valuation after the deal": BLUE, "Meta's investment": VERMILLION}
    y = list(range(len(data)))[::-1]
    for yi, (_, r) in zip(y, data.iterrows()):
        bar = ax.barh(yi, r["amount_usd"] / 1e9, color=colours[r["bar"]], height=0.6)
        fact = {"valuation_pre_usd": pre, "valuation_post_usd": post, "meta_investment_usd": inv}[r["metric"]]
        label = fmt.money(r["amount_usd"], short=True) + (stake_txt if r["metric"] == "meta_investment_usd" else "")
        ax.text(r["amount_usd"] / 1e9 + 0.4, yi, plain(label), va="center", fontsize=10)
        q = d.quote_for(r["metric"], r["amount_usd"])
        _mark(bar.patches[0], chart, f"bar-{r['metric']}", tooltip(f"{r['bar']}: {fmt.money(r['amount_usd'], True)}", fact.source_ids, q))
    ax.set_yticks(y, [plain(b) for b in data["bar"]])
    ax.set_xlim(0, data["amount_usd"].max() / 1e9 * 1.45)
    ax.xaxis.set_major_formatter(lambda v, _: f"${v:g}B")
    ax.tick_params(axis="y", length=0)
    parts = [f"{r['bar']} {fmt.money(r['amount_usd'], True)}" for _, r in data.iterrows()]
    chart.alt = f"Bar chart. {title}. " + "; ".join(parts) + (f"; Meta's investment bought a {stake.text()} stake." if stake else ".")
    return _finish(fig, chart)


def clients_chart(d: Dataset) -> Chart:
    """Each client's stated status over June 2025, by how sure the reporting is, and the money at stake."""
    clients = d.relationships[d.relationships["role"] == "client"]
    moved = set(clients.loc[clients["status"] != "staying", "party"])
    rel = clients[clients["party"].isin(moved)].reset_index(drop=True)
    unchanged = sorted(set(clients["party"]) - moved)
    money = [(m, label) for m, label in (("scale_revenue_usd", "Scale AI revenue"), ("google_spend_usd", "Google's spend"), ("google_planned_spend_usd", "Google's planned spend")) if d.fact(m)]
    ids = sorted({s for lst in rel["source_list"] for s in lst} | {s for m, _ in money for s in d.fact(m).source_ids}, key=d.citation_number)
    data = rel[["party", "status", "evidence", "as_of", "source_ids"]].rename(columns={"as_of": "date"})
    moving = sorted({p for p, s in zip(rel["party"], rel["status"]) if s in ("winding down", "plans to cut ties", "considering", "paused")})
    title = (f"{len(moving)} of Scale AI's clients were reported pulling back after the deal" if moving else "Scale AI's clients after the deal")
    subtitle = "Each mark is one source's account, by date (June 2025); shape and colour show how sure it is"
    if unchanged:
        subtitle += f". Also named as clients, with no change reported: {', '.join(unchanged)}"
    chart = Chart("clients", title, subtitle, "", ids, data)
    if rel.empty:
        chart.empty_message = "No client had been reported changing course by this date."
        chart.alt = chart.empty_message
        return chart
    parties = list(dict.fromkeys(rel.sort_values(["as_of", "party"])["party"]))[::-1]
    n_money = len(money)
    fig, axes = plt.subplots(2 if n_money else 1, 1, figsize=(WIDTH, 0.6 * len(parties) + 1.4 + 0.5 * n_money + (0.8 if n_money else 0)),
                             gridspec_kw={"height_ratios": [max(len(parties), 2), max(n_money, 1) * 0.9]} if n_money else None)
    ax = axes[0] if n_money else axes
    rel["d"] = pd.to_datetime(rel["as_of"])
    seen = set()
    for i, r in rel.iterrows():
        yi = parties.index(r["party"])
        same = rel[(rel["party"] == r["party"]) & (rel["as_of"] == r["as_of"])].index.tolist()
        offset = (same.index(r.name) - (len(same) - 1) / 2) * 0.25 if len(same) > 1 else 0
        ev = r["evidence"]
        pts = ax.scatter(r["d"], yi + offset, s=46, marker=EVIDENCE_MARKERS[ev], color=EVIDENCE_COLOURS[ev], zorder=3,
                         label=ev if ev not in seen else None)
        seen.add(ev)
        _mark(pts, chart, f"pt-{i}", tooltip(f"{r['party']}: {r['status']} ({ev}, {fmt.short_date(r['as_of'])})", r["source_list"], r["quote"]))
    latest = d.latest_status().set_index("party")
    for yi, p in enumerate(parties):
        ax.axhline(yi, color="#dddddd", lw=0.8, zorder=1)
    ax.set_yticks(range(len(parties)), [plain(f"{p}\n{latest.loc[p, 'status']}") if p in latest.index else plain(p) for p in parties], fontsize=10)
    ax.tick_params(axis="y", length=0)
    lo, hi = rel["d"].min(), rel["d"].max()
    ax.set_xlim(lo - pd.Timedelta(days=1.5), hi + pd.Timedelta(days=1.5))
    ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, -(-(hi - lo).days // 4))))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %-d"))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14 if n_money else -0.12), ncol=3, frameon=False, fontsize=8.5, handletextpad=0.3)
    ax.set_title("Client, and its latest status", loc="left", fontsize=9, color=GREY, x=-0.02)
    if n_money:
        mx = axes[1]
        amounts = [d.fact(m) for m, _ in money]
        labels = [f"{lab} ({f.period})" if f.period else lab for (m, lab), f in zip(money, amounts)]
        yy = list(range(n_money))[::-1]
        for yi, (m, lab), f, label in zip(yy, money, amounts, labels):
            colour = GREY if m == "scale_revenue_usd" else VERMILLION
            bar = mx.barh(yi, f.amount / 1e6, color=colour, height=0.6)
            q = d.quote_for(m, f.amount)
            mx.text(f.amount / 1e6 + 12, yi, plain(f.text(short=True)), va="center", fontsize=9)
            _mark(bar.patches[0], chart, f"money-{m}", tooltip(f"{label}: {f.text(short=True)}", f.source_ids, q))
        mx.set_yticks(yy, [plain(x) for x in labels])
        mx.tick_params(axis="y", length=0)
        mx.set_xlim(0, max(f.amount for f in amounts) / 1e6 * 1.25)
        mx.xaxis.set_major_formatter(lambda v, _: f"${v:g}M")
        mx.set_title("Money at stake, US dollars, millions", loc="left", fontsize=9, color=INK)
        for f, (m, lab) in zip(amounts, money):
            data = pd.concat([data, pd.DataFrame([{"party": lab, "status": "", "evidence": "", "date": f.period, "source_ids": ";".join(f.source_ids), "amount_usd": f.amount}])], ignore_index=True)
    fig.subplots_adjust(hspace=0.55)
    chart.data = data
    parts = [f"{p}: {latest.loc[p, 'status']} ({latest.loc[p, 'evidence']}, {fmt.short_date(latest.loc[p, 'as_of'])})" for p in parties[::-1] if p in latest.index]
    money_txt = "; ".join(f"{lab} {d.fact(m).text(short=True)}" for m, lab in money)
    chart.alt = f"Dot chart. {title}. Latest status per client: " + "; ".join(parts) + "." + (f" Money at stake: {money_txt}." if money_txt else "")
    return _finish(fig, chart)


def timeline_chart(d: Dataset) -> Chart:
    """Events by date, coloured by status; aggregated per day (or month) when there are many."""
    ev = d.events.copy()
    ids = sorted({s for lst in ev["source_list"] for s in lst}, key=d.citation_number)
    data = ev[["date", "date_precision", "actor", "event_type", "status", "source_ids", "description"]]
    if ev.empty:
        chart = Chart("timeline", "No events yet", "", "No events had been reported by this date.", ids, data)
        chart.empty_message = chart.alt
        return chart
    vague = ev[ev["date_precision"].isin(["month", "year"])]
    ev = ev[~ev["date_precision"].isin(["month", "year"])].copy()
    if ev.empty:
        ev = vague.copy()
    ev["d"] = pd.to_datetime(ev["date"])
    per_day = ev.groupby("date").size()
    exact = ev[ev["date_precision"] == "day"]
    busiest = (exact if len(exact) else ev).groupby("date").size().idxmax()
    title = f"{len(ev)} events from {fmt.short_date(ev['date'].min())} to {fmt.short_date(ev['date'].max())}; the busiest day was {fmt.short_date(busiest)}"
    if len(exact) and len(exact) < len(ev):
        title = f"{len(ev)} events from {fmt.short_date(ev['date'].min())} to {fmt.short_date(ev['date'].max())}; most of those with an exact date fell on {fmt.short_date(busiest)}"
    sub = "Each dot is one event, stacked by day; colour shows whether it was announced, confirmed or only reported"
    if len(vague) and len(ev) != len(vague):
        sub += f". Not shown: {len(vague)} event{'s' if len(vague) != 1 else ''} known only to the month or year (in the list below)"
    chart = Chart("timeline", title, sub, "", ids, data)
    statuses = [s for s in STATUS_COLOURS if s in set(ev["status"])]
    if len(ev) <= MAX_EVENT_MARKS:
        fig, ax = plt.subplots(figsize=(WIDTH, 2.2 + 0.12 * per_day.max()))
        ev["stack"] = ev.groupby("date").cumcount()
        for i, r in ev.iterrows():
            hollow = r["date_precision"] != "day"
            colour = STATUS_COLOURS[r["status"]]
            pts = ax.scatter(r["d"], r["stack"] + 1, s=40, marker="o", zorder=3, linewidths=1.6,
                             facecolors="white" if hollow else colour, edgecolors=colour)
            _mark(pts, chart, f"ev-{i}", tooltip(f"{fmt.short_date(r['date'])}: {r['actor']}, {r['event_type']} ({r['status']})", r["source_list"], r["quote"]))
        ax.set_ylabel("Events that day")
        ax.set_ylim(0, per_day.max() + 1)
    else:
        monthly = (ev["d"].max() - ev["d"].min()).days > 120
        key = ev["d"].dt.to_period("M").dt.to_timestamp() if monthly else ev["d"]
        counts = ev.assign(k=key).groupby(["k", "status"]).size().unstack(fill_value=0)
        chart.subtitle = f"Events per {'month' if monthly else 'day'}, by status ({len(ev):,} events; too many to show one by one)"
        fig, ax = plt.subplots(figsize=(WIDTH, 3.2))
        bottom = None
        width = 25 if monthly else 0.8
        for s in statuses:
            vals = counts.get(s, pd.Series(0, index=counts.index))
            bars = ax.bar(counts.index, vals, bottom=bottom, color=STATUS_COLOURS[s], width=width)
            for j, (k, v) in enumerate(vals.items()):
                if v:
                    _mark(bars.patches[j], chart, f"agg-{s}-{j}", f"{k:%Y-%m-%d}: {v} {s} events | sources: see the event list")
            bottom = vals if bottom is None else bottom + vals
        ax.set_ylabel(f"Events per {'month' if monthly else 'day'}")
    for s in statuses:
        ax.scatter([], [], color=STATUS_COLOURS[s], label=s, s=30)
    if len(ev) <= MAX_EVENT_MARKS and (ev["date_precision"] != "day").any():
        ax.scatter([], [], facecolors="white", edgecolors=GREY, linewidths=1.6, label="date known to the week", s=30)
    ax.legend(loc="upper left", frameon=False, fontsize=8.5, ncol=2, bbox_to_anchor=(0, 1.2))
    days = sorted(ev["d"].unique())
    if len(days) <= 6:  # few distinct days: tick exactly those, skipping one that would touch its neighbour
        ticks = [days[0]]
        for day in days[1:]:
            if (day - ticks[-1]) >= pd.Timedelta(days=2):
                ticks.append(day)
        ax.set_xticks(ticks)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %-d"))
        ax.set_xlim(days[0] - pd.Timedelta(days=1.5), days[-1] + pd.Timedelta(days=1.5))
    else:
        locator = mdates.AutoDateLocator(maxticks=6)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.yaxis.get_major_locator().set_params(integer=True)
    counts_txt = ", ".join(f"{(ev['status'] == s).sum()} {s}" for s in statuses)
    chart.alt = f"Timeline. {title}. Of these, {counts_txt}. The full list of events follows the chart."
    return _finish(fig, chart)


def rivals_chart(d: Dataset) -> Chart:
    """Scale AI's rivals reported gaining demand: how many sources say so, and the figures they gave."""
    rel = d.relationships[d.relationships["role"].isin(["competitor", "new provider"])].copy()
    ids = sorted({s for lst in rel["source_list"] for s in lst}, key=d.citation_number)
    rows = []
    for party, grp in rel.groupby("party"):
        srcs = sorted({s for lst in grp["source_list"] for s in lst}, key=d.citation_number)
        figs = d.figures[d.figures["entity"].str.lower() == party.lower()]
        figs = figs[figs["unit"].isin(["USD", "multiple"])]
        label = "; ".join(sorted({f"{fmt.number(a, u, True)} {fmt.metric_label(m, party)}" for a, u, m in zip(figs["amount"], figs["unit"], figs["metric"])}))
        ids.extend(s for s in figs["source_id"] if s not in ids)
        best = grp.sort_values("evidence", key=lambda s: s.map(EVIDENCE_ORDER.index)).iloc[0]
        rows.append({"party": party, "n_sources": len(srcs), "evidence": best["evidence"], "status": best["status"], "figures": label,
                     "source_ids": ";".join(srcs), "quote": best["quote"]})
    data = pd.DataFrame(rows, columns=["party", "n_sources", "evidence", "status", "figures", "source_ids", "quote"])
    data = data.sort_values(["n_sources", "party"], ascending=[True, False]).reset_index(drop=True)
    ids = sorted(set(ids), key=d.citation_number)
    with_numbers = [r["party"] for _, r in data.iterrows() if r["figures"]]
    if with_numbers:
        title = f"{' and '.join(with_numbers[-2:][::-1])} put numbers on their gains; {len(data)} rivals in all were named"
    else:
        title = f"{len(data)} rivals of Scale AI were named as gaining business"
    chart = Chart("rivals", title, "Number of sources naming each rival; labels give the figures they reported", "", ids, data.drop(columns="quote"))
    if data.empty:
        chart.empty_message = "No rival had been reported gaining business by this date."
        chart.alt = chart.empty_message
        return chart
    fig, ax = plt.subplots(figsize=(WIDTH, 0.42 * len(data) + 1.0))
    for i, r in data.iterrows():
        bar = ax.barh(i, r["n_sources"], color=EVIDENCE_COLOURS[r["evidence"]], height=0.6)
        ax.text(r["n_sources"] + 0.08, i, plain(r["figures"] or r["status"]), va="center", fontsize=8.5)
        _mark(bar.patches[0], chart, f"bar-{i}", tooltip(f"{r['party']}: {r['status']}, {r['n_sources']} source(s), {r['evidence']}" + (f"; {r['figures']}" if r["figures"] else ""), r["source_ids"].split(";"), r["quote"]))
    ax.set_yticks(range(len(data)), [plain(p) for p in data["party"]])
    ax.set_xlim(0, data["n_sources"].max() * 2.6)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("Sources naming the rival")
    ax.tick_params(axis="y", length=0)
    handles = [Patch(color=EVIDENCE_COLOURS[ev], label=ev) for ev in EVIDENCE_ORDER if ev in set(data["evidence"])]
    ax.legend(handles=handles, loc="lower right", frameon=False, fontsize=9)
    parts = [f"{r['party']} ({r['n_sources']} source{'s' if r['n_sources'] != 1 else ''}{', ' + r['figures'] if r['figures'] else ''})" for _, r in data.iloc[::-1].iterrows()]
    chart.alt = f"Bar chart. {title}. " + "; ".join(parts) + "."
    return _finish(fig, chart)
