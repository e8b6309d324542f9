"""Metadata of the built briefing: HTML head (title, description, dates, schema.org NewsArticle JSON-LD)
and PDF (document info, running header and page numbers on every page, citation links to the sources)."""

from __future__ import annotations

import csv
import json
import re
import subprocess
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import DATA, PY, ROOT

PROJECT = "Scale AI briefing project"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Head(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title, self.ld, self.edition_line = "", [], ""
        self._in = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and (a.get("name") or a.get("property")):
            self.meta[a.get("name") or a.get("property")] = a.get("content") or ""
        elif tag == "title" and not self.title:
            self._in = "title"
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._in = "ld"
            self.ld.append("")
        elif tag == "p" and a.get("id") == "edition":
            self._in = "edition"

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "ld":
            self.ld[-1] += data
        elif self._in == "edition":
            self.edition_line += data


def _csv(name: str) -> list[dict[str, str]]:
    with open(DATA / f"{name}.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def data_last_date() -> str:
    """The latest date anywhere in the data (the build has no AS_OF): the data's last change."""
    # a source's other version of an event (version_of, e.g. agg-08's 'Thursday report') does not date the edition
    return max([r["date"] for r in _csv("events") if not r.get("version_of")] + [r["as_of"] for r in _csv("relationships")]
               + [r["known_from"] for r in _csv("sources")])


@pytest.fixture(scope="module")
def html(built: Path) -> str:
    return (built / "briefing.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def head(html: str) -> _Head:
    p = _Head()
    p.feed(html)
    return p


@pytest.fixture(scope="module")
def ld(head: _Head) -> dict:
    assert len(head.ld) == 1, f"{len(head.ld)} JSON-LD blocks"
    return json.loads(head.ld[0])


# --- HTML ------------------------------------------------------------------------------------------

def test_html_title_and_description(head):
    h1 = head.title.strip()
    assert 20 < len(h1) <= 120, h1
    desc = head.meta.get("description", "")
    assert 50 <= len(desc) <= 300, desc
    assert head.meta.get("author") == PROJECT
    assert head.meta.get("og:title") == h1 and head.meta.get("og:description") == desc


def test_html_edition_and_data_dates(head):
    created, modified = head.meta.get("dcterms.created", ""), head.meta.get("dcterms.modified", "")
    assert ISO_DATE.fullmatch(created) and ISO_DATE.fullmatch(modified), (created, modified)
    assert modified == data_last_date()
    assert created == modified, "without AS_OF the edition is dated by the data's last change"
    import datetime as dt

    day = dt.date.fromisoformat(created)
    assert f"{day:%B} {day.day}, {day.year}" in head.edition_line, head.edition_line


def test_json_ld_is_a_news_article(head, ld):
    assert ld["@context"] == "https://schema.org" and ld["@type"] == "NewsArticle"
    assert ld["headline"] and ld["headline"] == head.title.strip()[:110] and len(ld["headline"]) <= 110
    assert ld["datePublished"] == head.meta["dcterms.created"]
    assert ld["dateModified"] == head.meta["dcterms.modified"]
    assert ld["description"] == head.meta["description"]
    assert ld["author"]["name"] == PROJECT
    sources = _csv("sources")
    cites = ld["citation"]
    assert isinstance(cites, list) and len(cites) == len(sources)
    assert [c["identifier"] for c in cites] == [s["source_id"] for s in sources]
    for c, s in zip(cites, sources):
        assert c["@type"] == "CreativeWork" and c["name"] in (s["headline"] or s["document"], unescape(s["headline"] or s["document"]))


def test_json_ld_cannot_end_its_script(html):
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.DOTALL)
    assert block, "no JSON-LD script"
    text = block.group(1)
    assert "</script" not in text.lower() and "<!--" not in text
    assert "<" not in text and ">" not in text, "angle brackets are escaped as \\u003c / \\u003e"
    json.loads(text)


def test_json_ld_escaping_survives_hostile_text():
    """A headline containing '</script>' stays inside the JSON (unit check of page_meta's escaping)."""
    from types import SimpleNamespace

    import pandas as pd

    from briefing.data import identity
    from briefing.drawing.page import page_meta

    src = pd.DataFrame([{"headline": "</script><script>alert(1)</script> & co", "document": "000_x.txt", "outlet": "O"}], index=["doc-000"])
    d = SimpleNamespace(as_of="2025-06-19", events=pd.DataFrame({"date": ["2025-06-19"]}), relationships=pd.DataFrame({"as_of": [], "_first": []}),
                        sources=src.assign(known_from="2025-06-19"), figures=pd.DataFrame(), story=identity.read(DATA / "datapackage.json"))
    meta = page_meta(d, "Headline </script>", "unknown")
    # the template writes the JSON-LD with Jinja's tojson filter, as nbconvert's environment has it
    from jinja2 import Environment

    text = Environment(autoescape=True).from_string("{{ ld | tojson }}").render(ld=meta["json_ld"])
    assert "</script" not in text.lower() and "<" not in text and "&" not in text
    assert json.loads(text)["citation"][0]["name"] == "</script><script>alert(1)</script> & co"


# --- PDF -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf(built: Path):
    from pypdf import PdfReader

    return PdfReader(str(built / "briefing.pdf"))


def test_pdf_document_info(pdf, head):
    m = pdf.metadata
    assert m.title == head.title.strip()
    assert m.author == PROJECT
    assert m.subject == head.meta["description"], "the meta description becomes the PDF's Subject"
    assert m.get("/Keywords") and "Scale AI" in m["/Keywords"]
    created = head.meta["dcterms.created"].replace("-", "")
    assert str(m.get("/CreationDate", "")).startswith(f"D:{created}"), "the creation date is the edition's, not the wall clock's"


def _page_texts(path: Path, n: int) -> list[str]:
    return [subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
            for i in range(1, n + 1)]


def test_pdf_running_header_and_page_numbers(built, pdf, head):
    n = len(pdf.pages)
    assert n >= 2
    edition = " ".join(head.edition_line.split())
    assert edition.startswith("Edition of"), edition
    for i, text in enumerate(_page_texts(built / "briefing.pdf", n), start=1):
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        assert lines and lines[0] == edition, f"page {i}: running header is {lines[:1]}, want {edition!r}"
        assert f"Page {i} of {n}" in lines[-1], f"page {i}: last line is {lines[-1:]!r}"


def _links(pdf) -> list[tuple[int, object]]:
    """(page index, destination) of every internal link: /Dest, or a /GoTo action's /D."""
    out = []
    for i, page in enumerate(pdf.pages):
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            if a.get("/Subtype") != "/Link":
                continue
            dest = a.get("/Dest")
            action = a.get("/A")
            if dest is None and action is not None and action.get_object().get("/S") == "/GoTo":
                dest = action.get_object().get("/D")
            if dest is not None:
                out.append((i, dest))
    return out


def test_pdf_citations_link_to_the_source_list(pdf, html):
    links = _links(pdf)
    named = pdf.named_destinations
    to_sources = [(i, str(d)) for i, d in links if str(d).startswith("src-")]
    assert to_sources, "no internal links to the source list"
    missing = sorted({d for _, d in to_sources if d not in named})
    assert not missing, f"links to undefined destinations: {missing[:5]}"
    # every source in the list is a destination, and the destinations are on the source-list pages
    ids = [s["source_id"] for s in _csv("sources")]
    assert all(f"src-{s}" in named for s in ids)
    page_of = {name: pdf.get_destination_page_number(named[name]) for name in (f"src-{s}" for s in ids)}
    first_sources_page = min(page_of.values())
    assert all(i <= first_sources_page for i, _ in to_sources[:5]), "citations in the text come before the source list"
    # the text cites (nearly) every source it links in the HTML, outside the hidden chart tables
    printed = re.sub(r'<details class="chart-data">.*?</details>', "", html, flags=re.DOTALL)
    cited = set(re.findall(r'href="#(src-[^"]+)"', printed))
    assert cited <= {d for _, d in to_sources}, f"cited in the HTML but not linked in the PDF: {sorted(cited - {d for _, d in to_sources})[:5]}"


def test_pdf_is_deterministic(built, tmp_path):
    """Rendering the same HTML again gives the same bytes (no wall clock, no random ids)."""
    again = tmp_path / "again.pdf"
    proc = subprocess.run([PY, "-m", "briefing", "pdf", str(built / "briefing.html"), str(again)], check=False, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert again.read_bytes() == (built / "briefing.pdf").read_bytes()
