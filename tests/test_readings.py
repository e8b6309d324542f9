"""What the disagreements and checks say, against what the texts say: no claim made by ranking (the earliest
date never leads by itself), no date conflict made of a window that contains the other date, and no variant
check that looks better for a wrong input than for the right one. On copies of the small fixture."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from briefing.data.dataset import load
from briefing.story import checks, disagreements

SMALL = ROOT / "tests" / "fixtures" / "small_data"
DROEGE = "ev-0618-droege-post-not-winding-down"


@pytest.fixture
def small(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(SMALL, dest)
    return dest


def rewrite(path: Path, edit) -> None:
    with open(path, encoding="utf-8", newline="") as f:
        data = list(csv.DictReader(f))
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(data[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(edit(data))
    path.write_text(out.getvalue(), encoding="utf-8")


# ---------------------------------------------------------------- claims: no claim made by ranking

def claim(rows, claim_id, claim, as_of, basis, sources, note="", topic="who first reported the test story"):
    return dict(rows[0], claim_id=claim_id, topic=topic, party="OpenAI", claim=claim, evidence="reported", as_of=as_of,
                as_of_basis=basis, as_of_note=note, source_ids=sources, quote="a quote", speaker="", note="")


def fixed_topic(small: Path, topic: str) -> None:
    """topics.csv: a topic whose answer cannot change over time, so its claims are versions, not a history."""
    with open(small / "topics.csv", "a", encoding="utf-8") as f:
        f.write(f"{topic},no,a test topic\n")


def test_where_a_text_says_who_was_first_it_leads_not_the_earliest_date(small):
    fixed_topic(small, "who first reported the test story")
    rewrite(small / "claims.csv", lambda rs: rs + [
        claim(rs, "cl-test-reuters", "Reuters reported on June 12 that OpenAI had scaled back.", "2025-06-12", "derived", "agg-11", "relayed with Reuters' June 12 story"),
        claim(rs, "cl-test-bloomberg", "Bloomberg reported it first, CNBC says.", "2025-06-18", "stated", "agg-04"),
        claim(rs, "cl-test-forbes", "Forbes had reported before Bloomberg.", "2025-06-18", "undated", "agg-07;agg-10")])
    [dis] = [c for c in disagreements.claim_disagreements(load(small)) if c["topic"] == "who first reported the test story"]
    assert dis["lead"]["claim"] == "Bloomberg reported it first, CNBC says."
    assert "earliest" not in dis["why"] and "states when" in dis["why"]
    assert "earliest" not in disagreements.reading(dis)


def test_evenly_matched_claims_lead_in_file_order_not_by_date(small):
    fixed_topic(small, "a test topic")
    rewrite(small / "claims.csv", lambda rs: rs + [
        claim(rs, "cl-test-later", "A later account.", "2025-06-18", "stated", "agg-04", topic="a test topic"),
        claim(rs, "cl-test-earlier", "An earlier account.", "2025-06-12", "stated", "agg-11", topic="a test topic")])
    [dis] = [c for c in disagreements.claim_disagreements(load(small)) if c["topic"] == "a test topic"]
    assert dis["lead"]["claim"] == "A later account." and dis["why"] == "the versions are evenly matched; it comes first in the data"


# ---------------------------------------------------------------- events: a window containing the day is no date conflict

def version(rows, event_id, date, precision, until):
    main = next(r for r in rows if r["event_id"] == DROEGE)
    return dict(main, event_id=event_id, date=date, date_precision=precision, date_until=until, source_ids="agg-08",
                quote="nothing has changed about our commitment to protecting customer data", version_of=DROEGE,
                date_note="the text gives no day", status="reported", speaker="")


def droege(d) -> dict:
    return next(e for e in disagreements.event_disagreements(d) if e["event_id"] == DROEGE)


def test_a_version_whose_window_contains_the_day_tells_the_account_not_another_date(small):
    rewrite(small / "events.csv", lambda rs: rs + [version(rs, "ev-test-droege-window", "2025-06-18", "week", "2025-06-19")])
    dis = droege(load(small))
    assert dis["differs"] == "account"
    assert "between June 18 and 19" not in disagreements.reading(dis), "a source that gives no day is not shown giving one"


@pytest.mark.parametrize("date,precision,until", [("2025-06-19", "day", ""), ("2025-06-20", "week", "2025-06-22")])
def test_versions_with_no_day_in_common_differ_on_the_date(small, date, precision, until):
    rewrite(small / "events.csv", lambda rs: rs + [version(rs, "ev-test-droege-other-day", date, precision, until)])
    dis = droege(load(small))
    assert dis["differs"] == "date"
    assert disagreements.reading(dis).startswith("The sources differ on when it happened: June 18, 2025 (a Wednesday), reported by")


# ---------------------------------------------------------------- checks: a variant recomputes what depends on it

PRE_MONEY = {"check_id": "implied-pre-money", "label": "Valuation before the money came in (after \u2212 investment)",
             "formula": "valuation_post_usd - meta_investment_usd", "expected": "valuation_pre_usd", "tolerance": "0.10", "show": "money",
             "anchor": "", "defines": "", "note": ""}


def pre_money(small: Path, defines: str = "yes") -> Path:
    rewrite(small / "checks.csv", lambda rs: [dict(r, defines=defines if r["check_id"] == "implied-valuation" else "") for r in rs] + [PRE_MONEY])
    rewrite(small / "figures.csv", lambda rs: rs + [
        dict(next(r for r in rs if r["metric"] == "valuation_post_usd"), figure_id="fig-test-pre", metric="valuation_pre_usd", value="14",
             period="2024", quote="up from $14 billion"),
        dict(next(r for r in rs if r["figure_id"] == "fig-agg14-meta-investment"), figure_id="fig-test-investment", source_id="agg-04")])  # $14.3B leads
    return small


def test_a_variant_recomputes_the_metric_a_check_defines_from_it(small):
    res = checks.run_checks(load(pre_money(small))).query("check == 'implied-pre-money'")
    base = res[res["variant_metric"] == ""].iloc[0]
    variant = res[res["variant_metric"] == "meta_investment_usd"].iloc[0]
    assert base["shown"] == "$14.7B" and "valuation after the deal = $29B" in base["inputs"], "the current values are taken as reported"
    assert variant["shown"] == "$15.4B", "$14.8B / 49% = $30.2B, less $14.8B"
    assert "valuation after the deal = $30.2B, recomputed with this value" in variant["inputs"]
    assert abs(variant["difference_pct"]) > abs(base["difference_pct"]), "a wrong input cannot look better than the right one"
    assert variant["verdict"] == "fail" and variant["difference_pct"] == 10.03, "one decimal (10.0%) would blur a fail at \u00b110%"


def test_without_a_declared_definition_the_reported_value_is_used(small):
    res = checks.run_checks(load(pre_money(small, defines=""))).query("check == 'implied-pre-money' and variant_metric == 'meta_investment_usd'")
    assert res.iloc[0]["shown"] == "$14.2B" and "recomputed" not in res.iloc[0]["inputs"]
