"""Editorial accuracy: the rules of briefing/data/rules.py and the reading of evidence and dates, pinned on
the small fixture (copied and mutated), never on the committed data."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, SMALL

from briefing.data import fmt
from briefing.data.dataset import load
from briefing.data.validate import validate
from briefing.drawing import citations, lists, record, story_blocks
from briefing.drawing.page import data_last_date, sources_section
from briefing.story import disagreements


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def rewrite(path: Path, edit) -> None:
    data = rows(path)
    fields = list(data[0])
    data = edit(data)
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    w.writerows(data)
    path.write_text(out.getvalue(), encoding="utf-8")


def change(path: Path, key: str, row_id: str, **values) -> None:
    rewrite(path, lambda rs: [dict(r, **values) if r[key] == row_id else r for r in rs])


def problems(data: Path) -> list[str]:
    return [str(p) for p in validate(data)[1]]


def test_the_fixture_follows_the_rules(small):
    assert problems(small) == []


# ---------------------------------------------------------------- undated commentary never latest

def test_an_undated_row_cannot_be_latest(small):
    latest = load(small).latest_status().set_index("party")
    # Google: a dated Reuters report (June 12) and undated commentary first public June 18
    assert latest.loc["Google", "relationship_id"] == "rel-google-plans-to-cut-ties-reuters"
    assert latest.loc["Google", "as_of"] == "2025-06-12"
    # the same row read as dated reporting would win on its later date: the basis is what keeps it down
    change(small / "relationships.csv", "relationship_id", "rel-google-plans-to-cut-ties-rumoured", as_of_basis="stated")
    assert load(small).latest_status().set_index("party").loc["Google", "relationship_id"] == "rel-google-plans-to-cut-ties-rumoured"


def test_undated_commentary_is_marked_and_not_latest_on_the_page(small):
    d = load(small)
    # Google: 'plans to cut ties', reported June 12 (dated) and by undated commentary public June 18: one account of one
    # moment (data.history), the dated report its lead; agreeing commentary is no disagreement
    assert "Google" not in {s["party"] for s in disagreements.status_disagreements(d)}
    google = d.latest_status().set_index("party").loc["Google"]
    assert google["as_of"] == "2025-06-12" and google["as_of_basis"] != "undated"
    clients = str(lists.status_list(d, ["client"]))
    assert "June 12" in clients.split("<strong>Google</strong>")[1].split("</li>")[0]


def test_an_undated_row_is_dated_by_its_source(small):
    change(small / "relationships.csv", "relationship_id", "rel-google-plans-to-cut-ties-rumoured", as_of="2025-06-12")
    assert problems(small) == ["data/relationships.csv:4: as_of: an undated row is dated by its first source's known_from (2025-06-18), not 2025-06-12"
                               .replace("data/", f"{small}/")]


def test_one_statement_one_date(small):
    change(small / "relationships.csv", "relationship_id", "rel-turing-gaining-demand", as_of="2025-06-18")
    [msg] = problems(small)
    assert msg.endswith("as_of: 2025-06-18 differs from the date of its event ev-0612-turing-demand-time (2025-06-12): one statement, one date")


# ---------------------------------------------------------------- confirmed means the party said it

def test_a_confirmed_row_quotes_its_party(small):
    # Meta 'confirmed' on the strength of a narrated press release: no speaker, and the quote only narrates
    rewrite(small / "relationships.csv", lambda rs: rs + [dict(rs[0], relationship_id="rel-meta-staying", party="Meta", status="investing",
                                                                  direction="toward", evidence="confirmed", as_of="2025-06-12", as_of_basis="stated",
                                                                  event_id="", speaker="", source_ids="agg-13",
                                                                  quote='the companies\' agreement will "substantially expand" their commercial relationship')])
    msgs = problems(small)
    assert any(m.endswith("speaker: a confirmed row names who said it on the record (speaker, as the quote names them); "
                          "if no text quotes the party, the evidence is reported") for m in msgs), msgs
    # a speaker that is not in the quote does not help
    change(small / "relationships.csv", "relationship_id", "rel-meta-staying", speaker="a Meta spokesperson")
    msgs = problems(small)
    assert any("'a Meta spokesperson' is not in the quote" in m for m in msgs), msgs
    assert any("must attribute the statement" in m for m in msgs), msgs
    # reported is what the evidence is
    change(small / "relationships.csv", "relationship_id", "rel-meta-staying", evidence="reported", speaker="")
    assert problems(small) == []


def test_declining_to_comment_confirms_nothing(small):
    change(small / "relationships.csv", "relationship_id", "rel-openai-winding-down-confirmed",
           quote="A Scale AI spokesperson declined to comment.", speaker="A Scale AI spokesperson", source_ids="agg-07")
    msgs = problems(small)
    assert any("declined to comment: that confirms nothing" in m for m in msgs), msgs
    assert any("must tie the speaker to OpenAI" in m for m in msgs), msgs


HEDGED_QUOTE = ("Other major tech companies, including Microsoft Corporation MSFT and Elon Musk's xAI, "
                "are also reportedly distancing themselves from Scale AI.")


@pytest.mark.parametrize("quote, hedge", [
    (HEDGED_QUOTE, "reportedly"),
    ("As OpenAI, Google, and possibly other major players like Microsoft consider distancing themselves from Scale", "possibly"),
    ("Google may cut ties with Scale AI", "may"),
    ("Google is said to be cutting ties with Scale AI", "is said to"),
])
@pytest.mark.parametrize("table, key, row_id", [("relationships", "relationship_id", "rel-google-plans-to-cut-ties-reuters"),
                                                ("claims", "claim_id", "cl-droege-interim-ceo")])
def test_a_hedged_unattributed_quote_is_rumoured_wherever_it_stands(small, quote, hedge, table, key, row_id):
    """Issue 28 (10): the evidence rule, the same on every row: a hedge nobody is said to report backs rumoured only."""
    change(small / f"{table}.csv", key, row_id, quote=quote)
    msgs = problems(small)
    assert len(msgs) == 1 and msgs[0].endswith(f"evidence: the quote hedges ('{hedge}') and says no one reports it: that is rumoured, "
                                               "not reported (or quote the words that name who reports it)"), msgs
    change(small / f"{table}.csv", key, row_id, evidence="rumoured")
    assert problems(small) == []


def test_a_hedge_that_says_who_reports_it_may_be_reported(small):
    change(small / "relationships.csv", "relationship_id", "rel-google-plans-to-cut-ties-reuters",
           quote="Google, the most significant customer of Scale AI, is reportedly looking to sever ties with the company, Reuters reported.")
    assert problems(small) == []
    change(small / "relationships.csv", "relationship_id", "rel-google-plans-to-cut-ties-reuters", quote="Meta opened an office in May 2025")
    assert problems(small) == [], "the month May is no hedge"


def test_a_weekday_in_the_quote_matches_the_date(small):
    change(small / "events.csv", "event_id", "ev-0618-droege-post-not-winding-down",
           quote="In a Wednesday post, Droege wrote", date="2025-06-19")
    msgs = problems(small)
    assert any(m.endswith("date: the quote says Wednesday, but 2025-06-19 is a Thursday") for m in msgs), msgs


def test_a_hedge_in_the_quote_is_kept(small):
    rewrite(small / "figures.csv", lambda rs: rs + [dict(rs[0], figure_id="fig-agg06-google-spend", metric="google_spend_usd", value="120", qualifier="",
                                                         period="", source_id="agg-06", quote="Over a year ago, Google invested at least $120 million")])
    [msg] = problems(small)
    assert msg.endswith("qualifier: the quote hedges the number ('at least'): copy the hedge into qualifier")


def test_an_outlet_needs_its_basis(small):
    change(small / "sources.csv", "source_id", "agg-03", outlet="Bloomberg", outlet_basis="")
    [msg] = problems(small)
    assert msg.endswith("outlet_basis: say where the outlet 'Bloomberg' comes from (headline, text, or collection README)")


def test_an_outlet_from_the_collection_readme_says_so_on_the_page(small):
    page = sources_section(load(small))
    item = re.search(r'<li id="src-agg-02".*?</li>', page, re.DOTALL).group(0)
    assert "Bloomberg (per the collection&#x27;s notes)" in item
    assert re.search(r'<li id="src-agg-03"[^>]*><strong>Outlet not named</strong>', page)


# ---------------------------------------------------------------- the page

def test_no_page_furniture_or_raw_metric_key_on_the_page(small):
    # a stock widget's score, disputed, and marked key_figure = no
    rewrite(small / "figures.csv", lambda rs: rs + [
        dict(rs[0], figure_id=f"fig-agg12-growth-{v.replace('.', '-')}", metric="alphabet_growth_score", entity="Alphabet", value=v, unit="score", scale="one",
             qualifier="", period="", source_id="agg-12", quote=q, note="")
        for v, q in (("88.42", "Alphabet has a growth score of 88.42%"), ("88.34", "Growth88.34"))])
    d = load(small)
    assert problems(small) == []
    page = "".join(str(b) for b in (record.key_figures_block(d), record.disagreements_block(d), record.checks_block(d),
                                    lists.status_list(d, ["client", "competitor", "new provider"])))
    text = re.sub(r'href="[^"]*"', "", page)  # the CSV downloads are the data itself, every row; the text a reader sees is not
    assert "growth score" not in text.lower() and "88.4" not in text
    for metric in d.metrics.index:
        assert metric not in text, metric


def test_non_numeric_disagreements_render(small):
    d = load(small)
    block = str(record.disagreements_block(d))
    # a claim: Droege's title, with both versions, their sources, and the one the briefing leads with and why
    assert "Jason Droege&#x27;s new title" in block
    assert "Interim chief executive." in block and "promoted &#x27;to the CEO role&#x27;" in block
    assert "The briefing leads with \u201cInterim chief executive.\u201d (reported)" in disagreements.reading(
        next(c for c in disagreements.claim_disagreements(d) if c["topic"] == "Jason Droege's new title"))
    # an event told in two versions, in Google's one entry with its status and claims (one disagreement, one entry)
    google = re.search(r'<details class="dispute" id="dispute-google">.*?</details>', block, re.DOTALL).group(0)
    assert "Reuters: Google plans to cut ties" in google and block.count('id="dispute-google"') == 1


def test_a_weekday_disagreement_renders_with_both_dates(small):
    rewrite(small / "events.csv", lambda rs: rs + [dict(next(r for r in rs if r["event_id"] == "ev-0618-droege-post-not-winding-down"),
                                                        event_id="ev-0619-droege-post-thursday", date="2025-06-19", version_of="ev-0618-droege-post-not-winding-down",
                                                        source_ids="agg-14", quote="in a Wednesday post that the company is not pivoting")])
    msgs = problems(small)
    assert any("the quote says Wednesday, but 2025-06-19 is a Thursday" in m for m in msgs)  # the rule catches a misread weekday
    change(small / "events.csv", "event_id", "ev-0619-droege-post-thursday", quote="Scale's newly appointed interim CEO Jason Droege")
    d = load(small)
    [dis] = [e for e in disagreements.event_disagreements(d) if e["differs"] == "date"]
    assert [v["when"] for v in dis["versions"]] == ["June 18, 2025 (a Wednesday)", "June 19, 2025 (a Thursday)"]


def test_versions_of_one_event_count_once(small):
    d = load(small)
    versions = d.all_events[d.all_events["version_of"] != ""]
    assert len(versions) and d.n_events == len(d.events) == len(d.all_events) - len(versions)
    assert not set(versions["event_id"]) & set(d.events["event_id"])  # the timeline, the counts and the edition date see one row per event


def test_a_minority_version_does_not_date_the_edition(small):
    rewrite(small / "events.csv", lambda rs: rs + [dict(next(r for r in rs if r["event_id"] == "ev-0618-droege-post-not-winding-down"),
                                                        event_id="ev-0619-version", date="2025-06-19", quote="Scale's newly appointed interim CEO Jason Droege",
                                                        source_ids="agg-14", version_of="ev-0618-droege-post-not-winding-down")])
    d = load(small)
    assert data_last_date(d) == "2025-06-18"
    from briefing.story import lead
    assert lead.edition_date(d) == "2025-06-18"


def test_what_scale_says_is_only_what_scale_said(small):
    d = load(small)
    said = str(story_blocks.all_statements(d, ["statement", "memo", "announcement"], ["Scale AI"]))
    assert "<blockquote>\u201cUnlike some other recent tech deals" in said  # Droege's own words, as his
    assert "Scale announced in a June 12 press release" not in said  # the reporter's narration of the release: no speaker
    # a reporter's sentence that relays Scale (no quotation marks) is the outlet's, not Scale's words
    relayed = re.findall(r'<p class="relayed">(.*?)</p>', said)
    assert all(" reported: <q>" in r for r in relayed)
    assert "<blockquote>\u201cMeta will not have any voting power" not in said


def test_status_list_reads_for_one_party_or_many(small):
    rewrite(small / "relationships.csv", lambda rs: rs + [dict(rs[0], relationship_id="rel-self-driving", party="self-driving car companies",
                                                                  status="named as a client", direction="neutral", evidence="reported", as_of="2025-06-12",
                                                                  as_of_basis="undated", event_id="", speaker="", source_ids="agg-09",
                                                                  quote="Scale AI's clientele encompasses self-driving car companies and the U.S. government.")])
    text = re.sub(r"<[^>]+>", "", str(lists.status_list(load(small), ["client"])))
    assert "self-driving car companies: named among Scale" in text
    assert not re.search(r"companies (was|is|confirmed)\b", text)


def test_week_precision_says_what_it_means():
    assert fmt.date_text("2025-06-12", "week") == "between June 12 and 18, 2025"  # on or after June 12, within the week
    assert fmt.date_text("2025-06-12", "week", "2025-06-15") == "between June 12 and 15, 2025"
    assert "week of" not in fmt.date_text("2025-06-12", "week")


def test_a_difference_that_fails_never_prints_equal_to_its_tolerance(small):
    """Issue 28 (12): +10.03% against ±10% prints as +10.03%, not +10.0%."""
    rewrite(small / "checks.csv", lambda rs: [dict(r, tolerance="0.10") if r["check_id"] == "implied-valuation" else r for r in rs])
    change(small / "figures.csv", "figure_id", "fig-agg14-valuation-post", value="26.5234")
    change(small / "figures.csv", "figure_id", "fig-agg08-meta-investment", value="14.3")
    html_text = str(record.checks_block(load(small)))
    assert "(+10.03%)" in html_text and "fails (tolerance ±10%)" in html_text.replace("</span>", ""), html_text
    assert "(+10.0%)" not in html_text
    assert fmt.signed_percent(10.0) == "+10.0%" and fmt.signed_percent(-2.1) == "-2.1%" and fmt.tolerance(0.025) == "±2.5%"


def test_a_two_day_window_reads_as_either_day():
    """Issue 28 (12): 'just hours after' a June 12 announcement is June 12 or 13, never June 12 as if the text said so."""
    assert fmt.date_text("2025-06-12", "week", "2025-06-13") == "June 12 or 13, 2025"
    assert fmt.date_text("2025-06-30", "week", "2025-07-01") == "June 30 or July 1, 2025"
    assert fmt.date_text("2025-06-12", "week", "2025-06-15") == "between June 12 and 15, 2025"


def test_a_text_known_only_later_is_not_merged_under_an_earlier_date(small):
    """Issue 28 (12): in the party list, a source that can only have been public on June 18 is cited under June 18."""
    d = load(small)
    shown = re.sub(r"<[^>]+>", "", str(lists.status_list(d, ["client"])))
    google = next(item for item in shown.split(".") if item.lstrip().startswith("Google"))
    assert "June 12, 2025)" in google and "known from June 18, 2025" in google, google
    late = [s for s in d.relationships.set_index("relationship_id").loc["rel-google-plans-to-cut-ties-reuters", "source_list"]
            if d.all_sources.loc[s, "known_from"] > "2025-06-12"]
    before = google.split("known from June 18, 2025")[0]
    assert late and all(str(d.citation_number(s)) not in re.findall(r"\d+", before.split("June 12, 2025)")[1]) for s in late), google


@pytest.mark.parametrize("fixture", ["small_data", "data"])
def test_every_claim_reaches_the_appendix(fixture, tmp_path):
    """Issue 28 (13): every row of claims.csv is on the page: among the disagreements, or in the appendix's list of
    other claims (its claim and its quote)."""
    src = SMALL if fixture == "small_data" else ROOT / "data"
    dest = tmp_path / "data"
    shutil.copytree(src, dest)
    rewrite(dest / "claims.csv", lambda rs: rs + [dict(rs[-1], claim_id="cl-test-unseen", topic="a topic no other row has",
                                                         claim="A claim told nowhere else.")])
    d = load(dest)
    page = str(record.disagreements_block(d)) + str(record.claims_block(d))
    for _, r in d.claims.iterrows():
        assert str(citations.plain_ids(d, r["claim"])) in page, r["claim_id"]
    assert "A claim told nowhere else." in str(record.claims_block(d))
    notebook = (ROOT / "notebooks" / "05_appendix.ipynb").read_text(encoding="utf-8")
    assert "claims_block(d)" in notebook
