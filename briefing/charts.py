"""One function per chart. Each returns a Chart: SVG with a tooltip on every mark, a title that
states the finding, alt text, the sources behind its rows, and the rows it plots."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape as xml_escape

import matplotlib

matplotlib.use("svg")
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
TIMELINE_WIDTH = 4.0  # inches: a text-heavy chart, drawn narrower so its words stay legible at phone width
WIDTH = 5.2  # inches; the SVG scales to the column, this keeps 10 pt text legible at phone width

plt.rcParams.update({
    # text stays text in the SVG (selectable in the PDF, read by screen readers): DejaVu Sans, which
    # WeasyPrint finds through fontconfig, with the page's own fallbacks for browsers without it
    "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"], "font.size": 11, "axes.edgecolor": GREY, "axes.labelcolor": INK,
    "xtick.color": INK, "ytick.color": INK, "text.color": INK, "axes.spines.top": False,
    "axes.spines.right": False, "svg.fonttype": "none", "figure.dpi": 100,
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
            rows.append({"bar": label, "figure": fact.label, "amount_usd": fact.amount, "sources": ";".join(fact.source_ids), "metric": fact.metric})
    data = pd.DataFrame(rows, columns=["bar", "figure", "amount_usd", "sources", "metric"])
    ids = sorted({s for f in (pre, post, inv, stake) if f for s in f.source_ids}, key=d.citation_number)
    if pre and post and pre.amount:
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
    chart.data = data.drop(columns="metric")  # readers get labels; the key stays in figures.csv
    return _finish(fig, chart)


def date_ticks(dates) -> list[str]:
    """Tick labels for a run of dates: 'Jun 12', with the year on the first and wherever the year changes."""
    out, year = [], None
    for d in dates:
        d = pd.Timestamp(d)
        out.append(f"{d:%b} {d.day}" + (f", {d.year}" if d.year != year else ""))
        year = d.year
    return out


def span_text(lo: str, hi: str) -> str:
    """'June 8 to 18, 2025', 'June 12, 2025 to May 6, 2026': a date range in words, years always given."""
    a, b = pd.Timestamp(lo), pd.Timestamp(hi)
    if a == b:
        return fmt.date_text(lo)
    if a.year == b.year and a.month == b.month:
        return f"{a:%B} {a.day} to {b.day}, {a.year}"
    if a.year == b.year:
        return f"{a:%B} {a.day} to {b:%B} {b.day}, {a.year}"
    return f"{fmt.date_text(lo)} to {fmt.date_text(hi)}"


def short_label(text: str, width: int = 28) -> str:
    """A chart label that cannot push the chart off the page: wrapped at spaces, long words cut."""
    words = [w if len(w) <= width else w[: width - 1] + "\u2026" for w in str(text).split()]
    lines, line = [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], (lines[1][: width - 1] + "\u2026") if len(lines[1]) >= width else lines[1] + " \u2026"]
    return "\n".join(lines)


def clients_chart(d: Dataset) -> Chart:
    """Each client that moved (a status with a direction other than neutral), every account by date, and the money at stake."""
    clients = d.relationships[d.relationships["role"] == "client"]
    moved = set(clients.loc[clients["direction"] != "neutral", "party"])
    rel = clients[clients["party"].isin(moved)].reset_index(drop=True)
    unchanged = sorted(set(clients["party"]) - moved)
    money = [m for m in ("scale_revenue_usd", "google_spend_usd", "google_planned_spend_usd") if d.fact(m)]
    ids = sorted({s for lst in rel["source_list"] for s in lst} | {s for m in money for s in d.fact(m).source_ids}, key=d.citation_number)
    data = rel[["party", "status", "direction", "evidence", "as_of", "source_ids"]].rename(columns={"as_of": "date"})
    latest = d.latest_status(["client"]).set_index("party")
    away = [p for p in sorted(moved) if p in latest.index and latest.loc[p, "direction"] == "away"]
    toward = [p for p in sorted(moved) if p in latest.index and latest.loc[p, "direction"] == "toward"]
    if away:
        title = f"{len(away)} of the {len(moved)} clients shown {'was' if len(away) == 1 else 'were'} last reported moving away from Scale AI"
    elif moved:
        title = f"None of the {len(moved)} clients shown was last reported moving away from Scale AI"
    else:
        title = "Scale AI's clients after the deal"
    span = span_text(rel["as_of"].min(), rel["as_of"].max()) if len(rel) else ""
    subtitle = f"Each mark is one source's account, {span}; shape and colour show how sure it is; dates are evenly spaced"
    if unchanged:
        subtitle += f". Also named as clients, with no move either way: {', '.join(unchanged)}"
    chart = Chart("clients", title, subtitle, "", ids, data)
    if rel.empty:
        chart.empty_message = "No client had been reported changing course by this date."
        chart.alt = chart.empty_message
        return chart
    parties = list(dict.fromkeys(rel.sort_values(["as_of", "party"])["party"]))[::-1]
    n_money = len(money)
    fig, axes = plt.subplots(2 if n_money else 1, 1, figsize=(WIDTH, 0.62 * len(parties) + 1.5 + 0.5 * n_money + (0.8 if n_money else 0)),
                             gridspec_kw={"height_ratios": [max(len(parties), 2), max(n_money, 1) * 0.9]} if n_money else None)
    ax = axes[0] if n_money else axes
    days = sorted(set(rel["as_of"]))  # an ordinal axis: a year-long gap takes no more room than a day's
    seen = set()
    for i, r in rel.iterrows():
        yi = parties.index(r["party"])
        same = rel[(rel["party"] == r["party"]) & (rel["as_of"] == r["as_of"])].index.tolist()
        offset = (same.index(r.name) - (len(same) - 1) / 2) * 0.25 if len(same) > 1 else 0
        ev = r["evidence"]
        pts = ax.scatter(days.index(r["as_of"]), yi + offset, s=46, marker=EVIDENCE_MARKERS[ev], color=EVIDENCE_COLOURS[ev], zorder=3,
                         label=ev if ev not in seen else None, clip_on=False)
        seen.add(ev)
        _mark(pts, chart, f"pt-{i}", tooltip(f"{r['party']}: {r['status']} ({ev}, {fmt.date_text(r['as_of'])})", r["source_list"], r["quote"]))
    for yi, p in enumerate(parties):
        ax.axhline(yi, color="#dddddd", lw=0.8, zorder=1)
    ax.set_yticks(range(len(parties)), [plain(short_label(f"{p}: {latest.loc[p, 'status']}" if p in latest.index else p, 30)) for p in parties], fontsize=9)
    ax.tick_params(axis="y", length=0)
    ax.set_xlim(-0.6, len(days) - 0.4)
    ax.set_ylim(-0.6, len(parties) - 0.4)
    ax.set_xticks(range(len(days)), [plain(t) for t in date_ticks(days)], fontsize=8.5, rotation=0 if len(days) <= 4 else 35,
                  ha="center" if len(days) <= 4 else "right")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22 if len(days) > 4 else -0.14), ncol=3, frameon=False, fontsize=8.5, handletextpad=0.3)
    ax.set_title("Client, and its latest status", loc="left", fontsize=9, color=GREY, x=-0.02)
    if n_money:
        mx = axes[1]
        facts = [d.fact(m) for m in money]
        labels = [short_label(f"{f.label} ({f.period_text()})" if f.period else f.label, 30) for f in facts]
        yy = list(range(n_money))[::-1]
        top = max(f.amount for f in facts) / 1e6
        for yi, m, f, label in zip(yy, money, facts, labels):
            colour = GREY if m == "scale_revenue_usd" else VERMILLION
            bar = mx.barh(yi, f.amount / 1e6, color=colour, height=0.6)
            mx.text(f.amount / 1e6 + top * 0.02, yi, plain(f.text(short=True)), va="center", fontsize=9)
            _mark(bar.patches[0], chart, f"money-{m}", tooltip(f"{label.replace(chr(10), ' ')}: {f.text(short=True)}", f.source_ids, d.quote_for(m, f.amount)))
        mx.set_yticks(yy, [plain(x) for x in labels], fontsize=9)
        mx.tick_params(axis="y", length=0)
        mx.set_xlim(0, top * 1.3)
        mx.xaxis.set_major_formatter(lambda v, _: f"${v:g}M")
        mx.set_title("Money at stake, US dollars, millions", loc="left", fontsize=9, color=INK)
        extra = pd.DataFrame([{"party": f.label, "status": "", "direction": "", "evidence": "", "date": f.period, "source_ids": ";".join(f.source_ids),
                               "amount_usd": f.amount} for f in facts])
        data = pd.concat([data, extra], ignore_index=True)
    fig.subplots_adjust(hspace=0.75 if len(days) > 4 else 0.55)
    chart.data = data
    parts = [f"{p}: {latest.loc[p, 'status']} ({latest.loc[p, 'evidence']}, {fmt.date_text(latest.loc[p, 'as_of'])})" for p in parties[::-1] if p in latest.index]
    money_txt = "; ".join(f"{d.fact(m).label} {d.fact(m).text(short=True)}" for m in money)
    chart.alt = f"Dot chart. {title}. Latest status per client: " + "; ".join(parts) + "." + (f" Money at stake: {money_txt}." if money_txt else "")
    if toward:
        chart.alt += f" Moving toward Scale AI: {', '.join(toward)}."
    return _finish(fig, chart)


STATUS_RANK = {"announced": 0, "confirmed": 1, "reported": 2, "denied": 3}
MAX_LABELLED = 5  # per date (or month, year): the events whose curated label names them on the chart
MIN_NAMED = 2  # a date with fewer labelled events also names its most widely reported others; the rest are counted
MAX_GROUPS = 24  # above this many dates the timeline groups by month, then by year


def event_label(r: pd.Series) -> str:
    """An event's words on the chart: its curated label, else its description (wrapped and cut to two lines)."""
    return r.get("label") or r["description"]


def _key_events(grp: pd.DataFrame) -> pd.DataFrame:
    """The events of a date most worth naming: curated labels first, then the most widely reported, then the surest."""
    return grp.assign(_l=grp["label"] == "", _n=-grp["source_list"].map(len), _s=grp["status"].map(STATUS_RANK)).sort_values(
        ["_l", "_n", "_s", "event_id"]).drop(columns=["_l", "_n", "_s"])


def timeline_chart(d: Dataset) -> Chart:
    """Events in date order, down the page: each date with its key events named, the rest counted; long gaps compressed and said."""
    ev = d.events.copy()
    ids = sorted({s for lst in ev["source_list"] for s in lst}, key=d.citation_number)
    data = ev[["date", "date_precision", "actor", "event_type", "status", "source_ids", "description"]]
    if ev.empty:
        chart = Chart("timeline", "No events yet", "", "No events had been reported by this date.", ids, data)
        chart.empty_message = chart.alt
        return chart
    ev["d"] = pd.to_datetime(ev["date"])
    n_dates = ev["date"].nunique()
    level = "day" if n_dates <= MAX_GROUPS else "month" if ev["d"].dt.to_period("M").nunique() <= MAX_GROUPS else "year"
    ev["group"] = ev["date"] if level == "day" else ev["d"].dt.strftime("%Y-%m" if level == "month" else "%Y")
    span = span_text(ev["date"].min(), ev["date"].max())
    counts = ev.groupby("group").size()
    busiest = counts.idxmax()
    busiest_text = fmt.date_text(busiest) if level == "day" else fmt.period_text(busiest)
    title = f"{len(ev):,} events from {span}; the busiest {level} was {busiest_text}, with {counts.max():,}"
    sub = ("Key events named in date order, the others counted; colour shows whether an event was announced, confirmed or only reported; "
           "a hollow mark is an event dated only to the week, month or year")
    if level != "day":
        sub = f"Events by {level} ({len(ev):,} in all, too many to show one by one); " + sub
    chart = Chart("timeline", title, sub, "", ids, data)

    # lay the chart out as rows, top to bottom: a date line, its key events, "+N more", and a break line across a long gap
    rows, prev = [], None
    for group, grp in ev.groupby("group", sort=True):
        first = grp["d"].min()
        if prev is not None and (first - prev).days > 31:
            months = round((first - prev).days / 30.4)
            rows.append(("gap", f"\u2026 {months} month{'s' if months != 1 else ''} later" if months < 24 else f"\u2026 {months // 12} years later", None))
        prev = grp["d"].max()
        when = fmt.date_text(group) if level == "day" else fmt.period_text(group)
        rows.append(("date", f"{when}: {len(grp)} events" if len(grp) > 1 else when, None))
        key = _key_events(grp)
        n_named = max(min(int((grp["label"] != "").sum()), MAX_LABELLED), min(len(grp), MIN_NAMED))
        for _, r in key.head(n_named).iterrows():
            rows.append(("event", short_label(event_label(r), 40), r))
        if len(grp) > n_named:
            rows.append(("more", f"+ {len(grp) - n_named:,} more (in the list below)", key.iloc[n_named:]))
    # row heights in inches: text is 10 pt (0.14 in); the figure is narrower than the others so it scales down less on a phone
    heights = [0.42 if kind == "event" and "\n" in text else 0.25 if kind in ("event", "more") else 0.34 for kind, text, _ in rows]
    total = sum(heights)
    fig, ax = plt.subplots(figsize=(TIMELINE_WIDTH, total + 0.1))
    fig.subplots_adjust(left=0, right=1, top=1, bottom=0)
    ax.set_xlim(0, 1)
    ax.set_ylim(total, 0)
    ax.axis("off")
    x_line, y = 0.035, 0.0
    statuses = set()
    for i, ((kind, text, r), h) in enumerate(zip(rows, heights)):
        mid = y + h / 2
        if kind == "date":
            ax.text(0, mid + 0.03, plain(text), fontsize=10.5, fontweight="bold", va="center")
        elif kind == "gap":
            ax.plot([x_line, x_line], [y + 0.03, y + h - 0.03], color=GREY, lw=1.2, ls=(0, (1, 2)))
            ax.text(x_line + 0.05, mid, plain(text), fontsize=9.5, style="italic", color=GREY, va="center")
        elif kind == "event":
            colour = STATUS_COLOURS.get(r["status"], GREY)
            statuses.add(r["status"])
            hollow = r["date_precision"] != "day"
            pts = ax.scatter([x_line], [mid], s=34, zorder=3, linewidths=1.4, edgecolors=colour, facecolors="white" if hollow else colour, clip_on=False)
            ax.text(x_line + 0.05, mid, plain(text), fontsize=10, va="center", linespacing=1.05)
            when = fmt.date_text(r["date"], r["date_precision"])
            _mark(pts, chart, f"ev-{r['event_id']}", tooltip(f"{when}: {r['actor']}, {r['event_type']} ({r['status']})", r["source_list"], r["quote"]))
        else:  # "more"
            t = ax.text(x_line + 0.05, mid, plain(text), fontsize=9.5, color=GREY, va="center")
            names = "; ".join(f"{fmt.date_text(x['date'], x['date_precision'])}: {event_label(x)}" for _, x in r.head(6).iterrows()) + (" \u2026" if len(r) > 6 else "")
            srcs = sorted({s for lst in r["source_list"] for s in lst}, key=d.citation_number)
            _mark(t, chart, f"more-{i}", tooltip(f"{len(r):,} more event{'s' if len(r) != 1 else ''}: {names}", srcs, r.iloc[0]["quote"]))
        if kind in ("event", "more", "date") and i + 1 < len(rows) and rows[i + 1][0] in ("event", "more"):
            ax.plot([x_line, x_line], [mid, y + h + heights[i + 1] / 2], color="#cccccc", lw=1, zorder=1)
        y += h
    handles = [plt.Line2D([], [], marker="o", ls="", color=STATUS_COLOURS[s], label=s, markersize=6) for s in STATUS_COLOURS if s in statuses]
    if handles:
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=len(handles), frameon=False, fontsize=8.5, handletextpad=0.2,
                  borderaxespad=0.2)
    counts_txt = ", ".join(f"{(ev['status'] == s).sum()} {s}" for s in STATUS_COLOURS if (ev["status"] == s).any())
    named = "; ".join(f"{fmt.date_text(r['date'], r['date_precision'])}: {event_label(r)}" for kind, _, r in rows if kind == "event")
    chart.alt = f"Timeline. {title}. Of these, {counts_txt}. Named on the chart: {named}. The full list of events follows the chart."
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
        label = "; ".join(sorted({f"{d.label(m)}: {fmt.number(a, u, True)}" for a, u, m in zip(figs["amount"], figs["unit"], figs["metric"])}))
        ids.extend(s for s in figs["source_id"] if s not in ids)
        best = grp.sort_values("evidence", key=lambda s: s.map(EVIDENCE_ORDER.index)).iloc[0]
        rows.append({"party": party, "n_sources": len(srcs), "evidence": best["evidence"], "status": best["status"], "figures": label,
                     "source_ids": ";".join(srcs), "quote": best["quote"]})
    data = pd.DataFrame(rows, columns=["party", "n_sources", "evidence", "status", "figures", "source_ids", "quote"])
    data = data.sort_values(["n_sources", "party"], ascending=[True, False]).reset_index(drop=True)
    ids = sorted(set(ids), key=d.citation_number)
    with_numbers = [r["party"] for _, r in data.iloc[::-1].iterrows() if r["figures"]]
    title = f"{len(data)} rival{'s' if len(data) != 1 else ''} of Scale AI named in the reporting"
    if with_numbers:
        title += f"; {' and '.join(with_numbers[:2])}{' and others' if len(with_numbers) > 2 else ''} gave figures"
    chart = Chart("rivals", title, "Number of sources naming each rival; labels give the figures they reported", "", ids, data.drop(columns="quote"))
    if data.empty:
        chart.empty_message = "No rival had been reported gaining business by this date."
        chart.alt = chart.empty_message
        return chart
    fig, ax = plt.subplots(figsize=(WIDTH, 0.42 * len(data) + 1.0))
    for i, r in data.iterrows():
        bar = ax.barh(i, r["n_sources"], color=EVIDENCE_COLOURS[r["evidence"]], height=0.6)
        ax.text(r["n_sources"] + 0.08, i, plain(short_label(r["figures"] or r["status"], 90)), va="center", fontsize=8.5)
        _mark(bar.patches[0], chart, f"bar-{i}", tooltip(f"{r['party']}: {r['status']}, {r['n_sources']} source(s), {r['evidence']}" + (f"; {r['figures']}" if r["figures"] else ""), r["source_ids"].split(";"), r["quote"]))
    ax.set_yticks(range(len(data)), [plain(short_label(p, 40)) for p in data["party"]])
    ax.set_xlim(0, data["n_sources"].max() * 2.6)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("Sources naming the rival")
    ax.tick_params(axis="y", length=0)
    handles = [Patch(color=EVIDENCE_COLOURS[ev], label=ev) for ev in EVIDENCE_ORDER if ev in set(data["evidence"])]
    ax.legend(handles=handles, loc="lower right", frameon=False, fontsize=9)
    parts = [f"{r['party']} ({r['n_sources']} source{'s' if r['n_sources'] != 1 else ''}{', ' + r['figures'] if r['figures'] else ''})" for _, r in data.iloc[::-1].iterrows()]
    chart.alt = f"Bar chart. {title}. " + "; ".join(parts) + "."
    return _finish(fig, chart)
