"""Histories, not disputes: statuses and claims live in time (briefing/data/history.py).

A later status or claim is the record moving on; two accounts of the same moment that point different ways are a
disagreement; undated commentary never leads; a month-only text prints as its month; one rule counts who is moving.
Each test builds its fixture the way a re-runner would: a copy of tests/fixtures/small_data plus a few rows.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, append_rows

from briefing.data.dataset import load
from briefing.drawing.charts import clients_chart, rivals_chart
from briefing.drawing.lists import numbers_panel, status_list
from briefing.story import disagreements, lead, ranking

SMALL = ROOT / "tests" / "fixtures" / "small_data"


@pytest.fixture
def small(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(SMALL, dest)
    add(dest / "sources.csv", [{"source_id": "test-later", "document": "later.txt", "outlet": "Example Wire", "outlet_basis": "text",
                                "published": "2026-02-02", "known_from": "2026-02-02", "known_from_basis": "the date the text gives"},
                               {"source_id": "test-month", "document": "month.txt", "outlet": "Example Monthly", "outlet_basis": "text",
                                "published": "2025-10", "known_from": "2025-10-01", "known_from_basis": "the text gives only the month"},
                               {"source_id": "test-other", "document": "other.txt", "outlet": "Example Daily", "outlet_basis": "text",
                                "published": "2025-09-17", "known_from": "2025-09-17", "known_from_basis": "the date the text gives"}])
    return dest


def add(path: Path, rows: list[dict]) -> None:
    """Append rows under the file's own header (missing cells empty), as a re-runner adds news."""
    append_rows(path, rows)


def status(rid, party, st, direction, evidence, as_of, source, basis="stated", role="client", quote="a quote", speaker=""):
    return {"relationship_id": rid, "party": party, "role": role, "status": st, "direction": direction, "evidence": evidence,
            "as_of": as_of, "as_of_basis": basis, "source_ids": source, "quote": quote, "speaker": speaker}


def claim(cid, topic, text, as_of, source, evidence="reported", basis="stated"):
    return {"claim_id": cid, "topic": topic, "party": "Scale AI", "claim": text, "evidence": evidence, "as_of": as_of,
            "as_of_basis": basis, "source_ids": source, "quote": "a quote"}


GOOGLE_STAYS = status("rel-test-google-staying", "Google", "staying", "toward", "confirmed", "2026-02-02", "test-later",
                      quote="Google will keep working with Scale AI, a Google spokesperson said.", speaker="a Google spokesperson")


def parties_in_disputes(d) -> set[str]:
    return {q.subject for q in ranking.questions(d) if q.kind == "status"}


def test_a_later_status_is_history_not_a_dispute(small):
    add(small / "relationships.csv", [GOOGLE_STAYS])
    d = load(small)
    assert "Google" not in parties_in_disputes(d)
    [h] = [h for h in d.status_histories() if h.key == "Google"]
    assert [m.lead["status"] for m in h.moments] == ["plans to cut ties", "staying"]
    assert d.latest_status().set_index("party").loc["Google", "status"] == "staying"
    assert "planning to cut ties" in str(status_list(d, ["client"])) and "\u2192" in str(status_list(d, ["client"]))
    changes = [i for i in lead.developments(d) if i["kind"] == "status" and i["party"] == "Google"]
    assert [(c["prev_status"], c["status"], c["date"]) for c in changes] == [("plans to cut ties", "staying", "2026-02-02")]


def test_same_moment_accounts_that_point_different_ways_are_a_disagreement_and_a_tie_stays_a_tie(small):
    add(small / "relationships.csv", [status("rel-test-a", "Testco", "winding down", "away", "reported", "2025-06-12", "agg-11"),
                                      status("rel-test-b", "Testco", "expanding", "toward", "reported", "2025-06-12", "agg-14")])
    d = load(small)
    [dis] = [s for s in disagreements.status_disagreements(d) if s["party"] == "Testco"]
    assert not dis["settled"] and {v["direction"] for v in dis["versions"]} == {"away", "toward"}
    [q] = [q for q in ranking.questions(d) if q.subject == "Testco"]
    assert "differ:" in q.sentence and "latest" not in q.sentence
    assert bool(d.latest_status().set_index("party").loc["Testco", "disputed"])


def test_same_moment_accounts_in_other_words_are_one_account(small):
    add(small / "relationships.csv", [status("rel-test-a", "Testco", "considering", "away", "reported", "2025-06-12", "agg-11"),
                                      status("rel-test-b", "Testco", "distancing itself", "away", "reported", "2025-06-12", "agg-14")])
    d = load(small)
    assert "Testco" not in parties_in_disputes(d)


def test_undated_commentary_never_leads(small):
    # dated June 12 (small_data: Google plans to cut ties); undated commentary public June 18 says Google is staying
    add(small / "relationships.csv", [status("rel-test-undated", "Google", "staying", "toward", "reported", "2025-06-18", "doc-001", basis="undated")])
    d = load(small)
    assert d.latest_status().set_index("party").loc["Google", "status"] == "plans to cut ties"
    [dis] = [s for s in disagreements.status_disagreements(d) if s["party"] == "Google"]
    assert dis["steps"][0]["undated"] is False and dis["steps"][-1]["undated"] is True


def test_a_later_claim_on_a_topic_is_its_newest_word_not_a_version(small):
    topic = "how a test business is doing"
    add(small / "claims.csv", [claim("cl-test-june", topic, "Strong, a spokesperson said.", "2025-06-12", "agg-11"),
                               claim("cl-test-nov", topic, "Growing in both lines, the finance chief said.", "2025-11", "test-month")])
    d = load(small)
    assert topic not in {c["topic"] for c in disagreements.claim_disagreements(d)}
    [h] = [h for h in d.claim_histories() if h.key == topic]
    assert h.current.lead["claim"] == "Growing in both lines, the finance chief said." and h.current.lead["when"] == "November 2025"


def test_claims_of_the_same_moment_that_differ_stay_a_disagreement(small):
    topic = "how a test business is doing"
    add(small / "claims.csv", [claim("cl-test-a", topic, "Strong.", "2025-06-12", "agg-11"), claim("cl-test-b", topic, "Losing clients.", "2025-06-12", "agg-14")])
    assert topic in {c["topic"] for c in disagreements.claim_disagreements(load(small))}


def test_a_month_only_text_prints_as_its_month_everywhere(small):
    add(small / "relationships.csv", [status("rel-test-ms", "Microsoft", "ended its work", "away", "confirmed", "2025-10", "test-month",
                                             quote="Microsoft has ended its work with Scale AI, a Microsoft spokesperson said.", speaker="a Microsoft spokesperson")])
    d = load(small)
    assert d.latest_status().set_index("party").loc["Microsoft", "when"] == "October 2025"
    chart = clients_chart(d)
    shown = " ".join([chart.alt, *chart.data["date"]])
    listing = str(status_list(d, ["client"]))
    assert "October 2025" in shown and "October 2025" in listing
    assert "October 1" not in shown + listing
    assert load(small, "2025-09-30").latest_status()["party"].tolist().count("Microsoft") == 0  # not before its month began


def test_one_status_one_date_in_chart_and_appendix(small):
    d = load(small)
    r = d.latest_status().set_index("party").loc["OpenAI"]
    chart = clients_chart(d)
    row = chart.data[(chart.data["party"] == "OpenAI") & (chart.data["shown_as_latest"] == "yes")].iloc[0]
    assert row["date"] == r["when"] == d.status_date_text(r)
    assert r["when"] in str(status_list(d, ["client"]))


def test_one_rule_counts_who_is_moving_and_a_party_with_two_roles_counts_in_the_role_asked(small):
    add(small / "relationships.csv", [status("rel-test-meta-inv", "Meta", "investing", "toward", "reported", "2025-06-12", "agg-14", role="investor"),
                                      status("rel-test-meta-client", "Meta", "paused some work", "away", "reported", "2025-09-17", "test-other")])
    d = load(small)
    away = d.movers()[lambda m: m["direction"] == "away"]
    assert "Meta" in set(away["party"]), "Meta's client history counts among clients"
    assert "Meta" not in set(d.movers(("investor",))[lambda m: m["direction"] == "away"]["party"])
    n = len(away)
    assert not re.search(r"\b(One|Two|Three|Four|Five|\d+) of Scale AI's clients", lead.dek(d)), "the dek tells the news, never a count"
    panel = re.sub(r"<[^>]+>", " ", str(numbers_panel(d)))
    assert re.search(rf"\b{n}\s+clients whose latest reported move is away", panel)
    svg = clients_chart(d).svg
    assert f"Moving away from Scale AI ({n})" in re.sub(r"<[^>]+>", "", svg), "the chart's group counts the same clients"


def test_a_chart_counts_the_sources_of_the_status_it_shows_at_its_level(small):
    # Turing: confirmed in small_data by one text; a rumoured hedge of the same status by two more texts is not counted
    add(small / "relationships.csv", [status("rel-test-turing-hedge", "Turing", "gaining demand", "neutral", "rumoured", "2025-06-12", "agg-06;agg-10",
                                             role="competitor", basis="undated")])
    d = load(small)
    chart = rivals_chart(d)
    row = chart.data.set_index("party").loc["Turing"]
    assert row["evidence"] == "confirmed" and row["n_sources"] == 1
