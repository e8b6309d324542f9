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
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from . import fmt
from .data import EVIDENCE_ORDER, Dataset

# Okabe-Ito, the colour-blind-safe palette; each used colour has >= 3:1 contrast on white.
BLUE, VERMILLION, GREEN, PURPLE, GREY, INK = "#0072B2", "#D55E00", "#007A5A", "#A4487E", "#767676", "#222222"
EVIDENCE_COLOURS = {"confirmed": BLUE, "reported": VERMILLION, "rumoured": PURPLE}
STATUS_COLOURS = {"announced": GREEN, "confirmed": BLUE, "reported": VERMILLION, "denied": PURPLE}
DIRECTION_COLOURS = {"away": VERMILLION, "toward": BLUE, "neutral": GREY}
DIRECTION_MARKERS = {"away": "<", "toward": ">", "neutral": "o"}
DIRECTION_HEADS = {"away": "Moving away from Scale AI", "toward": "Moving toward Scale AI", "neutral": "Back to no change either way"}

# Legibility. The SVG is scaled to the column: 358 px on a 390 px phone. A font of s pt in a figure W
# inches wide renders at s * 358 / (72 * W) px there, so in a 4-inch figure 9.5 pt is 11.8 px, the
# smallest text any chart uses, and 10.5 pt body text is 13 px (tests/test_charts.py checks every chart).
WIDTH = 4.0  # inches, every chart
PHONE_COLUMN_PX = 358
MIN_TEXT_PX = 11
BODY, SMALL = 10.5, 9.5  # pt
MAX_ROWS = 8  # parties a story chart draws (the most certain first); the rest are counted, and listed in the appendix and the CSV
MAX_NAMES = 5  # parties named in a subtitle before "and N others"
EVIDENCE_PLAIN = {"confirmed": "confirmed", "reported": "reported", "rumoured": "unattributed"}  # how sure, in a reader's words
PAD = 0.03  # inches around the drawing (matplotlib's 0.1 would make the SVG 5% wider and its text 5% smaller)

plt.rcParams.update({
    # text stays text in the SVG (selectable in the PDF, read by screen readers): DejaVu Sans, which
    # WeasyPrint finds through fontconfig, with the page's own fallbacks for browsers without it
    "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"], "font.size": BODY, "axes.edgecolor": GREY, "axes.labelcolor": INK,
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
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight", pad_inches=PAD)
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


# ---------------------------------------------------------------- text charts: rows of words, measured

_PATHS = TextToPath()


def text_width(text: str, size: float = BODY, weight: str = "normal") -> float:
    """The width in inches of a line of text as matplotlib sets it (the same font metrics, so deterministic)."""
    w, _, _ = _PATHS.get_text_width_height_descent(str(text), FontProperties(family="sans-serif", size=size, weight=weight), ismath=False)
    return w / 72 * 1.03  # room for a browser's own rounding and hinting


def wrap(text: str, width: float, size: float = BODY, weight: str = "normal", max_lines: int = 3) -> list[str]:
    """Lines of at most `width` inches, broken at spaces; a word too long for a line, or a line past max_lines, is cut with '…'."""
    def fit(word: str) -> str:
        while len(word) > 1 and text_width(word, size, weight) > width:
            word = word[:-2] + "\u2026"
        return word

    lines, line = [], ""
    for w in (fit(w) for w in str(text).split()):
        if line and text_width(f"{line} {w}", size, weight) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = fit(lines[-1] + " \u2026")
    return lines


def line_height(size: float) -> float:
    return size * 1.3 / 72


@dataclass
class Words:
    """Text for one column of a row: wrapped to the column, optionally after a bold lead ('$50M' before its label)."""

    text: str
    size: float = BODY
    weight: str = "normal"
    colour: str = INK
    lead: str = ""  # set in bold before the text, which hangs beside it
    lead_colour: str = INK
    max_lines: int = 3


@dataclass
class Row:
    left: list[Words]  # the name column
    right: list[Words]  # what it says
    marker: tuple[str, str] | None = None  # (shape, colour) beside the name: the mark that carries the tooltip
    key: str = ""  # mark id (with the tooltip in `tip`)
    tip: str = ""
    header: bool = False  # a heading across the width: the left words only


NAME_X, RIGHT_X, MARK_X = 0.2, 1.45, 0.07  # inches: the marker, the name column, the words column


def _column(words: list[Words], width: float) -> list[tuple[float, float, Words, str]]:
    """(x, y from the row's top, style, text) per printed line; returns lines of one column laid out downwards."""
    out, y = [], 0.0
    for w in words:
        lead_w = text_width(w.lead + " ", w.size, "bold") if w.lead else 0.0
        lines = wrap(w.text, width - lead_w, w.size, w.weight, w.max_lines) if w.text else [""]
        if w.lead:
            out.append((0.0, y, Words(w.lead, w.size, "bold", w.lead_colour), w.lead))
        for line in lines:
            if line:
                out.append((lead_w, y, w, line))
            y += line_height(w.size)
    return out


def _column_height(words: list[Words], width: float) -> float:
    h = 0.0
    for w in words:
        lead_w = text_width(w.lead + " ", w.size, "bold") if w.lead else 0.0
        h += line_height(w.size) * (len(wrap(w.text, width - lead_w, w.size, w.weight, w.max_lines)) if w.text else 1)
    return h


def _rows_chart(chart: Chart, rows: list[Row], gap: float = 0.12) -> Chart:
    """Draw rows of words down the page, two columns (name, what it says), a marker with its tooltip per row."""
    left_w, right_w = RIGHT_X - NAME_X - 0.08, WIDTH - RIGHT_X - 0.02
    heights = []
    for r in rows:
        if r.header:
            heights.append(_column_height(r.left, WIDTH) + gap * 0.6)
        else:
            heights.append(max(_column_height(r.left, left_w), _column_height(r.right, right_w)) + gap)
    total = sum(heights) + 0.02
    fig, ax = plt.subplots(figsize=(WIDTH, total))
    fig.subplots_adjust(left=0, right=1, top=1, bottom=0)
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(total, 0)
    ax.axis("off")
    y = 0.0
    for i, (r, h) in enumerate(zip(rows, heights)):
        top = y + (gap * 0.6 if r.header and i else 0)
        columns = [(0.0, r.left, WIDTH)] if r.header else [(NAME_X, r.left, left_w), (RIGHT_X, r.right, right_w)]
        for x0, words, width in columns:
            for x, dy, w, text in _column(words, width):
                ax.text(x0 + x, top + dy, plain(text), fontsize=w.size, fontweight=w.weight, color=w.colour, va="top", ha="left", linespacing=1.0)
        if r.marker:
            shape, colour = r.marker
            first = r.left[0].size if r.left else BODY
            pts = ax.scatter([MARK_X], [top + line_height(first) * 0.45], s=44, marker=shape, color=colour, zorder=3, clip_on=False)
            if r.key:
                _mark(pts, chart, r.key, r.tip)
        if not r.header and i + 1 < len(rows) and not rows[i + 1].header:
            ax.plot([NAME_X, WIDTH], [y + h - gap / 2] * 2, color="#e3e3e3", lw=0.8, zorder=1)
        y += h
    return _finish(fig, chart)


def _labelled_bars(ax, labels: list[str], values: list[float], colours: list[str], texts: list[str]) -> list:
    """Horizontal bars, top to bottom, each with its label above it and its value at its end (no axis to read)."""
    top = max(values) if values else 1
    bars = []
    for i, (label, v, c, t) in enumerate(zip(labels, values, colours, texts)):
        y = i * 1.15
        bars.append(ax.barh(y, v, color=c, height=0.5))
        ax.text(0, y - 0.34, plain(label), fontsize=BODY, va="bottom", ha="left")
        ax.text(v + top * 0.02, y, plain(t), fontsize=BODY, va="center", ha="left", fontweight="bold")
    ax.set_ylim((len(values) - 1) * 1.15 + 0.35, -0.95)
    ax.set_xlim(0, top * 1.55)
    ax.axis("off")
    ax.axvline(0, color=GREY, lw=0.8)
    return bars


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
    chart = Chart("valuation", title, "US dollars", "", ids, data)
    if data.empty:
        chart.empty_message = "No valuation or investment figures had been reported by this date."
        chart.alt = chart.empty_message
        return chart
    fig, ax = plt.subplots(figsize=(WIDTH, 0.62 * len(data) + 0.2))
    fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01)
    colours = {"Valuation before the deal": GREY, "Valuation after the deal": BLUE, "Meta's investment": VERMILLION}
    facts = {"valuation_pre_usd": pre, "valuation_post_usd": post, "meta_investment_usd": inv}
    texts = [fmt.money(r["amount_usd"], short=True) + (stake_txt if r["metric"] == "meta_investment_usd" else "") for _, r in data.iterrows()]
    bars = _labelled_bars(ax, list(data["bar"]), list(data["amount_usd"] / 1e9), [colours[b] for b in data["bar"]], texts)
    for bar, (_, r) in zip(bars, data.iterrows()):
        q = d.quote_for(r["metric"], r["amount_usd"])
        _mark(bar.patches[0], chart, f"bar-{r['metric']}", tooltip(f"{r['bar']}: {fmt.money(r['amount_usd'], True)}", facts[r["metric"]].source_ids, q))
    parts = [f"{r['bar']} {fmt.money(r['amount_usd'], True)}" for _, r in data.iterrows()]
    chart.alt = f"Bar chart. {title}. " + "; ".join(parts) + (f"; Meta's investment bought a {stake.text()} stake." if stake else ".")
    chart.data = data.drop(columns="metric")  # readers get labels; the key stays in figures.csv
    return _finish(fig, chart)


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


DEAL_INVESTMENT = "meta_investment_usd"  # the metric of the deal's investment: its entity is the investor


def investors(d: Dataset) -> set[str]:
    """Parties that invest in Scale AI, not clients moving toward it: the entity of the deal's investment
    figure, and any party in the role 'investor' (casefolded)."""
    fig = d.figures[d.figures["metric"] == DEAL_INVESTMENT]["entity"]
    rel = d.relationships[d.relationships["role"] == "investor"]["party"]
    return {p.casefold() for p in (*fig, *rel)}


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _when(r) -> str:
    """A status row's date as a reader needs it: undated commentary is 'as of' its source's first day."""
    day = fmt.date_text(r["as_of"])
    return f"as of {day}" if r.get("as_of_basis") == "undated" else day


def clients_chart(d: Dataset) -> Chart:
    """One row per client that changed course: its latest status in words, its direction as colour and
    arrow, how sure the reporting is and when; every source's account is in the data table."""
    inv = investors(d)
    clients = d.relationships[(d.relationships["role"] == "client") & ~d.relationships["party"].str.casefold().isin(inv)]
    if "as_of_basis" not in clients:  # an older data package: every status is dated
        clients = clients.assign(as_of_basis="")
    moved = set(clients.loc[clients["direction"] != "neutral", "party"])
    rel = clients[clients["party"].isin(moved)]
    unchanged = sorted(set(clients["party"]) - moved)
    latest = d.latest_status(["client"])
    latest = latest[latest["party"].isin(moved)].copy()
    latest["_dir"] = latest["direction"].map(list(DIRECTION_COLOURS).index)
    latest["_ev"] = latest["evidence"].map(EVIDENCE_ORDER.index)
    latest = latest.sort_values(["_dir", "_ev", "as_of", "party"], ascending=[True, True, False, True]).reset_index(drop=True)
    order = list(latest["party"])
    ids = sorted({s for lst in rel["source_list"] for s in lst}, key=d.citation_number)
    rel = rel.assign(_o=rel["party"].map(order.index)).sort_values(["_o", "as_of", "relationship_id"])
    data = pd.DataFrame({
        "party": rel["party"], "status": rel["status"].map(d.status_phrase), "direction": rel["direction"], "evidence": rel["evidence"],
        "date": rel["as_of"], "dated": rel["as_of_basis"].map(lambda b: "no (commentary; the date is its source's)" if b == "undated" else "yes"),
        "shown_as_latest": rel["relationship_id"].isin(set(latest["relationship_id"])).map({True: "yes", False: ""}),
        "source_ids": rel["source_ids"],
    }).reset_index(drop=True)
    n, away, toward = len(order), int((latest["direction"] == "away").sum()), int((latest["direction"] == "toward").sum())
    if not n:
        title = "No client of Scale AI was reported changing course"
    elif away == n:
        lead = {1: "The one client that changed course was", 2: "Both clients that changed course were"}.get(n, f"All {n} clients that changed course were")
        title = f"{lead} last reported moving away from Scale AI"
    elif away:
        title = f"{away} of the {n} clients that changed course {'was' if away == 1 else 'were'} last reported moving away from Scale AI"
        title += f"; {toward} moving toward it" if toward else ""
    else:
        title = f"None of the {n} clients that changed course was last reported moving away from Scale AI"
    span = span_text(rel["as_of"].min(), rel["as_of"].max()) if len(rel) else ""
    subtitle = f"Each client's latest status, from accounts dated {span}, with how sure the reporting is; every account is in the table"
    if n > MAX_ROWS:
        subtitle += f"; the {MAX_ROWS} surest shown, {n - MAX_ROWS} more in the appendix"
    if unchanged:
        names = ", ".join(unchanged[:MAX_NAMES]) + (f" and {len(unchanged) - MAX_NAMES} others" if len(unchanged) > MAX_NAMES else "")
        subtitle += f". Also named as clients, with no move either way: {names}"
    chart = Chart("clients", title, subtitle, "", ids, data)
    if latest.empty:
        chart.empty_message = "No client had been reported changing course by this date."
        chart.alt = chart.empty_message
        return chart
    rows, parts, seen = [], [], None
    for i, r in latest.head(MAX_ROWS).iterrows():
        direction, party = r["direction"], r["party"]
        colour = DIRECTION_COLOURS.get(direction, GREY)
        if direction != seen:
            head = DIRECTION_HEADS.get(direction, direction)
            rows.append(Row([Words(f"{head} ({(latest['direction'] == direction).sum()})", BODY, "bold", colour)], [], header=True))
            seen = direction
        accounts = rel[rel["party"] == party]
        same = accounts[accounts["status"] == r["status"]]
        n_src = len({s for lst in same["source_list"] for s in lst})
        phrase = d.status_phrase(r["status"])
        sure = f"{EVIDENCE_PLAIN.get(r['evidence'], r['evidence'])}, {_when(r)}" + (f", {_count(n_src, 'source')}" if n_src > 1 else "")
        right = [Words(phrase), Words(sure, SMALL, colour=GREY)]
        earlier = accounts[(accounts["direction"] != direction) & (accounts["as_of_basis"] != "undated")]
        if len(earlier):
            e = earlier.sort_values("as_of").iloc[-1]
            right.append(Words(f"earlier: {d.status_phrase(e['status'])} ({EVIDENCE_PLAIN.get(e['evidence'], e['evidence'])}, {fmt.date_text(e['as_of'])})", SMALL, colour=GREY))
        tip = tooltip(f"{party}: {phrase} ({r['evidence']}, {_when(r)}); {_count(len(accounts), 'account')} in the table", r["source_list"], r["quote"])
        rows.append(Row([Words(party, BODY, "bold", max_lines=2)], right, (DIRECTION_MARKERS.get(direction, "o"), colour), f"row-{i}", tip))
        parts.append(f"{party}: {phrase} ({r['evidence']}, {_when(r)})")
    chart.alt = f"Chart. {title}. Latest status per client: " + "; ".join(parts) + "." + (
        f" Also named as clients, with no move either way: {', '.join(unchanged)}." if unchanged else "")
    return _rows_chart(chart, rows)


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


def _until(r) -> str:
    """An event's last possible day (ISO): its date for a day, else date_until, else the end of its week, month or year."""
    start, precision = pd.Timestamp(r["date"]), r["date_precision"]
    given = r.get("date_until") or ""
    if precision == "day":
        return r["date"]
    if given:
        return given
    end = {"week": start + pd.Timedelta(days=6), "month": start + pd.offsets.MonthEnd(0), "year": start + pd.offsets.YearEnd(0)}.get(precision, start)
    return f"{end:%Y-%m-%d}"


def timeline_order(events: pd.DataFrame) -> pd.DataFrame:
    """Events in reading order: by first possible day; a day before a window or month starting that day; windows by their end."""
    if events.empty:
        return events.copy()
    ev = events.assign(_until=[_until(r) for _, r in events.iterrows()], _ranged=events["date_precision"] != "day")
    return ev.sort_values(["date", "_ranged", "_until", "event_id"]).drop(columns=["_ranged"]).reset_index(drop=True)


def _timeline_span(ev: pd.DataFrame) -> str:
    """'from June 8 to 18, 2025'; 'in June 2025' when the first event is dated only to the month the last falls in."""
    first, last = ev.iloc[0], ev.loc[ev["date"].idxmax()]
    if first["date_precision"] in ("month", "year"):
        lo = fmt.date_text(first["date"], first["date_precision"])
        if fmt.date_text(last["date"], first["date_precision"]) == lo:
            return f"in {lo}"
        return f"from {lo} to {fmt.date_text(last['date'])}"
    return f"from {span_text(first['date'], last['date'])}"


def _dates_text(groups: list[str], level: str) -> str:
    """'June 12, 2025'; 'June 12 and 18, 2025'; 'June 12 and July 3, 2025'; months and years as named."""
    if level != "day":
        texts = [fmt.period_text(g) for g in groups]
        return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]
    days = [pd.Timestamp(g) for g in groups]
    if len(days) == 1:
        return fmt.date_text(groups[0])
    if len({x.year for x in days}) > 1:
        return ", ".join(fmt.date_text(g) for g in groups[:-1]) + " and " + fmt.date_text(groups[-1])
    parts, month = [], None
    for x in days:
        parts.append(f"{x.day}" if x.month == month else f"{x:%B} {x.day}")
        month = x.month
    return ", ".join(parts[:-1]) + " and " + parts[-1] + f", {days[0].year}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def timeline_chart(d: Dataset) -> Chart:
    """Events in date order, down the page: each date (a day, a window, a month) with its key events named,
    the rest counted; long gaps compressed and said. The busiest day counts only events dated to that day."""
    ev = timeline_order(d.events)
    ids = sorted({s for lst in ev["source_list"] for s in lst}, key=d.citation_number)
    cols = ["date", "date_precision", *(["date_until"] if "date_until" in ev else []), "actor", "event_type", "status", "source_ids", "description"]
    data = ev[cols].copy() if not ev.empty else d.events[[c for c in cols if c in d.events]]
    if ev.empty:
        chart = Chart("timeline", "No events yet", "", "No events had been reported by this date.", ids, data)
        chart.empty_message = chart.alt
        return chart
    data.insert(0, "when", [fmt.event_date_text(r) for _, r in ev.iterrows()])
    ev["d"] = pd.to_datetime(ev["date"])
    ranged = ev["date_precision"] != "day"
    # a group is a day, or the windows of days (a month, a year) that start on one day: one dated June 12 to 18 is not
    # June 12; windows starting the same day are listed together under the widest, each with its own dates in its tooltip
    ev["group"] = ev["date"].where(~ranged, ev["date"] + "/" + ev["date_precision"].where(ev["date_precision"].isin(["month", "year"]), "window"))
    level = "day"
    if ev["group"].nunique() > MAX_GROUPS:
        level = "month" if ev["d"].dt.to_period("M").nunique() <= MAX_GROUPS else "year"
        ev["group"] = ev["d"].dt.strftime("%Y-%m" if level == "month" else "%Y")
        if level == "month":  # an event dated only to a year is not in January
            ev.loc[ev["date_precision"] == "year", "group"] = ev["d"].dt.strftime("%Y") + "/year"
    groups = list(dict.fromkeys(ev["group"]))  # reading order (timeline_order)
    exact = ev[ev["date_precision"] == "day"] if level == "day" else ev[~ev["group"].str.contains("/")]
    counts = exact.groupby("group").size()
    n_all = f"{len(ev):,} event{'s' if len(ev) != 1 else ''}"
    title = f"{n_all} {_timeline_span(ev)}"
    if len(counts) and counts.max() > 1:
        top = sorted(counts[counts == counts.max()].index)
        if len(top) == 1:
            title += f"; the busiest {level} was {_dates_text(top, level)}, with {counts.max():,}"
        elif len(top) == 2:
            title += f"; the busiest {level}s were {_dates_text(top, level)}, with {counts.max():,} each"
        # three or more tied: no day stands out, and the title says nothing it cannot
    sub = ("Key events named in date order, the others counted; colour shows whether an event was announced, confirmed or only reported; "
           "a hollow mark, one dated only to a window of days, a month or a year")
    if level != "day":
        sub = f"Events by {level} ({len(ev):,} in all, too many to show one by one); " + sub
    chart = Chart("timeline", title, sub, "", ids, data)

    def heading(group: str, grp: pd.DataFrame) -> str:
        if "/" in group and level == "day":
            kind = group.split("/")[1]
            return _capital(fmt.date_text(grp.iloc[0]["date"], "week", grp["_until"].max()) if kind == "window" else fmt.date_text(grp.iloc[0]["date"], kind))
        if "/" in group:
            return group.split("/")[0]
        return fmt.date_text(group) if level == "day" else fmt.period_text(group)

    # lay the chart out as rows, top to bottom: a date line, its key events, "+N more", and a break line across a long gap
    rows, prev = [], None
    for group in groups:
        grp = ev[ev["group"] == group]
        first = grp["d"].min()
        if prev is not None and (first - prev).days > 31:
            months = round((first - prev).days / 30.4)
            rows.append(("gap", f"\u2026 {months} month{'s' if months != 1 else ''} later" if months < 24 else f"\u2026 {months // 12} years later", None))
        prev = max(prev, grp["d"].max()) if prev is not None else grp["d"].max()
        when = heading(group, grp)
        rows.append(("date", f"{when}: {len(grp)} events" if len(grp) > 1 else when, None))
        key = _key_events(grp)
        n_named = max(min(int((grp["label"] != "").sum()), MAX_LABELLED), min(len(grp), MIN_NAMED))
        for _, r in key.head(n_named).iterrows():
            rows.append(("event", "\n".join(wrap(event_label(r), WIDTH - 0.3, BODY, max_lines=2)), r))
        if len(grp) > n_named:
            rows.append(("more", f"+ {len(grp) - n_named:,} more (in the list below)", key.iloc[n_named:]))
    line = line_height(BODY)
    # row heights in inches: a line of text and a little air; a date line gets more above it, to start its group
    heights = [line * (1 + text.count("\n")) + 0.06 if kind == "event" else line + 0.05 if kind == "more" else line + 0.14 for kind, text, _ in rows]
    total = sum(heights)
    fig, ax = plt.subplots(figsize=(WIDTH, total + 0.1))
    fig.subplots_adjust(left=0, right=1, top=1, bottom=0)
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(total, 0)
    ax.axis("off")
    x_line, x_text, y = 0.13, 0.3, 0.0
    statuses = set()
    for i, ((kind, text, r), h) in enumerate(zip(rows, heights)):
        mid = y + h / 2
        if kind == "date":
            ax.text(0, mid + 0.04, plain(text), fontsize=BODY, fontweight="bold", va="center")
        elif kind == "gap":
            ax.plot([x_line, x_line], [y + 0.03, y + h - 0.03], color=GREY, lw=1.2, ls=(0, (1, 2)))
            ax.text(x_text, mid, plain(text), fontsize=SMALL, style="italic", color=GREY, va="center")
        elif kind == "event":
            colour = STATUS_COLOURS.get(r["status"], GREY)
            statuses.add(r["status"])
            hollow = r["date_precision"] != "day"
            pts = ax.scatter([x_line], [mid], s=40, zorder=3, linewidths=1.5, edgecolors=colour, facecolors="white" if hollow else colour, clip_on=False)
            ax.text(x_text, mid, plain(text), fontsize=BODY, va="center", linespacing=1.15)
            _mark(pts, chart, f"ev-{r['event_id']}", tooltip(f"{fmt.event_date_text(r)}: {r['actor']}, {r['event_type']} ({r['status']})", r["source_list"], r["quote"]))
        else:  # "more"
            t = ax.text(x_text, mid, plain(text), fontsize=SMALL, color=GREY, va="center")
            names = "; ".join(f"{fmt.event_date_text(x)}: {event_label(x)}" for _, x in r.head(6).iterrows()) + (" \u2026" if len(r) > 6 else "")
            srcs = sorted({s for lst in r["source_list"] for s in lst}, key=d.citation_number)
            _mark(t, chart, f"more-{i}", tooltip(f"{len(r):,} more event{'s' if len(r) != 1 else ''}: {names}", srcs, r.iloc[0]["quote"]))
        if kind in ("event", "more", "date") and i + 1 < len(rows) and rows[i + 1][0] in ("event", "more"):
            ax.plot([x_line, x_line], [mid, y + h + heights[i + 1] / 2], color="#cccccc", lw=1, zorder=1)
        y += h
    handles = [plt.Line2D([], [], marker="o", ls="", color=STATUS_COLOURS[s], label=s, markersize=7) for s in STATUS_COLOURS if s in statuses]
    if handles:
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=len(handles), frameon=False, fontsize=SMALL, handletextpad=0.2,
                  borderaxespad=0.2, columnspacing=1.2)
    counts_txt = ", ".join(f"{(ev['status'] == s).sum()} {s}" for s in STATUS_COLOURS if (ev["status"] == s).any())
    named = "; ".join(f"{fmt.event_date_text(r)}: {event_label(r)}" for kind, _, r in rows if kind == "event")
    chart.alt = f"Timeline. {title}. Of these, {counts_txt}. Named on the chart: {named}. The full list of events follows the chart."
    return _finish(fig, chart)


def _surest(grp: pd.DataFrame) -> pd.Series:
    """A party's surest status: confirmed before reported before rumoured, then dated before undated, then the latest."""
    g = grp.assign(_ev=grp["evidence"].map(EVIDENCE_ORDER.index), _undated=grp["as_of_basis"] == "undated" if "as_of_basis" in grp else False)
    return g.sort_values(["_ev", "_undated", "as_of", "relationship_id"], ascending=[True, True, False, True]).iloc[0]


def _rival_facts(d: Dataset, party: str) -> list:
    """The figures a rival reported about itself (figures.csv, entity = the rival), money first, as current facts."""
    rows = d.figures[d.figures["entity"].str.casefold() == party.casefold()]
    metrics = list(dict.fromkeys(rows.sort_values("unit", key=lambda u: u != "USD", kind="stable")["metric"]))
    return [f for f in (d.fact(m) for m in metrics) if f]


def rivals_chart(d: Dataset) -> Chart:
    """Each rival of Scale AI, with what it reported: its figures in words ('$50M Turing's new potential
    contracts'), else its status in words; how sure the reporting is under it."""
    rel = d.relationships[d.relationships["role"].isin(["competitor", "new provider"])].copy()
    ids = {s for lst in rel["source_list"] for s in lst}
    rivals = []
    for party, grp in rel.groupby("party"):
        srcs = {s for lst in grp["source_list"] for s in lst}
        facts = _rival_facts(d, party)
        ids |= {s for f in facts for s in f.source_ids}
        best = _surest(grp)
        rivals.append((party, grp, facts, best, srcs | {s for f in facts for s in f.source_ids}))
    rivals.sort(key=lambda x: (not x[2], EVIDENCE_ORDER.index(x[3]["evidence"]), -len(x[4]), x[0].casefold()))
    ids = sorted(ids, key=d.citation_number)
    data = pd.DataFrame([{
        "party": party, "reported": "; ".join(f"{f.label}: {f.text(short=True)}" + (f" ({f.period_text()})" if f.period else "") for f in facts),
        "status": d.status_phrase(best["status"]), "evidence": best["evidence"], "n_sources": len(srcs),
        "source_ids": ";".join(sorted(srcs, key=d.citation_number)),
    } for party, _, facts, best, srcs in rivals], columns=["party", "reported", "status", "evidence", "n_sources", "source_ids"])
    with_figures = [party for party, _, facts, _, _ in rivals if facts]
    n = len(rivals)
    named = f"the {n} rivals named" if n > 1 else "the one rival named"
    if with_figures and len(with_figures) == n:
        title = f"All {n} rivals named in the reporting gave figures" if n > 1 else f"{with_figures[0]}, the one rival named, gave figures"
    elif with_figures:
        who = " and ".join(with_figures) if len(with_figures) <= 3 else f"{', '.join(with_figures[:2])} and {len(with_figures) - 2} others"
        title = f"{len(with_figures)} of {named} gave figures: {who}"
    else:
        title = f"{_count(n, 'rival')} of Scale AI named in the reporting; none gave figures"
    sub = "What each rival reported: its own figures, else its status; under it, how sure the reporting is"
    if n > MAX_ROWS:
        sub += f"; {MAX_ROWS} shown (those with figures first), {n - MAX_ROWS} more in the appendix"
    chart = Chart("rivals", title, sub, "", ids, data)
    if not rivals:
        chart.empty_message = "No rival had been reported gaining business by this date."
        chart.alt = chart.empty_message
        return chart
    rows, parts = [], []
    for i, (party, grp, facts, best, srcs) in enumerate(rivals[:MAX_ROWS]):
        phrase = d.status_phrase(best["status"])
        right = [Words(f.label + (f" ({f.period_text()})" if f.period else ""), lead=f.text(short=True), lead_colour=BLUE) for f in facts]
        sure = f"{EVIDENCE_PLAIN.get(best['evidence'], best['evidence'])}, {_count(len(srcs), 'source')}"
        right += [Words(f"{phrase}; {sure}", SMALL, colour=GREY)] if facts else [Words(phrase), Words(sure, SMALL, colour=GREY)]
        said = "; ".join(f"{f.label}: {f.text(short=True)}" for f in facts)
        quote_src = facts[0] if facts else None
        quote = d.figures[(d.figures["metric"] == quote_src.metric) & (d.figures["source_id"].isin(quote_src.source_ids))].iloc[0]["quote"] if quote_src else best["quote"]
        tip_ids = sorted(srcs, key=d.citation_number) if quote_src else best["source_list"]
        tip = tooltip(f"{party}: " + (said + f"; {phrase} ({best['evidence']})" if facts else f"{phrase} ({best['evidence']}, {_when(best)})"), tip_ids, quote)
        rows.append(Row([Words(party, BODY, "bold", max_lines=2)], right, ("o", BLUE if facts else GREY), f"row-{i}", tip))
        parts.append(f"{party}: {said or phrase} ({best['evidence']})")
    chart.alt = f"Chart. {title}. " + "; ".join(parts) + "."
    return _rows_chart(chart, rows)


STAKE_METRICS = ("scale_revenue_usd", "google_spend_usd", "google_planned_spend_usd")  # Scale's revenue first: what the rest is set against


def stakes_chart(d: Dataset) -> Chart:
    """The money at stake: Google's spending with Scale AI against Scale AI's revenue (a separate chart, for the lead to place)."""
    facts = [f for f in (d.fact(m) for m in STAKE_METRICS) if f and f.unit == "USD"]
    revenue = next((f for f in facts if f.metric == STAKE_METRICS[0]), None)
    ids = sorted({s for f in facts for s in f.source_ids}, key=d.citation_number)
    data = pd.DataFrame([{"figure": f.label, "period": f.period, "amount_usd": f.amount, "qualifier": f.qualifier, "sources": ";".join(f.source_ids)}
                         for f in facts], columns=["figure", "period", "amount_usd", "qualifier", "sources"])
    others = [f for f in facts if f is not revenue]
    if revenue and others and revenue.amount:
        top = max(others, key=lambda f: f.amount)
        differ = top.period != revenue.period  # a plan for one year against revenue for another: the title says so
        title = (f"{top.label}{f' ({top.period_text()})' if differ and top.period else ''} came to {fmt.share(top.amount / revenue.amount)} "
                 f"of {revenue.label}{f' ({revenue.period_text()})' if differ and revenue.period else ''}")
    elif others:
        top = max(others, key=lambda f: f.amount)
        title = f"{top.label}{f' ({top.period_text()})' if top.period else ''} was {top.text(short=True)}"
    else:
        title = "The money at stake"
    chart = Chart("stakes", title, "US dollars, for the years given", "", ids, data)
    if not others:
        chart.empty_message = "No figures for the money at stake had been reported by this date."
        chart.alt = chart.empty_message
        return chart
    fig, ax = plt.subplots(figsize=(WIDTH, 0.62 * len(facts) + 0.2))
    fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01)
    labels = [f.label + (f" ({f.period_text()})" if f.period else "") for f in facts]
    bars = _labelled_bars(ax, labels, [f.amount / 1e6 for f in facts], [GREY if f is revenue else GREEN for f in facts], [f.text(short=True) for f in facts])
    for bar, f, label in zip(bars, facts, labels):
        _mark(bar.patches[0], chart, f"bar-{f.metric}", tooltip(f"{label}: {f.text(short=True)}", f.source_ids, d.quote_for(f.metric, f.amount)))
    chart.alt = f"Bar chart. {title}. " + "; ".join(f"{label} {f.text(short=True)}" for f, label in zip(facts, labels)) + "."
    return _finish(fig, chart)
