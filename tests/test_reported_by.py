"""Sources counted as independent reports (outlets.reporting, reported_by): outlets, or the one outlet a text
relays (sources.csv credited_to), never excerpt by excerpt, and no outlet invented for a text that names none.
On a copy of the small fixture whose outlets and credits are set here."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from briefing.data.dataset import load
from briefing.story import disagreements, outlets
from briefing.story.checks import qualified, run_checks

SMALL = ROOT / "tests" / "fixtures" / "small_data"
README = "collection README (test fixture)"  # a basis that keeps its caveat wherever the name is shown
OUTLETS = {  # source_id: (outlet, credited_to)
    "agg-07": ("Bloomberg", ""), "agg-10": ("Bloomberg", "Reuters;Forbes"), "agg-04": ("CNBC", "Bloomberg"),
    "agg-11": ("", "Reuters"), "agg-09": ("", "Reuters;TechCrunch"), "agg-08": ("", "Bloomberg;Reuters;PitchBook"),
    "doc-001": ("", ""), "doc-003": ("", ""), "agg-14": ("Example Wire", "Reuters;Bloomberg"),
}


def rewrite(path: Path, edit) -> None:
    with open(path, encoding="utf-8", newline="") as f:
        data = list(csv.DictReader(f))
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(data[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(edit(data))
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("reported") / "data"
    shutil.copytree(SMALL, dest)
    rewrite(dest / "sources.csv", lambda rs: [
        dict(r, outlet=OUTLETS[r["source_id"]][0], outlet_basis=("text" if OUTLETS[r["source_id"]][0] else ""),
             credited_to=OUTLETS[r["source_id"]][1]) if r["source_id"] in OUTLETS else r for r in rs])
    return dest


@pytest.fixture(scope="module")
def d(small):
    return load(small)


def test_texts_of_one_outlet_count_once_and_a_text_relaying_one_outlet_carries_its_report(d):
    r = outlets.reporting(d, ["agg-07", "agg-10", "agg-04", "agg-11"])
    assert r.outlets == ("Bloomberg", "CNBC", "Reuters") and r.relayed == 1 and r.unnamed == 0 and r.n_texts == 4
    assert dict(r.by_outlet) == {"Bloomberg": ("agg-07", "agg-10"), "CNBC": ("agg-04",), "Reuters": ("agg-11",)}
    assert outlets.reported_by(d, ["agg-07", "agg-10", "agg-04", "agg-11"]) == "reported by Bloomberg, CNBC and Reuters, relayed by one more"


def test_a_text_naming_its_outlet_is_that_outlets_report_whatever_it_credits(d):
    assert outlets.reporting(d, ["agg-14"]).outlets == ("Example Wire",)
    assert outlets.reported_by(d, ["agg-04"]) == "reported by CNBC"


def test_a_text_relaying_several_outlets_adds_none(d):
    assert outlets.reported_by(d, ["agg-11", "agg-09"]) == "reported by Reuters, relayed by one more"
    r = outlets.reporting(d, ["agg-08"])
    assert r.outlets == () and r.credited == ("Bloomberg", "PitchBook", "Reuters")
    assert r.text() == "reported in one text crediting Bloomberg, PitchBook and Reuters"


def test_no_outlet_is_invented_for_a_text_that_names_none(d):
    r = outlets.reporting(d, ["doc-001", "doc-003"])
    assert r.outlets == () and r.unnamed == 2
    assert r.text() == "reported in two texts that name no outlet"
    mixed = outlets.reported_by(d, ["agg-07", "agg-10", "doc-001"])
    assert mixed == "reported by Bloomberg, relayed by one more, and in one text that names no outlet"


def test_readings_and_check_variants_count_reports_not_excerpts(d):
    checks = run_checks(d)
    [inv] = [x for x in disagreements.figure_disagreements(d) if x["metric"] == "meta_investment_usd"]
    assert {v["value"]: v["reported_by"] for v in inv["versions"]} == {
        "$14.3 billion": "reported by Example Wire", "$14.8 billion": "reported in one text that names no outlet"}
    text = disagreements.reading(inv, checks)
    assert "$14.8 billion, reported in one text that names no outlet" in text and "$14.3 billion, reported by Example Wire" in text
    assert "of 2" not in text and "sources" not in text, text
    variant = checks.query("check == 'implied-valuation' and variant_metric == 'meta_investment_usd'").iloc[0]["variant"]
    assert variant.endswith((", as reported by Example Wire", ", as reported in one text that names no outlet")), variant
    for dis in disagreements.claim_disagreements(d) + disagreements.event_disagreements(d):
        assert dis["reported_by"].startswith("reported ") and all(v["reported_by"].startswith("reported ") for v in dis["versions"])


def test_a_hedge_is_counted_in_texts(d):
    rows = d.figures[d.figures["metric"] == "meta_stake_pct"].assign(qualifier=["about", ""])
    assert qualified(49, "percent", rows) == "49% (\u2018about\u2019 in 1 of 2 texts)"


# ---------------------------------------------------------------- issue 28 (11): a credit is the quote's, and a caveat travels


def test_a_text_relays_an_outlet_only_for_what_its_quote_credits_to_it(d):
    """agg-11 credits Reuters for other sentences: its '$14 billion' in its own voice is no Reuters report."""
    assert outlets.reported_by(d, ["agg-11"], ["up from $14 billion before the deal"]) == "reported in one text that names no outlet"
    assert outlets.reported_by(d, ["agg-11"], ["after Meta acquired a 49% stake, according to Reuters"]) == "reported by Reuters"
    assert outlets.reporting(d, ["agg-08"], ["Meta announced a $14.8 billion deal for a 49% ownership stake"]).credited == ()
    assert outlets.reporting(d, ["agg-08"], ["According to PitchBook, it raised $100 million"]).outlets == ("PitchBook",)


def test_the_key_figures_credit_only_what_the_quotes_credit(small, tmp_path):
    from briefing.drawing import record

    dest = tmp_path / "data"
    shutil.copytree(small, dest)
    rewrite(dest / "figures.csv", lambda rs: [dict(r, quote="Meta announced a $14.8 billion deal") if r["figure_id"] == "fig-agg08-meta-investment" else r
                                              for r in rs])
    shown = str(record.key_figures_block(load(dest)))
    assert "PitchBook" not in shown and "crediting" not in shown, shown


def test_an_outlet_named_only_by_the_collection_readme_keeps_its_caveat(small, tmp_path):
    dest = tmp_path / "data"
    shutil.copytree(small, dest)
    rewrite(dest / "sources.csv", lambda rs: [dict(r, outlet_basis=README) if r["source_id"] in ("agg-07", "agg-10") else r for r in rs])
    assert outlets.reported_by(load(dest), ["agg-07", "agg-10"]) == "reported by Bloomberg (per the collection's README), relayed by one more"
