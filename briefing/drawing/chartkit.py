"""What every chart is made of: the Chart it returns (SVG with a tooltip on every mark, a title that states the
finding, alt text, the sources behind its rows, the rows it plots), the palette, text measured and wrapped to
the phone column, and the rows-of-words layout the party charts share. The charts themselves are in charts.py
and timeline.py."""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from xml.sax.saxutils import escape as xml_escape

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # after the SVG backend is chosen: charts.py and timeline.py take plt from here
import pandas as pd
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from ..data import fmt

# Okabe-Ito, the colour-blind-safe palette; each used colour has >= 3:1 contrast on white.
BLUE, VERMILLION, GREEN, PURPLE, GREY, INK = "#0072B2", "#D55E00", "#007A5A", "#A4487E", "#767676", "#222222"
EVIDENCE_COLOURS = {"confirmed": BLUE, "reported": VERMILLION, "rumoured": PURPLE}
STATUS_COLOURS = {"announced": GREEN, "confirmed": BLUE, "reported": VERMILLION, "denied": PURPLE}
DIRECTION_COLOURS = {"away": VERMILLION, "toward": BLUE, "neutral": GREY}
DIRECTION_MARKERS = {"away": "<", "toward": ">", "neutral": "o"}
DIRECTION_HEADS = {"neutral": "Back to no change either way"}  # away and toward name the subject: x-story's moving_away, moving_toward

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
# how sure, as the mark itself: filled when the party said it on the record, hollow when others report it, dotted when unattributed
EVIDENCE_FILL = {"confirmed": "full", "reported": "hollow", "rumoured": "dotted"}
_FILL_WORDS = {"full": "filled mark: the party said it on the record", "hollow": "hollow: others report it", "dotted": "dotted: unattributed"}


def evidence_key(levels) -> str:
    """The marks' key, for the evidence levels a chart shows: 'Filled mark: the party said it on the record; hollow: ...'."""
    fills = [EVIDENCE_FILL[e] for e in EVIDENCE_FILL if e in set(levels)]
    text = "; ".join(_FILL_WORDS[f] for f in fills)
    return text[:1].upper() + text[1:]
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


_KEPT: list[list] = []  # while keeping_figures() runs: the figures finish() made SVG of


@contextmanager
def keeping_figures():
    """Charts drawn inside this also hand back their matplotlib figures (a list, filled as they are finished), for a
    format the page does not use: the site's social card (drawing/card.py) draws the lead chart again as a PNG."""
    kept: list = []
    _KEPT.append(kept)
    try:
        yield kept
    finally:
        _KEPT.remove(kept)


def finish(fig, chart: Chart) -> Chart:
    chart.svg = _svg(fig, chart.name, chart.tooltips)
    for kept in _KEPT:
        kept.append(fig)
    return chart


def mark(artist, chart: Chart, key: str, text: str) -> None:
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
    """Lines of at most `width` inches, broken at spaces. Past max_lines the last line ends at a word boundary with
    '…' (never 'seekin…'); only a single word wider than the whole line (a URL, an id) is cut inside itself."""
    def fit(word: str) -> str:
        while len(word) > 1 and text_width(word, size, weight) > width:
            word = word[:-2] + "\u2026"
        return word

    def shorten(line: str) -> str:
        words = line.split()
        while len(words) > 1 and text_width(" ".join(words) + " \u2026", size, weight) > width:
            words.pop()
        return fit(" ".join(words).rstrip(",;:") + " \u2026")

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
        lines[-1] = shorten(lines[-1])
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
    fill: str = "full"  # the mark filled, hollow or dotted (EVIDENCE_FILL: how sure the row is)


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


def rows_chart(chart: Chart, rows: list[Row], gap: float = 0.12) -> Chart:
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
            style = {"color": colour} if r.fill == "full" else {
                "facecolors": "white", "edgecolors": colour, "linewidths": 1.5, "linestyles": "dotted" if r.fill == "dotted" else "solid"}
            pts = ax.scatter([MARK_X], [top + line_height(first) * 0.45], s=44, marker=shape, zorder=3, clip_on=False, **style)
            if r.key:
                mark(pts, chart, r.key, r.tip)
        if not r.header and i + 1 < len(rows) and not rows[i + 1].header:
            ax.plot([NAME_X, WIDTH], [y + h - gap / 2] * 2, color="#e3e3e3", lw=0.8, zorder=1)
        y += h
    return finish(fig, chart)


def labelled_bars(ax, labels: list[str], values: list[float], colours: list[str], texts: list[str]) -> list:
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
