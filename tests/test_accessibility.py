"""Accessibility of the built briefing: axe-core in Chromium with the network blocked, plus the checks
axe cannot make (chart text alternatives that carry the numbers, data tables behind charts, heading
outline, colour contrast of the stylesheet's text colours, the timeline as a list)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update"]
CHROMIUM = "/usr/bin/chromium"
BLOCKING = {"serious", "critical"}
NUMBER = re.compile(r"\$?\d[\d,.]*\s?[BMK%x]?")


@pytest.fixture(scope="module")
def loaded(built: Path):
    """The page in Chromium, every request but the file itself aborted and recorded."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian Chromium is missing: apt-get install -y chromium")
    path = built / "briefing.html"
    url = path.resolve().as_uri()
    blocked, seen = [], []

    def route(r):
        if r.request.url == url or r.request.url.startswith("data:"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.on("request", lambda req: seen.append(req.url))
        page.route("**/*", route)
        page.goto(url, wait_until="load")
        yield {"page": page, "url": url, "blocked": blocked, "seen": seen, "html": path.read_text(encoding="utf-8")}
        browser.close()


def test_no_network_requests(loaded):
    others = [u for u in loaded["seen"] if u != loaded["url"] and not u.startswith("data:")]
    assert not loaded["blocked"] and not others, f"the page requested: {(loaded['blocked'] + others)[:5]}"


def _axe(page, label: str) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page).response
    assert result.get("testEngine", {}).get("name") == "axe-core", "axe did not run"
    violations = result["violations"]
    for v in violations:
        if v["impact"] not in BLOCKING:
            nodes = ", ".join(str(n["target"]) for n in v["nodes"][:3])
            print(f"axe ({label}), {v['impact']}: {v['id']}: {v['help']} ({len(v['nodes'])} nodes, e.g. {nodes})")
    return [v for v in violations if v["impact"] in BLOCKING]


def _describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['impact']} {v['id']}: {v['help']}: " + "; ".join(str(n["target"]) for n in v["nodes"][:5]) for v in violations)


def test_axe_finds_no_serious_or_critical_violations(loaded):
    page = loaded["page"]
    bad = _axe(page, "as loaded")
    assert not bad, _describe(bad)


def test_axe_with_chart_data_open_and_wide(loaded):
    """The tables and lists behind the charts, open, on a desktop-wide window."""
    page = loaded["page"]
    page.set_viewport_size({"width": 1280, "height": 900})
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    try:
        bad = _axe(page, "details open, 1280 px")
    finally:
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = false)")
        page.set_viewport_size({"width": 390, "height": 844})
    assert not bad, _describe(bad)


CHARTS_JS = """() => [...document.querySelectorAll('figure.chart')].map(f => {
  const img = f.querySelector('[role="img"]');
  // a story chart keeps its table in the appendix and links to it; the timeline carries its list
  const link = f.querySelector('a.to-table');
  const det = f.querySelector('details') || (link ? document.getElementById(link.getAttribute('href').slice(1)).closest('details') : null);
  return {
    id: f.id,
    label: img ? img.getAttribute('aria-label') : null,
    tooltips: [...f.querySelectorAll('svg title')].map(t => t.textContent).join(' '),
    details: !!det,
    summary: det && det.querySelector('summary') ? det.querySelector('summary').textContent.trim() : '',
    tableRows: det ? det.querySelectorAll('table tbody tr').length : 0,
    tableHeaders: det ? det.querySelectorAll('table th[scope="col"]').length : 0,
    caption: det && det.querySelector('table caption') ? det.querySelector('table caption').textContent.trim() : '',
    listItems: det ? det.querySelectorAll('ol > li, ul > li').length : 0,
    dataText: det ? det.textContent : '',
  };
})"""


def test_every_chart_has_a_text_alternative_with_its_numbers(loaded):
    charts = loaded["page"].evaluate(CHARTS_JS)
    assert len(charts) == 4, [c["id"] for c in charts]
    for c in charts:
        label = c["label"]
        assert label and len(label) > 40, f"{c['id']}: no role=img container with an aria-label"
        numbers = [n.strip() for n in NUMBER.findall(label)]
        assert numbers, f"{c['id']}: the aria-label names no number: {label!r}"
        # the label's numbers are the chart's: at least one appears in its tooltips or its data
        evidence = c["tooltips"] + " " + c["dataText"]
        assert any(n in evidence for n in numbers), f"{c['id']}: none of {numbers} appears in the chart's tooltips or data"


def test_every_chart_has_its_data_in_a_details(loaded):
    for c in loaded["page"].evaluate(CHARTS_JS):
        assert c["details"], f"{c['id']}: no <details> with the data"
        assert c["summary"], f"{c['id']}: the <details> has no <summary>"
        assert (c["tableRows"] and c["tableHeaders"] and c["caption"]) or c["listItems"], f"{c['id']}: the <details> holds no table or list"


def test_no_table_cell_reads_nan(loaded):
    """Missing values are empty cells: a screen reader would read 'nan' aloud."""
    cells = loaded["page"].evaluate("() => [...document.querySelectorAll('td, th')].map(c => c.textContent.trim())")
    assert cells
    bad = [c for c in cells if c.lower() in ("nan", "none", "<na>", "nat", "null", "undefined")]
    assert not bad, f"{len(bad)} table cells read {sorted(set(bad))}"


def test_timeline_events_are_an_ordered_list(loaded):
    import csv

    from conftest import DATA

    with open(DATA / "events.csv", encoding="utf-8-sig", newline="") as f:
        events = [e for e in csv.DictReader(f) if not e.get("version_of")]  # versions of one event are listed once
    # grouped by date: each date once (<ol> of dates, each with its <time datetime>), its events listed under it
    items = loaded["page"].evaluate("""() => [...document.querySelectorAll('#chart-timeline details ol > li > ul > li')]
        .map(li => { const t = li.parentElement.parentElement.querySelector(':scope > time'); return t ? t.getAttribute('datetime') : null; })""")
    assert len(items) == len(events), f"{len(items)} list items for {len(events)} events: the list is complete"
    assert all(items), "every event in the list has a <time datetime>"
    assert items == sorted(items), "the list is in date order"
    assert set(items) <= {e["date"] for e in events}


def test_page_structure(loaded):
    page = loaded["page"]
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.evaluate("document.querySelectorAll('main').length") == 1
    assert page.evaluate("document.querySelectorAll('h1').length") == 1
    assert page.evaluate("document.title").strip()
    levels = page.evaluate("() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])")
    assert levels[0] == 1, "the first heading is the h1"
    skips = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
    assert not skips, f"heading levels skip: {skips}"
    assert max(levels) <= 4  # the story uses h2 and h3; the appendix adds h4 for its entries
    # the skip link goes to the landmark
    assert page.evaluate("document.querySelector('a.skip').getAttribute('href')") == "#" + page.evaluate("document.querySelector('main').id")


# --- colour contrast, computed from the stylesheet itself -------------------------------------------------

def _rgb(hex_colour: str) -> tuple[float, float, float]:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))


def luminance(hex_colour: str) -> float:
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in _rgb(hex_colour)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_helper():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54


def _css(html: str) -> str:
    return "\n".join(re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL))


def test_text_colours_meet_wcag_aa(loaded):
    """Every colour the stylesheet uses for text, through a variable or spelled out, has 4.5:1 on white
    (and on the page's tinted backgrounds)."""
    css = _css(loaded["html"])
    variables = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\b", css))
    assert variables, "no colour variables found in the stylesheet"

    def resolve(value: str) -> str | None:
        value = value.strip()
        m = re.fullmatch(r"var\(--([\w-]+)\)", value)
        if m:
            value = variables[m.group(1)]
        if not re.fullmatch(r"#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}", value):
            return None
        return "#" + ("".join(c * 2 for c in value[1:]) if len(value) == 4 else value[1:]).lower()

    text = {v for v in (resolve(m) for m in re.findall(r"(?<![-\w])color:\s*([^;}]+)", css)) if v}
    used_vars = set(re.findall(r"(?<![-\w])color:\s*var\(--([\w-]+)\)", css))
    assert {"ink", "muted"} <= used_vars, used_vars
    backgrounds = {"#ffffff"} | {v for v in (resolve(m) for m in re.findall(r"background(?:-color)?:\s*([^;}]+)", css)) if v}
    failures = [f"{t} on {bg}: {contrast(t, bg):.2f}:1" for t in sorted(text) for bg in sorted(backgrounds) if contrast(t, bg) < 4.5]
    assert not failures, "text colours below 4.5:1: " + ", ".join(failures)
