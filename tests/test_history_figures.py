"""Figures in time, for checks and restatements: a check formula can pin an input to a period (metric@2025-07) or to
the period of its first unpinned input (metric@same); a coarser restatement of a value ("about $14 billion" for
$14.3 billion) is that value told less precisely, not another version. On copies of the fixtures, built the way a
re-runner would (rows appended to the CSVs), never the committed data; every added row is synthetic."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, append_rows

from briefing.data import rounding
from briefing.data.dataset import load
from briefing.data.formula import FormulaError, parse
from briefing.data.problems import DataError
from briefing.data.validate import validate
from briefing.drawing import record
from briefing.story import checks, disagreements, ranking

LATER = ROOT / "tests" / "fixtures" / "later_news"
SMALL = ROOT / "tests" / "fixtures" / "small_data"


def copy(src: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(src, dest)
    return dest


def append(path: Path, *rows: dict) -> int:
    """Rows appended to a CSV, unknown columns empty; returns the line of the first one."""
    return append_rows(path, list(rows))


# ---------------------------------------------------------------- checks that pin a period

CUT_PCT = {"metric": "staff_cut_pct", "label": "Share of Scale AI's staff cut", "description": "Synthetic test metric.", "unit": "percent", "lead": "", "key_figure": "yes"}
CUT_COUNT = {"metric": "staff_cut_count", "label": "Scale AI's staff cut", "description": "Synthetic test metric.", "unit": "count", "lead": "", "key_figure": "yes"}


def staff_cut(tmp_path: Path, formula: str, cut_period: str = "2025-07", extra_figures=()) -> Path:
    """later_news (about 1,400 staff in July 2025, more than 1,000 in November) with a July cut of 200 people, the
    reported 14%, and a check of the one against the other."""
    data = copy(LATER, tmp_path)
    append(data / "metrics.csv", CUT_PCT, CUT_COUNT)
    append(data / "figures.csv",
           {"figure_id": "fig-test-cut-pct", "metric": "staff_cut_pct", "entity": "Scale AI", "value": "14", "unit": "percent", "scale": "one",
            "period": "2025-07", "source_id": "news-0716", "quote": "laid off 14% of its staff"},
           {"figure_id": "fig-test-cut-count", "metric": "staff_cut_count", "entity": "Scale AI", "value": "200", "unit": "count", "scale": "one",
            "period": cut_period, "source_id": "news-0716", "quote": "200 people (synthetic)"}, *extra_figures)
    append(data / "checks.csv", {"check_id": "staff-cut-share", "label": "Share of staff cut in July 2025", "formula": formula,
                                 "expected": "staff_cut_pct", "tolerance": "0.05", "show": "share"})
    return data


def cut_check(data: Path):
    res = checks.run_checks(load(data))
    return res[res["check"] == "staff-cut-share"]


def test_without_a_pin_the_check_takes_the_current_value_and_says_the_periods_differ(tmp_path):
    base = cut_check(staff_cut(tmp_path, "staff_cut_count / scale_headcount")).iloc[0]
    assert base["shown"] == "20%" and base["verdict"] == "fail", "November's headcount: the re-runner's case"
    assert "The inputs are for different periods" in base["note"]


def test_a_pinned_period_divides_by_that_periods_value(tmp_path):
    res = cut_check(staff_cut(tmp_path, "staff_cut_count / scale_headcount@2025-07"))
    base = res[res["variant_metric"] == ""].iloc[0]
    assert base["shown"] == "14%" and base["verdict"] == "pass", "200 of about 1,400, not of more than 1,000"
    assert "Scale AI's staff (July 2025) = about 1,400" in base["inputs"]
    assert "different periods" not in base["note"]
    assert list(res["variant_metric"]) == [""], "November's 1,000 is history, not another value for July"


@pytest.mark.parametrize("cut_period", ["2025-07", "2025-07-16"])
def test_same_takes_the_period_of_the_first_unpinned_input(tmp_path, cut_period):
    base = cut_check(staff_cut(tmp_path, "staff_cut_count / scale_headcount@same", cut_period)).iloc[0]
    assert base["shown"] == "14%" and base["verdict"] == "pass", "a day of July and July are one period"


def test_a_value_given_for_a_day_inside_the_pinned_month_counts(tmp_path):
    data = staff_cut(tmp_path, "staff_cut_count / scale_headcount@2025-08", extra_figures=[
        {"figure_id": "fig-test-headcount-aug", "metric": "scale_headcount", "entity": "Scale AI", "value": "1250", "unit": "employees",
         "scale": "one", "period": "2025-08-15", "source_id": "news-0930", "quote": "1,250 employees (synthetic)"}])
    base = cut_check(data).iloc[0]
    assert "Scale AI's staff (August 15, 2025) = 1,250" in base["inputs"] and base["shown"] == "16%"


def test_a_pinned_period_the_data_does_not_give_cannot_be_computed(tmp_path):
    [row] = cut_check(staff_cut(tmp_path, "staff_cut_count / scale_headcount@2025-09")).to_dict("records")
    assert row["verdict"] == "n/a" and pd.isna(row["result"])
    assert row["shown"] == "cannot be computed (no value of Scale AI's staff for September 2025 in this edition)"
    assert "Scale AI's staff (September 2025) = not in this edition's data" in row["inputs"]


def test_a_pinned_input_keeps_its_variants_for_that_period(tmp_path):
    data = staff_cut(tmp_path, "staff_cut_count / scale_headcount@2025-07", extra_figures=[
        {"figure_id": "fig-test-headcount-july-other", "metric": "scale_headcount", "entity": "Scale AI", "value": "1600", "unit": "employees",
         "scale": "one", "period": "2025-07", "source_id": "news-0930", "quote": "1,600 employees in July (synthetic)"}])
    res = cut_check(data)
    variant = res[res["variant_metric"] == "scale_headcount"]
    assert len(variant) == 1 and "at 1,600 employees for July 2025" in variant.iloc[0]["variant"]
    assert variant.iloc[0]["shown"] == "12%" and variant.iloc[0]["verdict"] == "fail"


def test_two_periods_of_one_metric_in_one_formula(tmp_path):
    data = staff_cut(tmp_path, "staff_cut_count / scale_headcount@2025-07")
    append(data / "checks.csv", {"check_id": "headcount-change", "label": "Staff lost between July and November", "formula":
                                 "scale_headcount@2025-07 - scale_headcount@2025-11", "show": "ratio"})
    row = checks.run_checks(load(data)).query("check == 'headcount-change'").iloc[0]
    assert row["result"] == 400 and "(July 2025) = about 1,400" in row["inputs"] and "(November 2025) = more than 1,000" in row["inputs"]


@pytest.mark.parametrize("formula,message", [
    ("staff_cut_count / scale_headcount@2025-13", "the pin '2025-13' of scale_headcount is not a period"),
    ("staff_cut_count / scale_headcount@july", "the pin 'july' of scale_headcount is not a period"),
    ("staff_cut_count / scale_headcount@", "'scale_headcount@' names no period"),
    ("staff_cut_count@same / scale_headcount@2025-07", "@same takes the period of an input without a pin"),
    ("staff_cut_count ** 2", "is not arithmetic"),
    (" + ".join(["staff_cut_count"] * 5000), "characters long (at most 500"),
    ("+".join(["1"] * 60) + " * staff_cut_count", "is too long (more than 100"),
])
def test_a_bad_formula_is_one_problem_at_its_line(tmp_path, formula, message):
    data = staff_cut(tmp_path, formula)
    _, problems = validate(data)
    [p] = [str(p) for p in problems if p.path.endswith("checks.csv")]
    line = len((data / "checks.csv").read_text(encoding="utf-8").splitlines())
    assert p.startswith(f"{data}/checks.csv:{line}: formula: ") and message in p and "\n" not in p
    with pytest.raises(DataError):
        load(data)


def test_the_grammar_is_one_parser_with_a_bound():
    f = parse("a / (b@2025-07 - b@same) * 2")
    assert [i.key for i in f.inputs] == ["a", "b@2025-07", "b@same"] and f.names == ["a", "b"] and f.reference.key == "a"
    assert f.evaluate({"a": 6, "b@2025-07": 5, "b@same": 2}) == 4
    assert checks.metric_names("a / b@2025") == ["a", "b"]
    for bad in ["__import__('os')", "a.b", "a[0]", "f(a)", "1e3", "a @ b", "(" * 40 + "a" + ")" * 40]:
        with pytest.raises(FormulaError):
            parse(bad)


# ---------------------------------------------------------------- a rounded restatement is the same value

INVESTMENT = "meta_investment_usd"


def restate(data: Path, value: str, qualifier: str = "about", source: str = "news-0202", metric: str = INVESTMENT,
            scale: str = "billion", period: str = "", figure_id: str = "fig-test-restated") -> Path:
    append(data / "figures.csv", {"figure_id": figure_id, "metric": metric, "entity": "Meta", "value": value, "unit": "USD", "scale": scale,
                                  "qualifier": qualifier, "period": period, "source_id": source,
                                  "quote": f"{qualifier + ' ' if qualifier else ''}${value} {scale} (synthetic)"})
    return data


def investment(d) -> list[dict]:
    return [x for x in disagreements.figure_disagreements(d) if x["metric"] == INVESTMENT]


def test_decimals_as_written():
    assert [rounding.decimals(t) for t in ["14", "14.3", "14.30", "1.4e3", "0.49"]] == [0, 1, 2, -2, 2]


@pytest.mark.parametrize("qualifier", ["about", ""])
def test_a_rounded_restatement_joins_the_value_it_rounds_from(tmp_path, qualifier):
    d = load(restate(copy(LATER, tmp_path), "14", qualifier))  # beside $14.3 billion (agg-14) and $14.8 billion (agg-08)
    fact = d.fact(INVESTMENT)
    assert fact.text() == "$14.3 billion", "the precise value leads, with the restatement's source"
    assert (fact.n_sources, fact.n_total, fact.source_ids) == (2, 3, ("agg-14", "news-0202"))
    [dis] = investment(d)
    assert [(v["value"], v["source_ids"]) for v in dis["versions"]] == [("$14.3 billion", ["agg-14", "news-0202"]), ("$14.8 billion", ["agg-08"])]
    given = f"{qualifier + ' ' if qualifier else ''}$14 billion"
    assert dis["versions"][0]["restated"] == [{"value": given, "source_ids": ["news-0202"], "quote": f"{given} (synthetic)"}]
    assert len(dis["versions"]) == 2 and dis["n_sources"] == 3, "no third version; every source counted"
    # the appendix lists it with its quote, under the value it restates
    html = str(record.disagreements_block(d))
    assert f"; given as {given}" in html
    # and a check does not run it as another value of the input
    assert not checks.run_checks(d)["variant"].str.contains("14B").any()


def test_a_restatement_alone_is_no_dispute(tmp_path):
    data = restate(copy(LATER, tmp_path), "1.9", "", source="news-1120", metric="scale_revenue_usd", period="2025")  # beside "just under $2 billion"
    d = load(data)
    fact = d.fact("scale_revenue_usd")
    assert fact.text() == "$1.9 billion" and fact.n_sources == fact.n_total == 2 and not fact.disputed, "never led by the coarser value"
    assert not [x for x in disagreements.figure_disagreements(d) if x["metric"] == "scale_revenue_usd"]
    assert not [q for x in ranking.disputes(d) for q in x.questions if "revenue" in q.sentence]


@pytest.mark.parametrize("value", ["2.6", "2.5"])
def test_a_value_that_does_not_round_to_the_other_is_still_a_dispute(tmp_path, value):
    # 2.6 and 2.5 round (half up) to 3, not to the "just under $2 billion" of news-0202
    d = load(restate(copy(LATER, tmp_path), value, "", source="news-1120", metric="scale_revenue_usd", period="2025"))
    [dis] = [x for x in disagreements.figure_disagreements(d) if x["metric"] == "scale_revenue_usd"]
    assert sorted(v["value"] for v in dis["versions"]) == [f"${value} billion", "just under $2 billion"]
    assert d.fact("scale_revenue_usd").disputed


def test_a_coarse_value_beside_a_value_that_rounds_elsewhere_is_a_dispute(tmp_path):
    data = copy(LATER, tmp_path)
    rows = (data / "figures.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (data / "figures.csv").write_text("".join(r for r in rows if not r.startswith("fig-agg14-meta-investment")), encoding="utf-8")
    d = load(restate(data, "14"))  # only $14.8 billion left: it rounds to $15 billion
    [dis] = investment(d)
    assert sorted(v["value"] for v in dis["versions"]) == ["$14.8 billion", "about $14 billion"]


def test_a_rounding_of_two_versions_supports_neither(tmp_path):
    data = restate(copy(LATER, tmp_path), "14.4", "", source="news-1120", figure_id="fig-test-investment-144")
    d = load(restate(data, "14"))
    fact = d.fact(INVESTMENT)
    assert fact.n_total == 3 and fact.n_sources == 1, "the rounding counts toward no version"
    [dis] = investment(d)
    assert sorted(v["value"] for v in dis["versions"]) == ["$14.3 billion", "$14.4 billion", "$14.8 billion"]
    assert all(v["restated"] == [] for v in dis["versions"])
    assert dis["roundings"] == [{"value": "about $14 billion", "of": ["$14.3 billion", "$14.4 billion"], "source_ids": ["news-0202"],
                                 "quote": "about $14 billion (synthetic)"}]
    assert "a rounding of $14.3 billion and of $14.4 billion, so it supports neither alone" in str(record.disagreements_block(d))
