"""The appendix a reader can move through and print: closed, it is at most six phone screens (Chromium, 390x844); printed,
its folded parts are summaries and it fits its pages (pypdf, from the PDF's own anchor); every part is reachable from its
contents list and leads back to the story; chart data reads as a reader reads it, in a phone's column.

Built on the default data (the session's build) and on the later-news fixture."""

from __future__ import annotations

import re
import subprocess

import pytest
from conftest import ROOT, build
from playwright.sync_api import sync_playwright

from briefing.pipeline.summary import APPENDIX_BUDGET, APPENDIX_BUDGET_LATER, PHONE, story_pages

LATER = ROOT / "tests" / "fixtures" / "later_news"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update"]

MEASURE_JS = """() => {
  const a = document.querySelector('#appendix');
  const nav = a.querySelector('nav.contents');
  const links = nav ? [...nav.querySelectorAll('a')].map(x => x.getAttribute('href')) : [];
  const parts = [...a.querySelectorAll('section.part')].map(s => s.id);
  const sources = a.querySelector('section.sources h3, section.sources h2');
  const back = [...a.querySelectorAll('section.part')].filter(s => s.querySelector(':scope > p.back a[href="#content"]')).map(s => s.id);
  const tables = [...a.querySelectorAll('details.chart-data table')].map(t => {
    const d = t.closest('details'); d.open = true; const w = t.closest('.table-wrap').scrollWidth; d.open = false;
    return [d.id, w, [...t.querySelectorAll('th')].map(th => th.textContent), [...t.querySelectorAll('td')].map(td => td.textContent)]; });
  return {height: a.getBoundingClientRect().height, links, parts, sources: sources ? sources.id : null, back,
          sourcesBack: !!a.querySelector(':scope > p.back a[href="#content"]'), tables,
          text: a.innerText, all: a.textContent};
}"""


@pytest.fixture(scope="module")
def editions(tmp_path_factory, built):
    later = tmp_path_factory.mktemp("later-appendix")
    build(later, f"DATA={LATER}")
    out = {"default": {"dir": built, "budget": APPENDIX_BUDGET}, "later": {"dir": later, "budget": APPENDIX_BUDGET_LATER}}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for e in out.values():
            page = b.new_page(viewport={"width": PHONE[0], "height": PHONE[1]})
            page.goto((e["dir"] / "briefing.html").as_uri())
            e.update(page.evaluate(MEASURE_JS))
            page.close()
        b.close()
    return out


@pytest.mark.parametrize("name", ["default", "later"])
def test_the_closed_appendix_fits_six_phone_screens(editions, name):
    e = editions[name]
    assert e["height"] / PHONE[1] <= e["budget"]["screens"], f"{name}: the closed appendix is {e['height'] / PHONE[1]:.1f} phone screens"


@pytest.mark.parametrize("name", ["default", "later"])
def test_the_printed_appendix_fits_its_pages(editions, name):
    e = editions[name]
    _, pages = story_pages(e["dir"] / "briefing.pdf")
    assert 0 < pages <= e["budget"]["pages"], f"{name}: the appendix prints on {pages} pages"
    text = subprocess.run(["pdftotext", "-layout", str(e["dir"] / "briefing.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert "in full one click away in the HTML edition" in " ".join(text.split()), "paper says where the folded record is"


@pytest.mark.parametrize("name", ["default", "later"])
def test_every_part_is_reachable_from_the_contents_and_leads_back(editions, name):
    e = editions[name]
    assert e["parts"], "the appendix has parts"
    targets = {h.removeprefix("#") for h in e["links"]}
    missing = [p for p in e["parts"] if p not in targets]
    assert not missing, f"{name}: parts not in the contents list: {missing}"
    assert e["sources"] in targets, "the sources are in the contents list"
    assert targets <= set(e["parts"]) | {e["sources"]}, f"{name}: a contents link lands nowhere: {targets - set(e['parts'])}"
    assert set(e["back"]) == set(e["parts"]) and e["sourcesBack"], "every part ends with a way back to the story"


@pytest.mark.parametrize("name", ["default", "later"])
def test_chart_data_tables_read_as_a_reader_reads_them(editions, name):
    tables = editions[name]["tables"]
    assert tables, "the story's charts have their data in the appendix"
    for ident, width, heads, cells in tables:
        assert width <= 358, f"{ident}: {width} px wide in a 358 px column"
        assert not [h for h in heads if "_" in h or h != h.strip() or (h and h[0].islower())], f"{ident}: raw column names {heads}"
        assert not [c for c in cells if re.search(r"\b\d{4}-\d\d(-\d\d)?\b", c)], f"{ident}: ISO dates shown to a reader"


@pytest.mark.parametrize("name", ["default", "later"])
def test_the_appendix_reads_as_copy(editions, name):
    e = editions[name]
    text = " ".join(e["all"].split())
    for odd in ("One report reported", "at at ", " 1 check pass ", " 1 computations ", "the appendix sets them side by side"):
        assert odd not in text, f"{name}: {odd!r} in the appendix"
    assert len(re.findall(r"\(a [A-Z][a-z]+day\)", text)) <= 2, "a weekday only where the versions differ on the date"


def test_key_figures_have_no_empty_column_and_no_page_furniture(editions):
    html = (editions["default"]["dir"] / "briefing.html").read_text(encoding="utf-8")
    table = re.search(r'<table class="key-figures">.*?</table>', html, re.DOTALL).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)
    columns = list(zip(*[re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.DOTALL) for r in rows]))
    assert all(any(re.sub(r"<[^>]+>", "", c).strip() for c in col[1:]) for col in columns), "an empty column"
    assert "Sources behind Reuters" not in table, "metrics.csv key_figure = no keeps page furniture off the key figures"
