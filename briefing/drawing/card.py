"""An edition's social card (the Open Graph image a link preview shows): 1200 x 630 px, white, the headline over the
story's lead chart (its first: the valuation chart), drawn again from the same figure as a PNG, and the edition line."""

from __future__ import annotations

import io

import matplotlib.image

from ..data.dataset import Dataset
from .chartkit import GREY, INK, keeping_figures, plain, plt, wrap
from .charts import valuation_chart

SIZE_PX = (1200, 630)
DPI = 100
_W, _H = SIZE_PX[0] / DPI, SIZE_PX[1] / DPI  # inches
MARGIN = 0.5
HEADLINE_PT, TITLE_PT, LINE_PT = 30, 17, 14
CHART_DPI = 200  # the chart drawn again at twice the card's resolution, then fitted into it


def lead_chart(d: Dataset):
    """(the story's lead chart, its matplotlib figure or None when it has nothing to draw)."""
    with keeping_figures() as figures:
        chart = valuation_chart(d)
    return chart, (figures[-1] if figures else None)


def card_png(d: Dataset, headline: str, edition_line: str) -> bytes:
    """The card as PNG bytes (deterministic: no date or software in its metadata)."""
    chart, figure = lead_chart(d)
    card = plt.figure(figsize=(_W, _H), dpi=DPI, facecolor="white")
    width = _W - 2 * MARGIN
    y = _H - MARGIN  # inches from the bottom, going down
    lines = wrap(headline, width, HEADLINE_PT, "bold", max_lines=2)
    card.text(MARGIN / _W, y / _H, plain("\n".join(lines)), fontsize=HEADLINE_PT, fontweight="bold", color=INK, va="top", ha="left",
              linespacing=1.15)
    y -= len(lines) * HEADLINE_PT * 1.3 / 72 + 0.15
    title = chart.title if figure is not None else chart.empty_message
    card.text(MARGIN / _W, y / _H, plain(wrap(title, width, TITLE_PT, max_lines=1)[0]), fontsize=TITLE_PT, color=INK, va="top", ha="left")
    y -= TITLE_PT * 1.3 / 72 + 0.15
    bottom = MARGIN + LINE_PT * 1.3 / 72 + 0.1
    card.text(MARGIN / _W, MARGIN / _H, plain(wrap(edition_line, width, LINE_PT, max_lines=1)[0]), fontsize=LINE_PT, color=GREY, va="bottom",
              ha="left")
    if figure is not None and y - bottom > 0.5:
        buf = io.BytesIO()
        figure.savefig(buf, format="png", dpi=CHART_DPI, facecolor="white", bbox_inches="tight", pad_inches=0.05)
        buf.seek(0)
        image = matplotlib.image.imread(buf, format="png")
        h, w = image.shape[:2]
        box_w, box_h = width, y - bottom
        # inches per pixel: the whole chart, in proportion, and at most 1.75 times its size on the page (a short chart's text stays text-sized)
        scale = min(box_w / w, box_h / h, 1.75 / CHART_DPI)
        ax = card.add_axes((MARGIN / _W, (y - h * scale) / _H, w * scale / _W, h * scale / _H))
        ax.imshow(image, interpolation="antialiased")
        ax.axis("off")
    out = io.BytesIO()
    card.savefig(out, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    plt.close(card)
    return out.getvalue()
