"""Every mark of every chart carries its evidence: a value, the source ids and a quote, in an SVG <title>.

The inline SVGs of the built briefing are parsed as XML; the number of marks per chart is checked
against the CSVs (and against the chart's own data table), and ids must be unique across the page.
"""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import DATA

SVG = "{http://www.w3.org/2000/svg}"
TOOLTIP = re.compile(r"^(?P<value>[^|]+) \| source: (?P<ids>[^|]+) \| \u201c(?P<quote>[^\u201d]+)\u201d$")
VALUATION_METRICS = ("valuation_pre_usd", "valuation_post_usd", "meta_investment_usd")


def rows(name: str) -> list[dict[str, str]]:
    with open(DATA / f"{name}.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def ids_of(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


def norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def html(built: Path) -> str:
    return (built / "briefing.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def svgs(html: str) -> dict[str, ET.Element]:
    """The page's inline SVGs, parsed as XML, keyed by their data-chart name."""
    out = {}
    for text in re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL):
        root = ET.fromstring(text)  # raises if an SVG is not well-formed XML
        name = root.get("data-chart")
        assert name and name not in out, f"SVG without a unique data-chart name: {name!r}"
        out[name] = root
    return out


@pytest.fixture(scope="module")
def marks(svgs) -> dict[str, list[tuple[str, str]]]:
    """Per chart: (group id, title text) of every <g class="mark">."""
    out = {}
    for name, root in svgs.items():
        found = []
        for g in root.iter(f"{SVG}g"):
            if "mark" in (g.get("class") or "").split():
                titles = g.findall(f"{SVG}title")
                assert len(titles) == 1, f"{name}: mark {g.get('id')} has {len(titles)} <title> elements"
                assert g[0].tag == f"{SVG}title", f"{name}: mark {g.get('id')}: <title> must be the group's first child"
                found.append((g.get("id"), titles[0].text or ""))
        out[name] = found
    return out


def quotes_by_source() -> list[tuple[str, set[str]]]:
    """Every quote in the data with the sources it may be attributed to."""
    out = []
    for r in rows("figures"):
        out.append((norm(r["quote"]), {r["source_id"]}))
    for name in ("events", "relationships"):
        for r in rows(name):
            out.append((norm(r["quote"]), set(ids_of(r["source_ids"]))))
    return out


def test_the_four_charts_are_inline(svgs):
    assert set(svgs) == {"valuation", "timeline", "clients", "rivals"}


def test_every_mark_has_a_value_a_real_source_and_a_quote(marks):
    source_ids = {r["source_id"] for r in rows("sources")}
    quotes = quotes_by_source()
    for chart, found in marks.items():
        assert found, f"{chart}: no marks with tooltips"
        for gid, text in found:
            m = TOOLTIP.match(text)
            assert m, f"{chart} {gid}: tooltip is not 'value | source: ids | \u201cquote\u201d': {text!r}"
            assert re.search(r"\d", m["value"]), f"{chart} {gid}: the tooltip states no value: {m['value']!r}"
            cited = [s.strip() for s in m["ids"].split(",")]
            unknown = [s for s in cited if s not in source_ids]
            assert cited and not unknown, f"{chart} {gid}: source ids not in data/sources.csv: {unknown}"
            quote = norm(m["quote"])
            shown = quote[:-1].rstrip() if quote.endswith("\u2026") else quote
            owners = [srcs for q, srcs in quotes if (q.startswith(shown) if quote.endswith("\u2026") else q == shown)]
            assert owners, f"{chart} {gid}: the quote is not in the data: {quote!r}"
            assert any(srcs & set(cited) for srcs in owners), f"{chart} {gid}: the quote comes from none of the cited sources {cited}"


def test_tooltips_are_not_html_escaped_twice(marks):
    for chart, found in marks.items():
        for gid, text in found:
            assert not re.search(r"&(amp|lt|gt|quot|#\d+);", text), f"{chart} {gid}: double-escaped text: {text!r}"


def client_accounts() -> list[dict[str, str]]:
    """The client rows the clients chart draws on: every party's client-role rows (an investor that is also a client
    counts by its client history), for the clients that moved."""
    rel = rows("relationships")
    clients = [r for r in rel if r["role"] == "client"]
    moved = {r["party"] for r in clients if r["direction"] != "neutral"}  # the chart plots clients that moved
    return [r for r in clients if r["party"] in moved]


def expected_marks() -> dict[str, int]:
    """How many marks each chart must have, counted from the CSVs (the timeline is checked by what its marks cover)."""
    metrics = {r["metric"] for r in rows("figures")}
    return {
        "valuation": sum(m in metrics for m in VALUATION_METRICS),  # one per bar
        "clients": len({r["party"] for r in client_accounts()}),  # one row per client
        "rivals": len(gaining_rivals()),  # one row per rival that reported a gain of its own; the rest are counted in a line
    }


def all_rivals() -> set[str]:
    return {r["party"] for r in rows("relationships") if r["role"] in ("competitor", "new provider")}


def gaining_rivals() -> set[str]:
    """Rivals with figures of their own, or a gain on the record (a confirmed status that is more than a listing)."""
    listing = {r["status"] for r in rows("statuses") if r.get("supersedes") == "no"}
    entities = {r["entity"] for r in rows("figures")}
    return {r["party"] for r in rows("relationships") if r["party"] in all_rivals()
            and (r["party"] in entities or (r["evidence"] == "confirmed" and r["status"] not in listing))}


def test_marks_per_chart_match_the_data(marks):
    want = expected_marks()
    got = {chart: len(found) for chart, found in marks.items() if chart != "timeline"}
    assert got == want
    # sanity: the data gives these charts something to show
    assert want["valuation"] == 3 and want["clients"] > 2 and want["rivals"] > 1


def test_timeline_marks_cover_every_event_once(marks):
    """Each named event has a dot with its full date; each "+N more" line counts the rest of its date."""
    named = [t for gid, t in marks["timeline"] if "-ev-" in gid]
    counted = [int(re.match(r"([\d,]+) more events?", t).group(1).replace(",", "")) for gid, t in marks["timeline"] if "-more-" in gid]
    assert len(named) + sum(counted) == len([e for e in rows("events") if not e.get("version_of")])  # a version is not another event
    when = r"(between [A-Z][a-z]+ \d{1,2} and ([A-Z][a-z]+ )?\d{1,2}, \d{4}|[A-Z][a-z]+ \d{1,2} or \d{1,2}, \d{4}|[A-Z][a-z]+ (\d{1,2}, )?\d{4}): "  # a day, a month, or a window
    assert all(re.match(when, t) for t in named), named[:3]


class _Tables(HTMLParser):
    """Rows of the data table inside each chart figure's <details>."""

    def __init__(self):
        super().__init__()
        self.figure, self.in_tbody, self.rows = None, False, Counter()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "figure" and "chart" in (a.get("class") or "").split():
            self.figure = (a.get("id") or "").removeprefix("chart-")
        elif tag == "details" and (a.get("id") or "").startswith("data-"):  # a story chart's table, in the appendix
            self.figure = a["id"].removeprefix("data-")
        elif tag == "tbody":
            self.in_tbody = True
        elif tag == "tr" and self.in_tbody and self.figure:
            self.rows[self.figure] += 1

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.in_tbody = False
        elif tag in ("figure", "details"):
            self.figure = None


def test_marks_match_each_charts_data_table(html, marks):
    """The table under a chart lists what it plots: one row per mark; the rivals' table, every rival (those without a gain
    of their own are counted in a line on the chart); the clients' table, every source's account."""
    p = _Tables()
    p.feed(html)
    assert p.rows["valuation"] == len(marks["valuation"]), f"valuation: {p.rows['valuation']} table rows, {len(marks['valuation'])} marks"
    assert p.rows["rivals"] == len(all_rivals()) > len(marks["rivals"]), f"rivals: {p.rows['rivals']} table rows, {len(marks['rivals'])} marks"
    assert p.rows["clients"] == len(client_accounts()), f"clients: {p.rows['clients']} table rows, {len(client_accounts())} accounts"


def test_mark_values_agree_with_the_data(marks):
    """Spot checks that the tooltips say what the CSVs say."""
    val = dict(marks["valuation"])
    assert any("$14.3B" in t and "Meta's investment" in t for t in val.values()), val
    clients = [t for _, t in marks["clients"]]
    phrases = {r["status"]: r["phrase"] for r in rows("statuses")}
    for party in {r["party"] for r in client_accounts()}:  # each client's mark names it and a status in words, with its evidence
        assert sum(t.startswith(f"{party}: ") for t in clients) == 1, party
        assert any(t.startswith(f"{party}: {phrases.get(r['status'], r['status'])} ({r['evidence']},") for t in clients for r in client_accounts()
                   if r["party"] == party), party


def test_ids_are_unique_across_the_page(html):
    ids = re.findall(r'(?<![\w:-])id="([^"]*)"', html)
    dupes = sorted(i for i, n in Counter(ids).items() if n > 1)
    assert not dupes, f"{len(dupes)} ids occur more than once, e.g. {dupes[:8]}"


def test_svg_references_stay_inside_their_svg(svgs):
    """clip-path url(#...) and <use href="#..."> must point at an id of the same SVG."""
    for name, root in svgs.items():
        ids = {el.get("id") for el in root.iter() if el.get("id")}
        assert all(i.startswith(f"{name}-") for i in ids), f"{name}: ids not prefixed with the chart's name"
        refs = set()
        for el in root.iter():
            for attr, value in el.attrib.items():
                refs.update(re.findall(r"url\(#([^)]+)\)", value))
                if attr.endswith("href") and value.startswith("#"):
                    refs.add(value[1:])
        assert refs, f"{name}: no internal references found (glyphs, clip paths)"
        assert refs <= ids, f"{name}: references to ids outside the SVG: {sorted(refs - ids)[:5]}"


def _colours(el: ET.Element) -> set[str]:
    return {c.lower() for e in el.iter() for k in ("style", "fill", "stroke") for c in re.findall(r"#[0-9a-fA-F]{6}", e.get(k) or "")}


def test_legend_swatches_use_the_marks_colours(svgs):
    """A legend must not show a colour that no mark has (ink, white and the neutral grey aside)."""
    neutral = {"#222222", "#ffffff", "#767676"}
    for name, root in svgs.items():
        marks = set().union(*[_colours(g) for g in root.iter(f"{SVG}g") if "mark" in (g.get("class") or "").split()])
        for legend in (g for g in root.iter(f"{SVG}g") if (g.get("id") or "").endswith("legend_1")):
            stray = _colours(legend) - marks - neutral
            assert not stray, f"{name}: legend colours {sorted(stray)} appear on no mark"
