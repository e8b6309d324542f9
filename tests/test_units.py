"""Unit tests of the package's logic: formatting, facts, prose, checks, disagreements, changes."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from conftest import DATA, ROOT

from briefing.data import fmt
from briefing.data.dataset import load
from briefing.data.schema import data_dictionary, load_schema
from briefing.drawing.say import say, versions_text
from briefing.story import changes, checks, disagreements


@pytest.fixture(scope="module")
def d():
    return load(DATA)


def rewrite(path: Path, fn) -> None:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    fields = list(rows[0].keys())
    rows = fn(rows)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


# ---------------------------------------------------------------- formatting

@pytest.mark.parametrize("amount,short,text", [
    (14.3e9, False, "$14.3 billion"), (14.3e9, True, "$14.3B"), (29e9, True, "$29B"), (870e6, False, "$870 million"),
    (120e6, True, "$120M"), (14.8e9, False, "$14.8 billion"), (1.25e9, False, "$1.25 billion"), (50e6, True, "$50M"),
])
def test_money_reads_like_a_newsroom(amount, short, text):
    assert fmt.money(amount, short) == text


def test_other_units():
    assert fmt.number(49, "percent") == "49%"
    assert fmt.number(2016, "year") == "2016"
    assert fmt.number(2, "rank") == "2nd"
    assert fmt.number(3, "multiple") == "3x"
    assert fmt.number(2, "weeks") == "2 weeks"
    assert fmt.date_text("2025-06-12") == "June 12, 2025"
    assert fmt.date_text("2025-06-12", "week") == "between June 12 and 18, 2025"  # a window from the first possible day
    assert fmt.date_text("2025-06-12", "week", "2025-06-15") == "between June 12 and 15, 2025"
    assert fmt.date_text("2025-06-28", "week") == "between June 28 and July 4, 2025"
    assert fmt.share(200e6 / 870e6) == "23%"


# ---------------------------------------------------------------- facts from the real data

def test_consensus_is_the_value_most_sources_give(d):
    inv = d.fact("meta_investment_usd")
    assert inv.text() == "$14.3 billion"
    assert "agg-08" not in inv.source_ids  # the only source with $14.8 billion
    assert inv.n_total > inv.n_sources  # the dissent is counted, not dropped
    assert d.fact("meta_stake_pct").text() == "49%"
    assert d.fact("valuation_post_usd").text(short=True) == "$29B"
    assert d.fact("valuation_pre_usd").text(short=True) == "$14B"
    assert d.fact("scale_revenue_usd").period == "2024"


def test_as_of_filters_every_table():
    early = load(DATA, "2025-06-13")
    assert (early.events["date"] <= "2025-06-13").all()
    assert (early.relationships["as_of"] <= "2025-06-13").all()
    assert (early.figures["known_from"] <= "2025-06-13").all()
    google = early.relationships[early.relationships["party"] == "Google"]
    assert "plans to cut ties" in set(google["status"])  # Reuters' report is in
    openai = early.relationships[early.relationships["party"] == "OpenAI"]
    assert not ((openai["status"] == "winding down") & (openai["evidence"] == "confirmed")).any()  # June 18 is not
    none = load(DATA, "2025-01-01")
    assert none.empty and none.fact("meta_investment_usd") is None


# ---------------------------------------------------------------- prose

def test_say_fills_figures_with_citations(d):
    html = str(say(d, "Meta invested {meta_investment_usd} for {meta_stake_pct}."))
    assert "$14.3 billion" in html and "49%" in html
    assert re.search(r'<sup class="cite">\[<a href="#src-', html)


def test_say_drops_a_sentence_whose_figure_is_missing():
    early = load(DATA, "2025-01-01")
    assert str(say(early, "Meta invested {meta_investment_usd}.", "Plain words stay.")) == "<p>Plain words stay.</p>"


def test_say_escapes_its_template_and_never_makes_math(d):
    html = str(say(d, "<b>{meta_investment_usd}</b> and $x^2$"))
    assert "&lt;b&gt;" in html and "$x^2$" in html


def test_versions_lists_every_value_with_sources(d):
    text = versions_text(d, "google_spend_usd")
    assert "$120 million" in text and "$150 million" in text and text.count('class="cite"') == 2


def test_no_number_is_typed_into_the_notebooks():
    """Markdown cells and say() templates carry no digits: every figure comes from data/."""
    for nb_path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(nb_path.read_text())
        for cell in nb["cells"]:
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            if "parameters" in cell.get("metadata", {}).get("tags", []):
                continue
            if cell["cell_type"] == "markdown":
                text = re.sub(r"<!--.*?-->", "", src, flags=re.DOTALL)
                assert not re.search(r"\d", text), f"{nb_path.name}: digit in markdown: {text[:80]}"
            for literal in re.findall(r'"((?:[^"\\]|\\.)*)"', src):
                prose = re.sub(r"\{[^}]*\}", "", literal)  # placeholders may name metrics and event ids
                assert not re.search(r"\d", prose), f"{nb_path.name}: digit typed into prose: {literal[:80]}"


def test_notebooks_are_committed_clean_with_a_parameters_cell_and_kernel():
    for nb_path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(nb_path.read_text())
        assert nb["metadata"]["kernelspec"]["name"] == "scale-briefing"
        tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1 and all(p in "".join(tagged[0]["source"]) for p in ("data_dir", "as_of", "base"))
        assert all(not c.get("outputs") and not c.get("execution_count") for c in nb["cells"] if c["cell_type"] == "code")
        assert all(len("".join(c["source"]).splitlines()) <= 12 for c in nb["cells"]), f"{nb_path.name}: a cell doing real work"


# ---------------------------------------------------------------- checks and disagreements

def test_checks_show_the_arithmetic_and_fail_the_variant(d):
    res = checks.run_checks(d)
    implied = res[res["check"] == "implied-valuation"]
    consensus = implied[implied["variant_metric"] == ""].iloc[0]
    assert consensus["verdict"] == "pass" and consensus["shown"] == "$29.2B"
    assert consensus["inputs"] == "Meta's investment in Scale AI = $14.3B; Meta's non-voting stake in Scale AI = 49%"  # labels, not keys
    variant = implied[implied["variant_metric"] == "meta_investment_usd"].iloc[0]
    assert variant["verdict"] == "fail" and variant["shown"] == "$30.2B" and "agg-08" in variant["sources"]
    assert variant["variant"] == "with Meta's investment in Scale AI at $14.8B, as reported in one text that names no outlet"
    jump = res[(res["check"] == "valuation-jump") & (res["variant_metric"] == "")].iloc[0]
    assert jump["shown"] == "2.07x"
    share = res[(res["check"] == "google-planned-share") & (res["variant_metric"] == "")].iloc[0]
    assert share["shown"] == "23%" and share["verdict"] == "info"
    assert "(2025)" in share["inputs"] and "(2024)" in share["inputs"], "a share across two years says which years"


def test_a_figure_that_breaks_a_check_shows_as_failing(data_copy):
    rewrite(data_copy / "figures.csv", lambda rows: [dict(r, value="40") if r["metric"] == "valuation_post_usd" else r for r in rows])
    res = checks.run_checks(load(data_copy))
    row = res[(res["check"] == "implied-valuation") & (res["variant_metric"] == "")].iloc[0]
    assert row["verdict"] == "fail" and row["expected_shown"] == "$40B"


def test_evaluate_allows_arithmetic_only():
    assert checks.evaluate("a / b + 1", {"a": 6, "b": 3}) == 3
    with pytest.raises(ValueError):
        checks.evaluate("__import__('os')", {})


def test_disagreements_keep_each_version(d):
    dis = {x["metric"]: x for x in disagreements.figure_disagreements(d)}
    inv = dis["meta_investment_usd"]
    assert [v["value"] for v in inv["versions"]][:2] == ["$14.3 billion", "$14.8 billion"]
    assert inv["versions"][1]["source_ids"] == ["agg-08"]
    reading = disagreements.reading(inv, checks.run_checks(d))
    assert "$14.8 billion, reported in one text that names no outlet" in reading and "fails the arithmetic check" in reading
    periods = {v["period"] for v in dis["google_planned_spend_usd"]["versions"]}
    assert {"2024", "2025"} <= periods  # the year of Google's planned $200 million
    assert "google_spend_usd" in set(dis) and "valuation_post_usd" not in dis  # "$29 billion" vs "over $29 billion" is no dispute


def test_status_disagreements_are_moments_and_a_later_account_settles_them(d):
    stats = {s["party"]: s for s in disagreements.status_disagreements(d)}
    openai = stats["OpenAI"]  # June 12-15: the CFO's 'continuing' against Reuters' 'winding down'; June 18 settles it
    assert {v["status"] for v in openai["versions"]} == {"continuing as one of several vendors", "winding down"}
    assert openai["settled"] and openai["now"]["status"] == "winding down" and openai["now"]["evidence"] == "confirmed"
    assert "Microsoft" not in stats  # 'considering' and 'distancing itself' point the same way: one account, in other words


def test_no_disagreements_in_agreeing_data(data_copy):
    rewrite(data_copy / "figures.csv", lambda rows: [r for r in rows if r["metric"] == "meta_stake_pct"])
    rewrite(data_copy / "relationships.csv", lambda rows: rows[:1])
    d2 = load(data_copy)
    assert disagreements.figure_disagreements(d2) == [] and disagreements.status_disagreements(d2) == []


# ---------------------------------------------------------------- what changed

def test_compare_reads_as_changes(data_copy):
    old = load(data_copy)
    rewrite(data_copy / "relationships.csv", lambda rows: rows + [dict(rows[-1], relationship_id="rel-xai-staying", party="xAI", role="client", status="staying",
                                                                             direction="toward", evidence="confirmed", as_of="2026-02-02", as_of_basis="stated",
                                                                             event_id="", speaker="xAI", quote="xAI said it is staying")])
    rewrite(data_copy / "figures.csv", lambda rows: rows + [dict(next(r for r in rows if r["metric"] == "valuation_post_usd"), figure_id="fig-new-valuation", value="40", period="2026-05-06")])
    texts = [c["text"] for c in changes.compare(old, load(data_copy))]
    was = old.latest_status(["client"]).set_index("party").loc["xAI", "status"]  # the lead of xAI's latest moment (data.history)
    assert f"xAI: {was} \u2192 staying (confirmed, February 2, 2026)" in texts, texts
    assert texts.index(f"xAI: {was} \u2192 staying (confirmed, February 2, 2026)") < texts.index("Scale AI's valuation after the deal: $29 billion \u2192 $40 billion (May 6, 2026)")
    assert "Scale AI's valuation after the deal: $29 billion \u2192 $40 billion (May 6, 2026)" in texts, texts
    assert changes.compare(old, old) == []


# ---------------------------------------------------------------- schema and README

def test_readme_dictionary_matches_the_schema():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert data_dictionary(load_schema(DATA / "datapackage.json")).strip() in readme, "run: make dictionary, paste into README"
