"""Periods of a figure (data.place_figures): nested periods are one value told at different precision, or a
disagreement about the more precise period; later periods are a series; one value tied to different periods is
a disagreement about the period, never an earlier value. On copies of the fixtures, never the committed data."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from briefing.data.dataset import load
from briefing.data.periods import nested, period_span
from briefing.story.disagreements import figure_disagreements, reading

LATER = ROOT / "tests" / "fixtures" / "later_news"
SMALL = ROOT / "tests" / "fixtures" / "small_data"
CEILING = "cdao_ceiling_usd"


def copy(src: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(src, dest)
    return dest


def rewrite(path: Path, edit) -> None:
    with open(path, encoding="utf-8", newline="") as f:
        data = list(csv.DictReader(f))
    fields = list(data[0])
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    w.writerows(edit(data))
    path.write_text(out.getvalue(), encoding="utf-8")


def ceiling(data: Path, *rows: tuple[str, str, str]) -> Path:
    """The later-news copy with the ceiling figures replaced by (value in millions, period, source_id) rows."""
    def edit(figs):
        template = next(r for r in figs if r["metric"] == CEILING)
        kept = [r for r in figs if r["metric"] != CEILING]
        return kept + [dict(template, figure_id=f"fig-test-ceiling-{i}", value=v, period=p, source_id=s,
                            quote=f"a ceiling of ${v} million", note="") for i, (v, p, s) in enumerate(rows)]
    rewrite(data / "figures.csv", edit)
    return data


def disagreements(d, metric: str) -> list[dict]:
    return [x for x in figure_disagreements(d) if x["metric"] == metric]


def test_periods_have_spans_and_nest():
    assert period_span("2025") == (period_span("2025-01")[0], period_span("2025-12")[1])
    assert str(period_span("2024-02")[1]) == "2024-02-29"
    assert nested("2025-09-17", "2025-09") and nested("2025-09", "2025") and nested("2025-09-17", "2025")
    assert not nested("2025-09", "2025-09-17") and not nested("2025-10-01", "2025-09") and not nested("2026", "2025")


@pytest.mark.parametrize("coarse", ["2025-09", "2025"])
def test_a_day_inside_its_month_or_year_with_the_same_value_is_one_value(tmp_path, coarse):
    d = load(ceiling(copy(LATER, tmp_path), ("100", "2025-09-17", "news-0930"), ("100", coarse, "news-1002")))
    [value] = d.series(CEILING)
    assert value.period == "2025-09-17", "the more precise period dates it"
    assert value.text() == "$100 million" and value.n_sources == value.n_total == 2 and not value.disputed
    assert disagreements(d, CEILING) == [], "the same value at a lower precision is no disagreement"


def test_nested_periods_with_different_values_are_a_disagreement_about_that_period(tmp_path):
    d = load(ceiling(copy(LATER, tmp_path), ("100", "2025-09-17", "news-0930"), ("150", "2025-09", "news-1002")))
    [value] = d.series(CEILING)
    assert value.period == "2025-09-17" and value.disputed and value.n_total == 2
    assert value.text() == "$100 million", "a tie goes to the value dated most precisely"
    [dis] = disagreements(d, CEILING)
    assert dis["kind"] == "value" and dis["period"] == "September 17, 2025"
    assert [(v["value"], v["period"]) for v in dis["versions"]] == [("$100 million", "September 17, 2025"), ("$150 million", "September 2025")]
    text = reading(dis)
    assert "$100 million for September 17, 2025" in text and "$150 million for September 2025" in text
    assert "dated most precisely" in text and "when it applies" not in text


def test_a_later_period_that_does_not_overlap_is_a_series(tmp_path):
    d = load(ceiling(copy(LATER, tmp_path), ("100", "2025-09", "news-0930"), ("100", "2025-09-30", "news-1002"), ("500", "2026-05-06", "news-0506")))
    fact = d.fact(CEILING)
    assert fact.period == "2026-05-06" and fact.text() == "$500 million" and not fact.disputed
    assert [(v.period, v.text(), v.n_sources) for v in fact.history] == [("2025-09-30", "$100 million", 2)]
    assert fact.previous.period == "2025-09-30"
    assert disagreements(d, CEILING) == [], "a change over time is not a dispute"


def test_the_same_value_again_later_is_a_series_when_the_earlier_text_could_not_know_the_later_period(tmp_path):
    d = load(ceiling(copy(LATER, tmp_path), ("100", "2025-09", "news-0930"), ("100", "2026-05", "news-0506")))
    assert [v.period for v in d.series(CEILING)] == ["2025-09", "2026-05"]
    assert d.fact(CEILING).previous is None, "no change"
    assert disagreements(d, CEILING) == []


def test_a_value_coming_back_after_another_is_a_series(tmp_path):
    d = load(ceiling(copy(LATER, tmp_path), ("100", "2025-09", "news-0930"), ("200", "2025-11", "news-1120"), ("100", "2026-05", "news-0506")))
    assert [(v.period, v.text()) for v in d.series(CEILING)] == [("2025-09", "$100 million"), ("2025-11", "$200 million"), ("2026-05", "$100 million")]
    assert disagreements(d, CEILING) == []


def google_plan(tmp_path: Path) -> Path:
    """small_data with Google's planned $200 million tied to 2025 by three texts and to 2024 by one written in 2025."""
    data = copy(SMALL, tmp_path)

    def edit(figs):
        template = next(r for r in figs if r["metric"] == "google_planned_spend_usd")
        return figs + [dict(template, figure_id="fig-test-plan-agg09", source_id="agg-09"),
                       dict(template, figure_id="fig-test-plan-agg12", source_id="agg-12", quote="approximately $200 million this year", qualifier="about"),
                       dict(template, figure_id="fig-test-plan-doc001", source_id="doc-001", period="2024", quote="$200 million in 2024", qualifier="")]
    rewrite(data / "figures.csv", edit)
    return data


def test_a_minority_reading_of_the_period_is_a_disagreement_not_an_earlier_value(tmp_path):
    d = load(google_plan(tmp_path))
    fact = d.fact("google_planned_spend_usd")
    assert fact.period == "2025" and fact.text(qualified=False) == "$200 million"
    assert fact.history == () and fact.previous is None, "the 2024 reading is not an earlier value"
    assert (fact.n_sources, fact.n_total) == (3, 4) and fact.disputed, "the fourth source is counted, and the figure marked disputed"
    [dis] = disagreements(d, "google_planned_spend_usd")
    assert dis["kind"] == "period" and dis["n_sources"] == 4
    assert [(v["period"], v["source_ids"], v["majority"]) for v in dis["versions"]] == [("2025", ["agg-09", "agg-12", "agg-14"], True), ("2024", ["doc-001"], False)]
    text = reading(dis)
    assert text.startswith("The sources agree on $200 million but not on when it applies") and "2025" in text and "2024" in text

