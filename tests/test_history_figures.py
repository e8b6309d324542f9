"""Figures in time: a coarser restatement of a value ("about $14 billion" for
$14.3 billion) is that value told less precisely, not another version. On copies of the fixtures, built the way a
re-runner would (rows appended to the CSVs), never the committed data; every added row is synthetic."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from briefing.data import rounding
from briefing.data.dataset import load
from briefing.drawing import record
from briefing.story import disagreements, ranking

LATER = ROOT / "tests" / "fixtures" / "later_news"
SMALL = ROOT / "tests" / "fixtures" / "small_data"


def copy(src: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(src, dest)
    return dest


def append(path: Path, *rows: dict) -> int:
    """Rows appended to a CSV, unknown columns empty; returns the line of the first one."""
    with open(path, encoding="utf-8", newline="") as f:
        data = list(csv.DictReader(f))
    fields = list(data[0])
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    w.writerows(data + [{k: r.get(k, "") for k in fields} for r in rows])
    path.write_text(out.getvalue(), encoding="utf-8")
    return len(data) + 2


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
