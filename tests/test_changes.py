""""What changed since the last edition" is exact, by row id (briefing/story/changes.py): an added row is an addition, an
edited row a correction (old → new, its hedge kept), a removed row a removal; a party or metric is "no longer in the
data" only when none of its rows is; the summary shows status changes, figure updates and new events; no doubled words."""

from __future__ import annotations

import csv
import html as htmllib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import DATA, PY, ROOT

from briefing.data.dataset import load
from briefing.drawing.record import changes_block, changes_summary
from briefing.story.changes import SUMMARY_COUNT, compare, summary

SMALL = ROOT / "tests" / "fixtures" / "small_data"
LATER = ROOT / "tests" / "fixtures" / "later_news"
KEYS = {"sources.csv": "source_id", "events.csv": "event_id", "figures.csv": "figure_id", "relationships.csv": "relationship_id",
        "claims.csv": "claim_id", "metrics.csv": "metric", "statuses.csv": "status", "checks.csv": "check_id"}
DOUBLED = re.compile(r"\b(\w+)\s+\1\b", re.IGNORECASE)


def rows_of(path: Path) -> list[dict]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def write(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def append(data: Path, name: str, *new: dict) -> None:
    rows = rows_of(data / name)
    write(data / name, rows + [{k: r.get(k, "") for k in rows[0]} for r in new])


def edit(data: Path, name: str, row_id: str, **cells) -> None:
    write(data / name, [dict(r, **cells) if r[KEYS[name]] == row_id else r for r in rows_of(data / name)])


def drop(data: Path, name: str, *row_ids: str) -> None:
    write(data / name, [r for r in rows_of(data / name) if r[KEYS[name]] not in row_ids])


@pytest.fixture
def base(tmp_path) -> Path:
    shutil.copytree(SMALL, tmp_path / "base")
    return tmp_path / "base"


@pytest.fixture
def new(tmp_path, base) -> Path:
    shutil.copytree(base, tmp_path / "new")
    return tmp_path / "new"


def ids(changes: list[dict], kind: str) -> set[str]:
    return {i for c in changes if c["change"] == kind for i in c["ids"].split(";") if i}


def texts(changes: list[dict]) -> list[str]:
    return [c["text"] for c in changes]


SOURCE = {"source_id": "news-0202", "document": "2026-02-02-google-staying.txt", "outlet": "Example Wire", "outlet_basis": "text",
          "published": "2026-02-02", "known_from": "2026-02-02", "known_from_basis": "the date the text gives"}
SOURCE2 = dict(SOURCE, source_id="news-0506", document="2026-05-06-ceiling-raised.txt", published="2026-05-06", known_from="2026-05-06")
STAYING = {"relationship_id": "rel-google-staying-0202", "party": "Google", "role": "client", "status": "staying", "direction": "toward",
           "evidence": "reported", "as_of": "2026-02-02", "as_of_basis": "stated", "source_ids": "news-0202", "quote": "Google will keep working with Scale AI"}
EVENT = {"event_id": "ev-0506-scale-sues-rival", "date": "2026-05-06", "date_precision": "day", "actor": "Scale AI", "counterparty": "Example Labels Inc.",
         "event_type": "lawsuit", "description": "Scale sued a rival over trade secrets.", "status": "announced", "source_ids": "news-0506",
         "quote": "Scale AI sued a rival, Example Labels Inc., the company said"}
VALUATION = {"figure_id": "fig-0506-valuation", "metric": "valuation_post_usd", "entity": "Scale AI", "value": "40", "unit": "USD", "scale": "billion",
             "period": "2026-05-06", "source_id": "news-0506", "quote": "valued at $40 billion"}
HEADCOUNT = {"figure_id": "fig-0202-headcount", "metric": "scale_headcount", "entity": "Scale AI", "value": "1000", "unit": "employees", "scale": "one",
             "qualifier": "more than", "period": "2025-11", "source_id": "news-0202", "quote": "more than 1,000 people"}
METRIC = {"metric": "scale_headcount", "label": "Scale AI's staff", "description": "How many people Scale AI employs.", "unit": "employees", "key_figure": "yes"}
CLAIM = {"claim_id": "cl-droege-ceo-0202", "topic": "Jason Droege's new title", "party": "Jason Droege", "claim": "Chief executive.", "evidence": "reported",
         "as_of": "2026-02-02", "as_of_basis": "stated", "source_ids": "news-0202", "quote": "Droege, the chief executive"}
STATUS = {"status": "staying", "phrase": "staying with Scale", "description": "The party keeps working with Scale AI."}


def add_a_year(data: Path) -> None:
    append(data, "sources.csv", SOURCE, SOURCE2)
    append(data, "relationships.csv", STAYING)
    append(data, "events.csv", EVENT)
    append(data, "figures.csv", VALUATION, HEADCOUNT)
    append(data, "metrics.csv", METRIC)
    append(data, "claims.csv", CLAIM)
    append(data, "statuses.csv", STATUS)


ADDED = {"news-0202", "news-0506", "rel-google-staying-0202", "ev-0506-scale-sues-rival", "fig-0506-valuation", "fig-0202-headcount",
         "scale_headcount", "cl-droege-ceo-0202", "staying"}


def test_additions_only_are_additions_and_nothing_else(base, new):
    add_a_year(new)
    changes = compare(load(base), load(new))
    assert ids(changes, "added") == ADDED, texts(changes)
    assert not ids(changes, "removed") and not ids(changes, "corrected"), texts(changes)
    assert not [c for c in changes if c["group"] in ("corrections", "removals")]
    listed = [i for c in changes for i in c["ids"].split(";") if i]
    assert sorted(listed) == sorted(ADDED), "each added row is listed once"
    t = texts(changes)
    assert "Google: plans to cut ties \u2192 staying (reported, February 2, 2026)" in t, t
    assert "Scale AI's valuation after the deal: $29 billion \u2192 $40 billion (May 6, 2026)" in t, t
    assert "May 6, 2026: Scale sued a rival over trade secrets." in t, t
    assert not any("no longer" in x for x in t), t


def test_an_edited_row_is_one_correction_old_to_new(base, new):
    edit(new, "events.csv", "ev-0618-droege-post-not-winding-down", description="Droege wrote that Scale is neither pivoting nor shrinking.")
    changes = compare(load(base), load(new))
    assert len(changes) == 1 and changes[0]["group"] == "corrections" and changes[0]["change"] == "corrected", texts(changes)
    assert changes[0]["ids"] == "ev-0618-droege-post-not-winding-down"
    assert "description changed from \u2018In a post to customers" in changes[0]["text"]
    assert "to \u2018Droege wrote that Scale is neither pivoting nor shrinking.\u2019" in changes[0]["text"]


def test_an_edited_figure_is_one_correction_and_its_value_moves(base, new):
    edit(new, "figures.csv", "fig-agg14-valuation-post", value="30")
    changes = compare(load(base), load(new))
    corrections = [c for c in changes if c["group"] == "corrections"]
    assert len(corrections) == 1 and corrections[0]["ids"] == "fig-agg14-valuation-post", texts(changes)
    assert corrections[0]["text"].endswith("value changed from \u2018$29 billion\u2019 to \u2018$30 billion\u2019"), corrections[0]["text"]
    assert "Scale AI's valuation after the deal: $29 billion \u2192 $30 billion" in texts(changes), "the reader-level line says what moved"
    assert not ids(changes, "added") and not ids(changes, "removed")


def test_a_correction_keeps_the_hedge(base, new):
    append(base, "sources.csv", SOURCE)
    append(base, "metrics.csv", METRIC)
    append(base, "figures.csv", HEADCOUNT)
    shutil.rmtree(new)
    shutil.copytree(base, new)
    edit(new, "figures.csv", "fig-0202-headcount", value="1200")
    changes = compare(load(base), load(new))
    corrections = [c for c in changes if c["group"] == "corrections"]
    assert len(corrections) == 1, texts(changes)
    assert "value changed from \u2018more than 1,000 employees\u2019 to \u2018more than 1,200 employees\u2019" in corrections[0]["text"]
    assert "Scale AI's staff: more than 1,000 employees (November 2025) \u2192 more than 1,200 employees (November 2025)" in texts(changes)
    assert not ids(changes, "added") and not ids(changes, "removed")


def test_a_new_hedged_figure_keeps_its_qualifier(base, new):
    append(new, "sources.csv", SOURCE)
    append(new, "metrics.csv", METRIC)
    append(new, "figures.csv", HEADCOUNT)
    t = texts(compare(load(base), load(new)))
    assert "Scale AI's staff: more than 1,000 employees (November 2025), new in this edition" in t, t


def test_a_removed_row_is_a_removal_and_a_party_stays_while_it_has_rows(base, new):
    drop(new, "events.csv", "ev-0618-droege-post-not-winding-down")
    drop(new, "relationships.csv", "rel-google-plans-to-cut-ties-rumoured")
    changes = compare(load(base), load(new))
    assert ids(changes, "removed") == {"ev-0618-droege-post-not-winding-down", "rel-google-plans-to-cut-ties-rumoured"}, texts(changes)
    assert not ids(changes, "added") and not ids(changes, "corrected")
    assert not any("no longer" in x for x in texts(changes)), "Google keeps two rows"
    assert any(x.startswith("Event removed: June 18, 2025: In a post to customers") for x in texts(changes)), texts(changes)


def test_a_party_is_gone_only_when_none_of_its_rows_is(base, new):
    gone = [r["relationship_id"] for r in rows_of(base / "relationships.csv") if r["party"] == "OpenAI"]
    drop(new, "relationships.csv", *gone)
    changes = compare(load(base), load(new))
    lines = [c for c in changes if "no longer" in c["text"]]
    assert len(lines) == 1 and lines[0]["text"].startswith("OpenAI: no longer in the data (last: winding down, confirmed, June 18, 2025)"), texts(changes)
    assert ids(changes, "removed") == set(gone), "every removed row is named, each once"


def test_a_party_with_two_roles_keeps_both(base, new):
    investor = {"relationship_id": "rel-meta-investing", "party": "Meta", "role": "investor", "status": "investing", "direction": "toward",
                "evidence": "reported", "as_of": "2025-06-12", "as_of_basis": "stated", "source_ids": "agg-14", "quote": "Meta's US$14.3 billion"}
    append(base, "relationships.csv", investor)
    append(new, "relationships.csv", investor)
    append(new, "sources.csv", SOURCE)
    append(new, "relationships.csv", dict(STAYING, relationship_id="rel-meta-several-vendors", party="Meta", status="continuing as one of several vendors",
                                          direction="away", quote="Meta said it would continue to use Scale AI as one of several vendors."))
    changes = compare(load(base), load(new))
    t = texts(changes)
    assert not any("Meta" in x and "no longer" in x for x in t), t
    assert "Meta as client: continuing as one of several vendors (reported, February 2, 2026), new in this edition" in t, t
    assert ids(changes, "added") == {"news-0202", "rel-meta-several-vendors"} and not ids(changes, "removed")


def test_the_summary_holds_a_figure_update_and_a_new_event_beside_status_changes(base, new):
    add_a_year(new)
    append(new, "relationships.csv",
           dict(STAYING, relationship_id="rel-openai-staying-0202", party="OpenAI", quote="OpenAI will keep working with Scale AI"),
           dict(STAYING, relationship_id="rel-turing-losing-0202", party="Turing", role="competitor", status="losing demand", direction="neutral",
                quote="Turing is losing demand"))
    top = summary(compare(load(base), load(new)))
    assert len(top) == SUMMARY_COUNT
    groups = [c["group"] for c in top]
    assert {"statuses", "figures", "events"} <= set(groups), groups
    assert groups[:3] == ["statuses", "figures", "events"], "each kind's heaviest first, in turn"
    assert "Scale AI's valuation after the deal: $29 billion \u2192 $40 billion (May 6, 2026)" in texts(top)
    assert "May 6, 2026: Scale sued a rival over trade secrets." in texts(top)


def csv_ids(data: Path) -> dict[str, dict[str, dict]]:
    return {name: {r[key]: r for r in rows_of(data / name)} for name, key in KEYS.items() if (data / name).exists()}


def test_the_later_news_pair_is_exact_and_reads_as_an_editor_would():
    """later_news is an older curation of small_data plus a year of synthetic news: the rows only it has are the additions,
    the rows only small_data has the removals, the rows both have with other cells the corrections, nothing else."""
    old, new = csv_ids(SMALL), csv_ids(LATER)
    tables = [n for n in old if n in new]  # later_news has no claims.csv: a table one edition lacks is not compared
    only_new = {i for n in tables for i in new[n].keys() - old[n].keys()}
    only_old = {i for n in tables for i in old[n].keys() - new[n].keys()}
    edited = {i for n in tables for i in old[n].keys() & new[n].keys()
              if any(old[n][i][c] != new[n][i][c] for c in old[n][i].keys() & new[n][i].keys())}
    changes = compare(load(SMALL, rules=False), load(LATER))
    assert ids(changes, "added") == only_new
    assert ids(changes, "removed") == only_old
    assert {i for c in changes if c["group"] in ("corrections", "definitions") and c["change"] == "corrected" for i in c["ids"].split(";")} == edited
    t = texts(changes)
    assert "Google: plans to cut ties \u2192 staying (confirmed, February 2, 2026)" in t
    assert ("Ceiling of the Pentagon's agreement with Scale AI: $100 million (September 30, 2025) \u2192 $500 million (May 6, 2026), "
            "new in this edition") in t
    assert "Scale AI's staff: about 1,400 employees (July 2025) \u2192 more than 1,000 employees (November 2025), new in this edition" in t
    assert not any("no longer" in x for x in t), t
    top = texts(summary(changes))
    assert top[0] == "Google: plans to cut ties \u2192 staying (confirmed, February 2, 2026)"
    assert any("$100 million" in x and "$500 million" in x for x in top) and "May 6, 2026: Scale sued a rival over trade secrets." in top, top
    assert not any(x.startswith("February 2, 2026: A Google spokesperson") for x in top), "the event and the status change count once"


def test_a_year_of_news_added_to_the_data_is_additions_only(tmp_path):
    """The issue's re-runner: tests/fixtures/year_on appended to a copy of data/ (scripts/add_rows.py), BASE = data/."""
    year = ROOT / "tests" / "fixtures" / "year_on"
    subprocess.run([PY, str(ROOT / "scripts" / "add_rows.py"), str(DATA), str(year), str(tmp_path / "data")], check=True, capture_output=True)
    changes = compare(load(DATA), load(tmp_path / "data"))
    appended = {r[KEYS[f.name]] for f in year.glob("*.csv") for r in rows_of(f)}
    assert ids(changes, "added") == appended
    assert not ids(changes, "removed") and not ids(changes, "corrected") and not [c for c in changes if c["group"] in ("corrections", "removals")]
    t = texts(changes)
    assert "Google: plans to cut ties \u2192 staying (confirmed, February 2, 2026)" in t, t
    assert any(x.startswith("Meta as client: ") and "\u2192 paused some work" in x for x in t), "Meta's client role, its investor role untouched"
    assert not any("no longer" in x or "January 1, 2026" in x or "October 1, 2025" in x for x in t), "no month printed as a day"
    top = summary(changes)
    assert [c["group"] for c in top[:3]] == ["statuses", "figures", "events"], texts(top)
    assert any("$100 million" in c["text"] and "$500 million" in c["text"] for c in top)


def visible(page: str) -> str:
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.mark.parametrize("pair", ["later_news", "a year added"])
def test_no_doubled_words(pair, base, new):
    if pair == "later_news":
        old_dir, d = SMALL, load(LATER)
    else:
        add_a_year(new)
        drop(new, "events.csv", "ev-0618-droege-post-not-winding-down")
        edit(new, "figures.csv", "fig-agg14-valuation-post", value="30")
        edit(new, "sources.csv", "agg-14", known_from_basis="the date the text gives")
        old_dir, d = base, load(new)
    page = visible(changes_summary(d, str(old_dir)).html + changes_block(d, str(old_dir)).html)
    assert "source [" in page and "agg-" not in page and "news-" not in page, "source ids read as citation numbers"
    assert not DOUBLED.findall(page), [m.group(0) for m in DOUBLED.finditer(page)]


def test_a_value_that_moves_back_names_the_removed_row(base, new):
    append(base, "sources.csv", SOURCE2)
    append(base, "figures.csv", VALUATION)
    shutil.rmtree(new)
    shutil.copytree(base, new)
    drop(new, "figures.csv", "fig-0506-valuation")
    changes = compare(load(base), load(new))
    assert "Scale AI's valuation after the deal: $40 billion (May 6, 2026) \u2192 $29 billion" in texts(changes), texts(changes)
    assert ids(changes, "removed") == {"fig-0506-valuation"} and not ids(changes, "added") and not ids(changes, "corrected")
    assert not [c for c in changes if c["group"] == "removals"], "the figure line stands for the removed row"
