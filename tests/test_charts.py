"""The charts say what a reader should see in five seconds, on the small fixtures (no build): one row per
client with its latest status in words, the investor not counted as a client, the rivals' own figures,
a timeline that shows a window of days as a window, and text at least 11 px on a 390 px phone."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import DATA, ROOT

from briefing.data.dataset import load
from briefing.drawing import charts, timeline
from briefing.drawing.chartkit import EVIDENCE_COLOURS, MIN_TEXT_PX, PHONE_COLUMN_PX

SMALL = ROOT / "tests" / "fixtures" / "small_data"
LATER = ROOT / "tests" / "fixtures" / "later_news"
SVG = "{http://www.w3.org/2000/svg}"
ALL = (charts.valuation_chart, charts.clients_chart, charts.rivals_chart, timeline.timeline_chart, charts.stakes_chart)


def texts(svg: str) -> list[str]:
    """The chart's words, one string per SVG <text>, in drawing order (top to bottom for the text charts)."""
    root = ET.fromstring(svg)
    return [" ".join("".join(t.itertext()).split()) for t in root.iter(f"{SVG}text") if "".join(t.itertext()).strip()]


def words(svg: str) -> str:
    """All the chart's words as one line: wrapped lines joined again."""
    return " ".join(texts(svg))


def add_rows(data: Path, name: str, lines: list[str]) -> None:
    path = data / f"{name}.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + "\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def small_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "small"
    shutil.copytree(SMALL, dest)
    return dest


# ---------------------------------------------------------------- clients


def test_clients_chart_has_one_row_per_client_with_its_latest_status_in_words():
    d = load(SMALL)
    chart = charts.clients_chart(d)
    latest = d.latest_status(["client"])
    moved = sorted(set(d.relationships.loc[(d.relationships["role"] == "client") & (d.relationships["direction"] != "neutral"), "party"]))
    assert moved == ["Google", "OpenAI"]
    assert len(chart.tooltips) == len(moved), "one mark per client, not one per source"
    shown = words(chart.svg)
    for party in moved:
        row = latest[latest["party"] == party].iloc[0]
        assert texts(chart.svg).count(party) == 1, f"{party} is named once"
        assert d.status_phrase(row["status"]) in shown, f"{party}: its latest status is not in words on the chart"
        assert row["evidence"] in shown.casefold()
    assert "winding down its work with Scale" in shown and "planning to cut ties with Scale" in shown
    assert "plans to cut ties" not in shown, "the status phrase, not the raw status"
    # the table keeps every source's account
    accounts = d.relationships[d.relationships["party"].isin(moved) & (d.relationships["role"] == "client")]
    assert len(chart.data) == len(accounts) and set(chart.data["party"]) == set(moved)
    assert chart.title == "Only OpenAI has confirmed it is moving away from Scale AI; Google's move is reported"


def test_a_party_with_two_roles_counts_among_clients_by_its_client_history():
    """later_news has Meta, the deal's investor, also as a client moving away: one party, two histories; the clients
    chart counts its client history (Dataset.movers, the one rule), as the dek and By the numbers do."""
    d = load(LATER)
    chart = charts.clients_chart(d)
    assert "Meta" in texts(chart.svg) and "Meta" in set(chart.data["party"])
    assert chart.title == "Meta and OpenAI have confirmed they are moving away from Scale AI", chart.title
    assert "Moving away from Scale AI (2)" in texts(chart.svg) and "Moving toward Scale AI (2)" in texts(chart.svg)
    assert len(d.pulling_back()) == 2


def test_the_clients_title_is_the_certainty_finding_and_moves_with_the_data(small_copy):
    """Who confirmed and whose move is only reported or unattributed, computed: add an unattributed client and a
    confirmation by Google, and the title says so; the marks differ by evidence (filled, hollow, dotted)."""
    before = charts.clients_chart(load(small_copy))
    assert before.title == "Only OpenAI has confirmed it is moving away from Scale AI; Google's move is reported"
    add_rows(small_copy, "relationships", [
        "rel-test-cohere-rumour,Cohere,client,considering,away,rumoured,2025-06-14,stated,,agg-14,Meta's US$14.3 billion investment in Scale AI,,",
    ])
    after = charts.clients_chart(load(small_copy))
    assert after.title == "Only OpenAI has confirmed it is moving away from Scale AI; Google's move is reported, Cohere's unattributed", after.title
    assert 'stroke-dasharray' in after.svg or "dotted" in after.subtitle, "an unattributed move is drawn as such"
    fills = re.findall(r'<g id="clients-row-\d+" class="mark">.*?style="([^"]*)"', after.svg, flags=re.DOTALL)
    assert len({"fill: #ffffff" in f for f in fills}) == 2, "filled and hollow marks"


def test_an_investor_by_role_alone_is_not_a_client(small_copy):
    add_rows(small_copy, "relationships", [
        "rel-test-meta-investing,Meta,investor,investing,toward,reported,2025-06-12,stated,,agg-14,Meta's US$14.3 billion investment in Scale AI,,",
    ])
    (small_copy / "figures.csv").write_text(
        "\n".join(line for line in (small_copy / "figures.csv").read_text(encoding="utf-8").splitlines() if "meta_investment_usd" not in line) + "\n",
        encoding="utf-8")
    chart = charts.clients_chart(load(small_copy))
    assert "Meta" not in texts(chart.svg) and "Meta" not in chart.title


# ---------------------------------------------------------------- rivals

RIVAL_ROWS = {
    "figures": [
        ("fig-test-turing-contracts,turing_potential_contracts_usd,Turing,50,USD,million,,,agg-14,"
         "his firm has secured $50 million in potential contracts over the last two weeks,"),
        "fig-test-handshake-demand,handshake_demand_multiple,Handshake,3,multiple,one,,,agg-14,his company saw demand triple,",
    ],
    "relationships": [
        "rel-test-handshake,Handshake,competitor,gaining demand,neutral,reported,2025-06-12,stated,,agg-14,his company saw demand triple,,",
        "rel-test-mercor,Mercor,new provider,supplying openai,neutral,reported,2025-06-18,stated,,agg-13,relies on newer suppliers like Mercor,,",
    ],
}


def test_rivals_chart_shows_the_rivals_that_gained_with_their_own_figures(small_copy):
    for name, lines in RIVAL_ROWS.items():
        add_rows(small_copy, name, lines)
    d = load(small_copy)
    chart = charts.rivals_chart(d)
    shown = words(chart.svg)
    assert "$50M" in texts(chart.svg) and "Turing's new potential contracts" in shown, shown
    assert "3x" in texts(chart.svg) and d.label("handshake_demand_multiple") in shown
    assert "Mercor" in shown and "supplying data to OpenAI" not in shown, "a rival without a gain of its own is counted, not drawn"
    assert len(chart.tooltips) == 2 and len(chart.data) == 3, "a mark per rival that gained; every rival in the table"
    assert chart.title in (f"{a} and {b} reported gains of their own; one more rival is named without one" for a, b in (("Handshake", "Turing"), ("Turing", "Handshake"))), chart.title


def test_a_duration_joins_the_figure_it_is_the_window_of(small_copy):
    """'$50M Turing's new potential contracts, in 2 weeks', never '2 weeks The period over which Turing secured them'."""
    add_rows(small_copy, "figures", [RIVAL_ROWS["figures"][0],
             "fig-test-turing-window,turing_contracts_window_weeks,Turing,2,weeks,one,,,agg-14,over the last two weeks,"])
    d = load(small_copy)
    shown = words(charts.rivals_chart(d).svg)
    assert "in 2 weeks" in shown and d.label("turing_contracts_window_weeks") not in shown, shown


def test_the_rivals_title_moves_with_the_data(small_copy):
    before = charts.rivals_chart(load(small_copy)).title
    add_rows(small_copy, "relationships", [
        "rel-test-snorkel,Snorkel AI,competitor,gaining demand,neutral,reported,2025-06-12,stated,,agg-14,Meta's US$14.3 billion investment in Scale AI,,",
        "rel-test-labelbox,Labelbox,competitor,named as a rival,neutral,reported,2025-06-18,stated,,agg-14,Meta's US$14.3 billion investment in Scale AI,,",
    ])
    after = charts.rivals_chart(load(small_copy)).title
    assert after != before and after.endswith("two more rivals are named without one"), (before, after)


# ---------------------------------------------------------------- timeline


def test_timeline_busiest_day_counts_only_events_dated_to_that_day():
    d = load(SMALL)
    ev = d.events
    on_day = ((ev["date"] == "2025-06-12") & (ev["date_precision"] == "day")).sum()
    starting = (ev["date"] == "2025-06-12").sum()
    assert 1 < on_day < starting, "the fixture has windows that start on June 12"
    chart = timeline.timeline_chart(d)
    assert chart.title.endswith(f"the busiest day was June 12, 2025, with {on_day}"), chart.title
    lines = texts(chart.svg)
    windows = starting - on_day  # June 12 to 15 and June 12 to 18: listed together under the widest window, after the day
    assert f"June 12, 2025: {on_day} events" in lines
    assert f"Between June 12 and 18, 2025: {windows} events" in lines, "a window is shown as the window"
    assert lines.index(f"June 12, 2025: {on_day} events") < lines.index(f"Between June 12 and 18, 2025: {windows} events")
    assert any(t.startswith("between June 12 and 15, 2025:") for t in chart.tooltips.values()), "each event keeps its own window"
    assert "when" in chart.data and "date_until" in chart.data and len(chart.data) == len(ev)


def test_timeline_shows_a_month_as_a_month_and_a_window_after_the_day_it_starts(small_copy):
    add_rows(small_copy, "events", [
        "ev-test-month,2025-06-01,month,,,Scale AI,,statement,Something said some time in June.,,reported,agg-14,Meta's US$14.3 billion investment in Scale AI,,",
        ("ev-test-calls,2025-06-08,week,,,Rival,,demand,A rival took calls over the week after the report.,Rival takes calls,reported,agg-14,"
         "Meta's US$14.3 billion investment in Scale AI,,"),
    ])
    chart = timeline.timeline_chart(load(small_copy))
    lines = texts(chart.svg)
    assert "June 2025" in lines and "June 1, 2025" not in " ".join(lines)
    assert lines.index("June 8, 2025") < lines.index("Between June 8 and 14, 2025"), "the calls come after the report that caused them"
    assert chart.title.startswith("10 events in June 2025;"), chart.title


def test_timeline_order_puts_a_window_after_the_days_it_starts_on():
    ev = timeline.timeline_order(load(SMALL).events)
    june12 = ev[ev["date"] == "2025-06-12"]
    precisions = list(june12["date_precision"])
    assert precisions == sorted(precisions, key=lambda p: p != "day"), precisions
    windows = june12[june12["date_precision"] != "day"]
    assert list(windows["_until"]) == sorted(windows["_until"]), "windows by their end"


def test_timeline_puts_the_announcement_before_the_reports_of_the_same_day():
    """Within a day the data's order: what a party announced (status 'announced') before what was reported about it, then file order."""
    d = load(DATA)
    ev = timeline.timeline_order(d.events)
    day = ev[(ev["date"] == "2025-06-12") & (ev["date_precision"] == "day")]
    ranks = list(day["status"].map(timeline.STATUS_RANK))
    assert ranks == sorted(ranks) and ranks[0] == 0, list(day["event_id"])
    lines = texts(timeline.timeline_chart(d).svg)
    said = [t for t in lines if t.startswith(("Scale announces", "Reuters: Google"))]
    assert said and said[0].startswith("Scale announces"), said


def test_timeline_labels_are_shortened_at_a_word_boundary(small_copy):
    long = ("Google was reported to be seeking a way out of its contracts with Scale AI while it weighed several other "
            "data labelling vendors for its next models")
    add_rows(small_copy, "events", [f"ev-test-long,2025-06-09,day,,,Google,,report,{long},,reported,agg-14,Meta's US$14.3 billion investment in Scale AI,,"])
    d = load(small_copy)
    chart = timeline.timeline_chart(d)
    cut = [t for t in texts(chart.svg) if t.endswith("\u2026")]
    assert cut, "the fixture has a label too long for two lines"
    vocabulary = {w.strip(",;:") for text in (*d.events["label"], *d.events["description"]) for w in text.split()}
    for line in cut:
        kept = line.removesuffix("\u2026").split()
        assert kept and all(w in vocabulary for w in kept), f"cut inside a word: {line!r}"
    assert any("Google was reported" in t for t in texts(chart.svg))


# ---------------------------------------------------------------- every chart


def min_text_px(svg: str, column_px: float = PHONE_COLUMN_PX) -> float:
    """The smallest text of an SVG drawn `column_px` wide: its font size in viewBox units times the scale."""
    width = float(re.search(r'viewBox="0 0 ([\d.]+) [\d.]+"', svg).group(1))
    sizes = [float(s) for s in re.findall(r"font(?:-size)?:[^;\"]*?([\d.]+)px", svg)]
    assert sizes, "no text in the chart"
    return min(sizes) * column_px / width


@pytest.mark.parametrize("data", [SMALL, LATER, DATA], ids=["small_data", "later_news", "data"])
def test_every_chart_has_text_of_at_least_11px_on_a_phone(data):
    d = load(data)
    for make in ALL:
        chart = make(d)
        if chart.svg:
            assert min_text_px(chart.svg) >= MIN_TEXT_PX, f"{chart.name}: {min_text_px(chart.svg):.1f} px at 390 px wide"


def test_charts_are_byte_identical_run_to_run():
    d = load(LATER)
    assert [f(d).svg for f in ALL] == [f(d).svg for f in ALL]


def test_stakes_chart_is_its_own_finding_in_colours_that_do_not_mean_evidence():
    chart = charts.stakes_chart(load(LATER))
    assert re.match(r".+ came to \d+% of .+", chart.title) or " was $" in chart.title, chart.title
    fills = set(re.findall(r"fill: ?(#[0-9a-fA-F]{6})", chart.svg))
    assert fills and not fills & {c.lower() for c in EVIDENCE_COLOURS.values()}, fills


def test_a_hedged_row_never_counts_towards_a_confirmed_status(small_copy):
    """Issue 28 (10): Turing 'confirmed, 1 source'; a rumoured row of another text does not make it '2 sources'."""
    add_rows(small_copy, "relationships", [
        ('rel-turing-expecting-test,Turing,competitor,expecting more demand,neutral,rumoured,2025-06-12,undated,,agg-06,'
        '"Scale alternatives, including Labelbox and Handshake, are already fielding or anticipate seeing a huge surge in demand",,')])
    chart = charts.rivals_chart(load(small_copy))
    row = chart.data.set_index("party").loc["Turing"]
    assert row["evidence"] == "confirmed" and row["n_sources"] == 1
    assert "confirmed, 1 source" in words(chart.svg) and "confirmed, 2 sources" not in words(chart.svg)
