"""At scale: a synthetic data package of 10,000 events and 2,000 figures (scripts/synthetic_data.py),
built once with make into temp folders. Asserts what a reader would notice, never times: the page
stays small, the PDF short, the timeline aggregated, long lists cut with "and N more", every chart drawn."""

from __future__ import annotations

import csv
import hashlib
import re
import subprocess
from pathlib import Path

import pytest
from conftest import PY, ROOT, build

pypdf = pytest.importorskip("pypdf")

SYNTHETIC = ROOT / "scripts" / "synthetic_data.py"
N_EVENTS, N_FIGURES = 10_000, 2_000
MAX_HTML_BYTES = 3_500_000  # 3.5 MB: a page that still opens quickly on a phone (event list complete up to MAX_EVENT_LIST)
MAX_PDF_PAGES = 50  # the event list and the key figures are printed in full, up to their caps
MAX_TIMELINE_MARKS = 400  # tooltip <title>s in the timeline SVG: a few named events per month, not one dot per event
MAX_LIST_ITEMS = 40  # tables.MAX_LIST
MAX_EVENT_LIST = 150  # lists.MAX_EVENT_LIST: the event list is complete up to here
CHARTS = ("valuation", "clients", "timeline", "rivals")
CHART_SVG = re.compile(r'<svg\b[^>]*\bclass="chart-svg"')  # nbconvert's serializer may reorder attributes


def generate(out: Path, *args: str) -> Path:
    subprocess.run([PY, str(SYNTHETIC), str(out), *args], check=True, capture_output=True, text=True, cwd=ROOT)
    return out


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple[Path, Path]:
    """(data dir, build dir): the synthetic set, generated and built (HTML and PDF) once for this module."""
    data = generate(tmp_path_factory.mktemp("synthetic") / "data", "--events", str(N_EVENTS), "--figures", str(N_FIGURES), "--seed", "1")
    out = tmp_path_factory.mktemp("synthetic-build")
    build(out, f"DATA={data}")
    return data, out


@pytest.fixture(scope="module")
def page(synthetic) -> str:
    return (synthetic[1] / "briefing.html").read_text(encoding="utf-8")


def figure(html: str, name: str) -> str:
    """The <figure id="chart-NAME"> element's markup (figures do not nest)."""
    m = re.search(rf'<figure[^>]*\bid="chart-{name}"[^>]*>.*?</figure>', html, re.DOTALL)
    assert m, f"chart-{name} is missing from the page"
    return m.group(0)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_synthetic_data_is_valid_complete_and_deterministic(tmp_path, synthetic):
    data, _ = synthetic
    assert len(rows(data / "events.csv")) == N_EVENTS
    figures = rows(data / "figures.csv")
    assert len(figures) == N_FIGURES
    metrics = {f["metric"] for f in figures}
    assert 40 <= len(metrics) <= 60
    for key in ("meta_investment_usd", "meta_stake_pct", "valuation_pre_usd", "valuation_post_usd",
                "scale_revenue_usd", "google_spend_usd", "google_planned_spend_usd"):
        assert key in metrics, key
    parties = {r["party"] for r in rows(data / "relationships.csv")}
    assert 80 <= len(parties) <= 120
    # same seed, same bytes; another seed, other data (a small set keeps this quick)
    a, b, c = (generate(tmp_path / name, "--events", "500", "--figures", "200", "--seed", seed) for name, seed in (("a", "7"), ("b", "7"), ("c", "8")))
    digest = {p: hashlib.sha256(b"".join((p / n).read_bytes() for n in ("events.csv", "figures.csv", "relationships.csv"))).hexdigest() for p in (a, b, c)}
    assert digest[a] == digest[b] != digest[c]
    check = subprocess.run([PY, "-m", "briefing", "validate", "--data", str(a)], capture_output=True, text=True, cwd=ROOT, check=False)
    assert check.returncode == 0, check.stderr


def test_html_stays_small(synthetic):
    size = (synthetic[1] / "briefing.html").stat().st_size
    assert size < MAX_HTML_BYTES, f"briefing.html is {size / 1e6:.2f} MB for {N_EVENTS:,} events"


def test_pdf_stays_short(synthetic):
    pages = len(pypdf.PdfReader(str(synthetic[1] / "briefing.pdf")).pages)
    assert 5 <= pages < MAX_PDF_PAGES, f"briefing.pdf has {pages} pages"


def test_every_chart_still_renders(page):
    for name in CHARTS:
        fig = figure(page, name)
        assert CHART_SVG.search(fig), f"chart-{name} has no SVG (empty message instead?)"
    assert len(CHART_SVG.findall(page)) == len(CHARTS)


def test_timeline_is_aggregated_and_says_so(page):
    fig = figure(page, "timeline")
    svg = re.search(r"<svg.*?</svg>", fig, re.DOTALL).group(0)
    marks = svg.count("<title>")
    assert 0 < marks < MAX_TIMELINE_MARKS, f"the timeline has {marks} marks for {N_EVENTS:,} events"
    assert "too many to show one by one" in fig


def test_event_lists_are_cut_openly_and_keep_the_newest(page, synthetic):
    lists = re.findall(r'<ol class="event-list">(.*?)</ol>', page, re.DOTALL)
    assert lists, "no event list on the page"
    for items in lists:
        assert 0 < items.count('<li><span class="status') <= MAX_EVENT_LIST  # grouped by date: one item per event under its date
    cut = [int(n.replace(",", "")) for n in re.findall(r"The ([\d,]+) oldest of [\d,]+ events are not listed here", page)]
    events = [r for r in rows(synthetic[0] / "events.csv") if not r.get("version_of")]  # a source's version of an event is listed once
    assert cut == [len(events) - MAX_EVENT_LIST], cut
    newest = max(r["date"] for r in rows(synthetic[0] / "events.csv"))
    assert f'datetime="{newest}"' in lists[0], "the newest events are never the ones cut"


def test_tables_and_lists_do_not_grow_with_the_rows(page):
    for body in re.findall(r"<tbody>(.*?)</tbody>", page, re.DOTALL):
        assert body.count("<tr") <= 2 * MAX_LIST_ITEMS
    assert page.count("<tr") < 500
    assert page.count("<li") < 2000
    # sources disagree on dozens of metrics and parties here: the section shows the most-cited ones
    assert page.count('class="dispute"') <= 20 and page.count('class="point"') <= 20 * 12
