"""A synthetic year of later news added to the current data/ the way a re-runner adds it (tests/fixtures/year_on,
appended by scripts/add_rows.py; texts in tests/fixtures/year_on_texts): a status change for an existing party, a
party with two roles, a later claim on an existing topic, month-only texts, a headcount series, a rounded
restatement. Every expectation is counted from the rows, not typed: histories are not disputes, one count of
who is moving everywhere on the page, no month printed as a day, every quote verbatim in its text."""

from __future__ import annotations

import csv
import html as htmllib
import importlib.util
import re
import shutil

import pytest
from conftest import DATA, ROOT, make, visible_text

from briefing.data.dataset import load
from briefing.drawing import copydesk
from briefing.story import ranking

YEAR = ROOT / "tests" / "fixtures" / "year_on"
TEXTS = ROOT / "tests" / "fixtures" / "year_on_texts"
WORDS = {1: "One", 2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six", 7: "Seven", 8: "Eight", 9: "Nine"}


def _add_rows():
    spec = importlib.util.spec_from_file_location("add_rows", ROOT / "scripts" / "add_rows.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.add_rows


def rows(name: str) -> list[dict]:
    path = YEAR / f"{name}.csv"
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    root = tmp_path_factory.mktemp("year")
    data = _add_rows()(DATA, YEAR, root / "data")
    base = root / "last-edition"
    shutil.copytree(DATA, base)
    proc = make(f"BUILD={root / 'out'}", f"DATA={data}", f"BASE={base}", check=True)
    page = (root / "out" / "briefing.html").read_text(encoding="utf-8")
    return {"data": data, "d": load(data), "log": proc.stdout + proc.stderr, "page": page,
            "story": visible_text(page.split('id="appendix"')[0]), "text": visible_text(page)}


def test_every_quote_is_verbatim_in_its_synthetic_text():
    docs = {r["source_id"]: (TEXTS / r["document"]).read_text(encoding="utf-8") for r in rows("sources")}
    for name in ("events", "figures", "relationships", "claims"):
        for r in rows(name):
            sid = (r.get("source_ids") or r.get("source_id")).split(";")[0]
            assert r["quote"] in docs[sid], (name, r.get("quote"))


def test_the_year_on_story_passes_the_copy_desk(year):
    """The copy desk's checks (briefing/drawing/copydesk.py) on the story of an edition a year on."""
    story = year["page"].split('id="appendix"')[0]
    assert copydesk.faults(story, list(year["d"].metrics["label"])) == []


def test_later_statuses_and_claims_are_histories_not_disputes(year):
    d = year["d"]
    base = load(DATA)
    first_seen = base.relationships.groupby(["party", "role"])["_last"].max()
    moved_on = {r["party"] for r in rows("relationships") if (r["party"], r["role"]) in first_seen.index
                and r["as_of"] > first_seen[(r["party"], r["role"])]}
    assert moved_on, "the fixture has later statuses of parties already in the data"
    new_disputes = {q.subject for q in ranking.questions(d) if q.kind == "status"} - {q.subject for q in ranking.questions(base) if q.kind == "status"}
    assert not moved_on & new_disputes, moved_on & new_disputes
    topics = {r["topic"] for r in rows("claims")}
    assert not topics & {q.raw["topic"] for q in ranking.questions(d) if q.kind == "claim" and not q.raw.get("settled")
                         and any(v["as_of"] > "2025-07" for v in q.raw["versions"])}
    for phrase in ("The latest dated report", "other accounts have it"):
        assert phrase not in year["text"]


def test_one_count_of_who_is_moving_everywhere_on_the_page(year):
    d = year["d"]
    n = len(d.pulling_back())
    story = year["story"]
    assert re.search(rf"\b{WORDS[n]} of Scale AI's clients|\b{n} clients whose latest reported move is away", story)
    assert f"{n} clients whose latest reported move is away" in story
    chart = year["page"].split('id="chart-clients"')[1].split("</figure>")[0]
    assert f"Moving away from Scale AI ({n})" in htmllib.unescape(re.sub(r"<[^>]+>", "", chart)), "the chart's group counts the same clients"
    two_roles = {r["party"] for r in rows("relationships")} & set(d.relationships.loc[d.relationships["role"] == "investor", "party"])
    assert two_roles <= set(d.movers()["party"]), "a party with two roles counts among clients by its client history"


def test_no_month_is_printed_as_a_day(year):
    months = {r["as_of"] for name in ("relationships", "claims") for r in rows(name) if len(r["as_of"]) == 7}
    assert months, "the fixture has month-only texts"
    for m in months:
        y, mo = m.split("-")
        day_one = f"{['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'][int(mo) - 1]} 1, {y}"
        assert day_one not in year["text"], day_one


def test_what_changed_lists_the_year_as_additions_only(year):
    """Against the data it was added to, the year is additions: nothing corrected, nothing removed (briefing/story/changes.py)."""
    block = visible_text(year["page"].split('id="appendix-changes"')[1].split('id="sources-h"')[0])
    counts = re.search(r"\d+ changes: ([^.]*)\.", block).group(1)
    assert "correction" not in counts and "removed" not in counts, counts
    summary = visible_text(year["page"].split('class="changes-summary"')[1].split("</section>")[0])
    for line in ("Google: plans to cut ties \u2192 staying", "$100 million (September 30, 2025) \u2192 $500 million (May 6, 2026)", "May 6, 2026: Scale sued a rival."):
        assert line in summary, summary
