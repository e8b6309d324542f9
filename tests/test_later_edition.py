"""A later edition tells the year: its body follows the news, not only its top (issue: "A later edition tells the
year"). Three editions, each built as a re-runner builds it: tests/fixtures/later_news, data/ plus the synthetic year
(tests/fixtures/year_on), and that year again with every event label emptied (labels are optional: nothing may
depend on them). Every expectation is counted from the edition's own data."""

from __future__ import annotations

import csv
import html as htmllib
import importlib.util
import io
import re

import pytest
from conftest import DATA, ROOT, make, visible_text

from briefing.data.dataset import load
from briefing.story import lead, premises
from briefing.story.checks import run_checks

YEAR = ROOT / "tests" / "fixtures" / "year_on"
LATER = ROOT / "tests" / "fixtures" / "later_news"


def add_rows(out):
    spec = importlib.util.spec_from_file_location("add_rows", ROOT / "scripts" / "add_rows.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.add_rows(DATA, YEAR, out)


def without_labels(data):
    path = data / "events.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows({**r, "label": ""} for r in rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return data


@pytest.fixture(scope="module", params=["later_news", "year_on", "year_on_unlabelled"])
def edition(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(request.param)
    if request.param == "later_news":
        data = LATER
    else:
        data = add_rows(root / "data")
        if request.param == "year_on_unlabelled":
            without_labels(data)
    proc = make(f"BUILD={root / 'out'}", f"DATA={data}", check=True)
    page = (root / "out" / "briefing.html").read_text(encoding="utf-8")
    story = page.split('id="appendix"')[0]
    body = re.sub(r'<section class="(numbers|latest)".*?</section>', " ", story, flags=re.DOTALL)  # outside By the numbers and Latest
    return {"name": request.param, "d": load(data), "log": proc.stdout + proc.stderr, "page": page, "story": visible_text(story), "body": visible_text(body)}


def post_deal(d):
    start = lead.deal_date(d)
    return [i for i in lead.developments(d) if i["date"] > start and i["weight"] > 0]


def told(d, item, text: str) -> bool:
    """Whether a development is told in the text: an event by its description or label, a status change by its party
    and new status, a figure update by its new value."""
    if item["kind"] == "event":
        return item["text"].rstrip(".") in text or bool(item.get("label")) and item["label"] in text
    if item["kind"] == "status":
        return item["party"] in text and d.status_phrase(item["status"]) in text
    return item["value"] in text


def test_the_headline_and_dek_name_developments_after_the_deal(edition):
    d = edition["d"]
    h1 = htmllib.unescape(re.search(r"<h1>(.*?)</h1>", edition["page"], re.DOTALL).group(1))
    assert "after Meta paid" in h1, h1
    key = lead.newest_key_development(d)
    assert key["date"] > lead.deal_date(d)
    dek = htmllib.unescape(re.search(r'<p class="dek">(.*?)</p>', edition["page"], re.DOTALL).group(1))
    start = lead.deal_date(d)
    later_parties = {r["party"] for _, r in d.movers().iterrows() if r["_first"] > start}
    assert any(p in dek for p in later_parties), dek
    assert "last reported" not in dek and not re.search(r"\b(One|Two|Three|Four|Five|\d+) of Scale AI's clients", dek)


def test_the_body_tells_at_least_five_developments_of_the_year(edition):
    d = edition["d"]
    told_in_body = [i for i in post_deal(d) if told(d, i, edition["body"])]
    assert len(told_in_body) >= 5, [i["text"] for i in told_in_body]


def test_no_lead_number_is_a_value_its_own_check_fails(edition):
    d = edition["d"]
    res = run_checks(d)
    lead_metrics = set(d.lead_metrics())
    base = res[res["variant_metric"] == ""]
    failing = base[(base["verdict"] == "fail")]
    for _, r in failing.iterrows():
        chk = d.checks.set_index("check_id").loc[r["check"]]
        involved = set(re.findall(r"[a-z][a-z0-9_]+", chk["formula"])) | {chk["expected"]}
        assert not involved & lead_metrics, f"{r['check']} fails on the current values of lead metrics"


def test_each_party_that_moved_after_the_deal_is_told_at_its_latest_status(edition):
    d = edition["d"]
    start = lead.deal_date(d)
    for _, r in d.movers().iterrows():
        if r["_first"] > start:
            assert d.status_phrase(r["status"]) in edition["body"], (r["party"], r["status"])


def test_no_watch_item_whose_premise_fails(edition):
    d = edition["d"]
    if d.watch.empty:
        pytest.skip("this data package has nothing to watch")
    for _, r in d.watch.iterrows():
        held = all(premises.check(d, p.strip()) is None for p in r["premises"].split(";") if p.strip())
        opening = r["question"].split("{")[0].split(":")[0]
        assert (opening in edition["story"]) == held, (r["watch_id"], held)


def test_the_later_budget_holds(edition):
    assert '<meta content="later" name="briefing.budget"' in edition["page"] or 'name="briefing.budget" content="later"' in edition["page"]
    assert "warning: the story is over its budget" not in edition["log"], edition["log"]
    assert not re.search(r"\(\d[\d,]*\.\d\): shorten", edition["log"]), "whole numbers of words and pages"


def test_a_minor_event_never_leads(edition):
    d = edition["d"]
    minor = set(d.events.loc[d.events.get("minor", "") == "yes", "event_id"]) if "minor" in d.events else set()
    assert not {i.get("id") for i in lead.latest(d)} & minor
