"""The two layers: a story a reader finishes in five minutes, and an appendix that keeps the whole record.

Built on the default data and on the later-news fixture (a year of news); lengths are measured in Chromium
at 390x844 and in the PDF, never timed.
"""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import ROOT, build, read_rows, write_rows
from playwright.sync_api import sync_playwright
from pypdf import PdfReader

from briefing.data.dataset import load
from briefing.drawing import copydesk
from briefing.pipeline.summary import BUDGET, BUDGET_LATER, repeated_phrases, story_pages, story_words
from briefing.story import ranking
from briefing.story.checks import run_checks

LATER = ROOT / "tests" / "fixtures" / "later_news"
SMALL = ROOT / "tests" / "fixtures" / "small_data"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update"]

# the story's visible text (to #appendix), or the whole page's, without quotations; closed details opened first
TEXT_JS = """([upto, quotes]) => { const c = document.body.cloneNode(true);
  c.querySelectorAll('style, script, .skip' + (quotes ? '' : ', q, blockquote')).forEach(e => e.remove());
  if (upto) c.querySelectorAll('details:not([open]) > :not(summary)').forEach(e => e.remove());  // a closed part is not read
  else c.querySelectorAll('details').forEach(e => e.setAttribute('open', ''));
  if (upto) { const a = c.querySelector('#appendix'); if (a) { let n = a; while (n) { const next = n.nextSibling; n.remove(); n = next; } } }
  const div = document.createElement('div'); div.appendChild(c); document.documentElement.appendChild(div);
  const t = div.innerText; div.remove(); return t; }"""


@pytest.fixture(scope="module")
def editions(tmp_path_factory, built):
    """The default edition (the session's build) and the year-of-news edition, each measured in Chromium at 390x844."""
    out = {"default": {"dir": built, "log": (built.parent / f"{built.name}-make.log").read_text(encoding="utf-8"), "d": load(ROOT / "data")}}
    d = tmp_path_factory.mktemp("later")
    out["later"] = {"dir": d, "log": build(d, f"DATA={LATER}").stdout, "d": load(LATER)}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for e in out.values():
            page = b.new_page(viewport={"width": 390, "height": 844})
            page.goto((e["dir"] / "briefing.html").as_uri())
            e["story_px"] = page.evaluate("() => document.querySelector('#appendix').getBoundingClientRect().top + scrollY")
            e["story_text"] = page.evaluate(TEXT_JS, [True, False])
            e["prose_text"] = page.evaluate(TEXT_JS.replace("'style, script, .skip'", "'style, script, .skip, figure'"), [True, False])  # charts aside
            e["text"] = page.evaluate(TEXT_JS, [False, True])
            e["first_screen"] = page.evaluate("""() => ['h1', '.dek', '.numbers .num'].map(s => {
                const el = document.querySelector(s); return el ? el.getBoundingClientRect().top : 99999; })""")
            e["edition_lines"] = page.evaluate("() => [...document.querySelectorAll('p')].filter(p => /^Edition (of|as of)/.test(p.innerText)).length")
            e["counts"] = page.evaluate("""() => ({
                latest: document.querySelectorAll('.latest li').length,
                disputes: document.querySelectorAll('ul.disputes > li').length,
                verdicts: document.querySelectorAll('ul.verdicts > li').length,
                points: document.querySelectorAll('#appendix-disputes .point').length,
                checks: document.querySelectorAll('#appendix-checks .check').length,
                sources: document.querySelectorAll('#appendix .sources li[id^=src-]').length,
                broken: [...document.querySelectorAll('a[href^="#"]')].filter(a => !document.getElementById(a.getAttribute('href').slice(1))).length,
                parties: document.querySelector('#appendix-parties') ? document.querySelector('#appendix-parties').textContent : '' })  // folded: in the page, a click away""")
            page.close()
        b.close()
    return out


@pytest.mark.parametrize("name,budget", [("default", BUDGET), ("later", BUDGET_LATER)])
def test_the_story_fits_its_budget(editions, name, budget):
    e = editions[name]
    words = len([w for w in re.sub(r"\[[\d, +]+\]", " ", e["story_text"]).split() if re.search(r"[A-Za-z0-9]", w)])
    assert words <= budget["words"], f"{name}: the story has {words} words"
    assert e["story_px"] / 844 <= budget["screens"], f"{name}: the story is {e['story_px'] / 844:.1f} phone screens"
    first, _ = story_pages(e["dir"] / "briefing.pdf")
    assert first <= budget["pages"], f"{name}: the story prints on {first} pages"
    html = (e["dir"] / "briefing.html").read_text(encoding="utf-8")
    assert abs(story_words(html) - words) <= 0.05 * words  # the build summary's count is the reader's count
    assert re.search(r"story: [\d,]+ words, [\d.]+ phone screens, \d+ PDF pages?; appendix: ([\d.]+ phone screens closed, )?\d+ pages?", e["log"]), e["log"]


def test_the_appendix_starts_a_new_page_on_paper(editions):
    pdf = editions["default"]["dir"] / "briefing.pdf"
    first, rest = story_pages(pdf)
    assert rest > 0
    text = PdfReader(str(pdf)).pages[first].extract_text()
    assert text.lstrip().splitlines()[1:3] and "The full record" in "\n".join(text.splitlines()[:4])


@pytest.mark.parametrize("name", ["default", "later"])
def test_the_appendix_holds_the_whole_record(editions, name):
    e, d = editions[name], editions[name]["d"]
    assert e["counts"]["points"] == len(ranking.questions(d))
    checks = run_checks(d)
    assert e["counts"]["checks"] == checks["check"].nunique()
    assert e["counts"]["sources"] == len(d.sources)
    for party in set(d.relationships["party"]):
        assert party in e["counts"]["parties"], party
    assert e["counts"]["broken"] == 0  # every "full entry" and "more in the appendix" link lands


@pytest.mark.parametrize("name", ["default", "later"])
def test_no_source_id_reaches_a_reader(editions, name):
    e, d = editions[name], editions[name]["d"]
    ids = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, d.all_sources.index)) + r")(?![\w-])")
    assert not ids.findall(e["text"]), ids.findall(e["text"])[:10]
    assert "make verify-quotes" not in e["text"] and ".txt" not in e["text"] and "revision unknown" not in e["text"]


@pytest.mark.parametrize("name", ["default", "later"])
def test_the_story_reads_as_a_story(editions, name):
    e = editions[name]
    assert all(top < 844 for top in e["first_screen"]), e["first_screen"]  # headline, dek and the first number on the first screen
    assert e["edition_lines"] == 1
    c = e["counts"]
    assert c["latest"] <= ranking.STORY_LATEST and c["disputes"] <= ranking.STORY_DISPUTES and c["verdicts"] <= ranking.STORY_CHECKS
    # no template sentence opening item after item (in the prose: a chart names each party's status in its own row,
    # and parties that share a status share its words from statuses.csv, which is data, not a template)
    prose = e["prose_text"]
    for phrase in sorted(e["d"].statuses["phrase"], key=len, reverse=True):
        prose = prose.replace(phrase, "…")
    assert repeated_phrases(prose) == {}
    for jargon in ("undated commentary", "public by", "rumoured"):
        assert jargon not in e["story_text"], jargon


@pytest.mark.parametrize("name", ["default", "later"])
def test_the_story_passes_the_copy_desk(editions, name):
    """No citation inside a phrase ('28 years[16] old'), no doubled word, no metric label pasted in parentheses
    (briefing/drawing/copydesk.py: the same checker as tests/test_copy_desk.py and the year-on edition)."""
    e = editions[name]
    story = (e["dir"] / "briefing.html").read_text(encoding="utf-8").split('id="appendix"')[0]
    assert copydesk.faults(story, list(e["d"].metrics["label"])) == []


@pytest.mark.parametrize("name", ["default", "later"])
def test_n_more_counts_what_it_names(editions, name):
    """'18 more points on which the reporting differs' are the appendix's points less those the story shows; '9 more
    checks' its checks less the story's findings."""
    e, c = editions[name], editions[name]["counts"]
    points = re.search(r"([\d,]+) more points? on which the reporting differs", e["story_text"])
    if c["points"] > c["disputes"]:
        assert points and int(points.group(1).replace(",", "")) == c["points"] - c["disputes"], (points, c)
    else:
        assert points is None and "Every version and quote of these is in the appendix" in e["story_text"], c
    checks = re.search(r"([\d,]+) more checks?\b", e["story_text"])
    assert checks is None or int(checks.group(1).replace(",", "")) == c["checks"] - c["verdicts"], (checks, c)


def test_latest_is_news_not_a_shuffle_of_rumours(editions):
    text = editions["default"]["story_text"]
    latest = text.split("LATEST", 1)[1].split("What happened", 1)[0] if "LATEST" in text else ""
    assert "\u2192" not in latest and "considering" not in latest


# ---------------------------------------------------------------- the rules, on small fixtures


def test_top_counts_what_it_leaves_out():
    assert ranking.top([1, 2, 3, 4, 5, 6], 4) == ([1, 2, 3, 4], 2)
    assert ranking.top([1], 4) == ([1], 0)


def test_a_figure_that_fails_a_check_leads_the_disputes(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    d = load(data)
    ranked = ranking.disputes(d)
    failing = [x for x in ranked if any(q.kind == "value" and "does not fit" in q.sentence for q in x.questions)]
    if failing:
        assert ranked[0] is failing[0]
    # one entry per party, whatever kind of row each point comes from
    assert len({x.subject for x in ranked}) == len(ranked)


def test_the_story_asks_the_readers_questions_by_question_not_by_party():
    """data/: the top five are questions with one-line answers; a party gets two when they differ in kind (Meta: the
    amount and what kind of deal it was); a day's versions of one event told in other words are not asked."""
    d = load(ROOT / "data")
    asked = ranking.story_questions(d)
    top = asked[:ranking.STORY_DISPUTES]
    assert all(q.ask.endswith("?") and q.answer.endswith(".") for q in top)
    assert len({(q.subject, q.kind) for q in top}) == len(top)
    assert len({q.subject for q in top}) < len(top), "more than one question for a party whose questions differ in kind"
    assert top[0].kind == "value" and "does not add up" in top[0].answer
    pushed = [q for q in top if q.kind == "claim" and q.subject == "OpenAI"]
    assert pushed and pushed[0].ask == d.topics.loc["whether the Meta deal drove OpenAI's exit", "question"]
    same_day = [q for q in ranking.questions(d) if q.kind == "event" and q.raw["differs"] != "date"]
    assert same_day and not [q for q in same_day if q.ask], "one account in other words is not a reader's question"
    assert len(asked) < len(ranking.questions(d))


def test_the_checks_in_the_story_are_findings_only():
    """A check that confirms a rounding (2.07x against 'roughly 2x') or a ratio for information stays in the appendix."""
    from briefing.drawing.story_blocks import checks_verdict

    d = load(ROOT / "data")
    verdicts = ranking.check_verdicts(d)
    html = checks_verdict(d).html
    quiet = [v for v in verdicts if not v["finding"]]
    assert quiet and any(v["verdict"] == "pass" for v in quiet) and any(v["verdict"] == "info" for v in quiet)
    for v in verdicts:
        assert (v["text"].split(":")[0] in html) == v["finding"], v["text"]


def test_disputes_rank_by_the_rule():
    q = lambda subject, score: ranking.Question("claim", subject, f"{subject} {score}.", [], score)
    a, b = ranking.Dispute("A", [q("A", 1.0), q("A", 9.0)]), ranking.Dispute("B", [q("B", 4.0)])
    assert a.score == 9.0 and b.score == 4.0
    assert [x.subject for x in sorted([b, a], key=lambda x: -x.score)] == ["A", "B"]


def test_a_status_change_between_unconfirmed_accounts_is_not_news(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(LATER, data)
    rows = read_rows(data / "relationships.csv")
    head = rows[0]
    i = {c: head.index(c) for c in head}
    template = next(r for r in rows[1:] if r[i["role"]] == "client")
    for n, (status, evidence, day) in enumerate((("considering", "rumoured", "2026-03-01"), ("distancing itself", "reported", "2026-03-05"))):
        r = list(template)
        r[i["relationship_id"]], r[i["party"]], r[i["status"]], r[i["evidence"]], r[i["as_of"]] = f"rel-test-{n}", "Testco", status, evidence, day
        r[i["direction"]] = "away"
        if "as_of_basis" in i:
            r[i["as_of_basis"]] = "stated"
        if "event_id" in i:
            r[i["event_id"]] = ""
        if "speaker" in i:
            r[i["speaker"]] = ""
        rows.append(r)
    write_rows(data / "relationships.csv", rows)
    d = load(data)
    from briefing.story.lead import deal_date

    items = ranking.story_latest(d, deal_date(d))
    assert not any(i["party"] == "Testco" for i in items), items
    # ... but the same change confirmed by the party is
    rows[-1][i["evidence"]] = "confirmed"
    write_rows(data / "relationships.csv", rows)
    d = load(data, rules=False)  # a confirmed row needs a speaker to validate; only the Latest rule is tested here
    assert any(i["party"] == "Testco" for i in ranking.story_latest(d, deal_date(d)))


def test_quoted_words_are_the_partys_own():
    from briefing.drawing.story_blocks import quoted_words

    assert quoted_words('Droege said the startup "remains, unequivocally, an independent company," adding') == ["remains, unequivocally, an independent company"]
    assert quoted_words('said the company would "double down" on its applications business') == []  # a phrase, not a statement
    assert quoted_words('The company said in the release: "Scale remains an independent leader in AI') == ["Scale remains an independent leader in AI"]
    assert quoted_words("Meta will not have any voting power, a Scale AI spokesperson told CNBC.") == []


def test_repeated_phrases_finds_a_template():
    text = " ".join(f"Item {i}: the briefing leads with it because more sources give it." for i in range(5))
    assert "the briefing leads with it because more" in repeated_phrases(text)
    assert repeated_phrases("one two three four five six seven eight") == {}
