"""A year of later news, added as a re-runner would (tests/fixtures/later_news: small_data plus synthetic
rows from tests/fixtures/later_news_texts): new event kinds, a new status with its direction, figures
updated over time, a new unit and qualifiers, naturally named source files. No code or schema change.
The edition must lead with that news, show updates as series, and withhold sentences whose premise broke."""

from __future__ import annotations

import ast
import html as htmllib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import PY, ROOT, SOURCES, make, visible_text

from briefing.story.premises import stale_lines

LATER = ROOT / "tests" / "fixtures" / "later_news"
TEXTS = ROOT / "tests" / "fixtures" / "later_news_texts"
SMALL = ROOT / "tests" / "fixtures" / "small_data"
RAW_KEY = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # metric keys look like this; readers should never see one


@pytest.fixture(scope="module")
def later(tmp_path_factory):
    out = tmp_path_factory.mktemp("later")
    base = tmp_path_factory.mktemp("base") / "june-edition"  # a base directory is named on the page: give it a reader's name
    shutil.copytree(SMALL, base)
    proc = make(f"BUILD={out}", f"DATA={LATER}", f"BASE={base}", check=True)
    page = (out / "briefing.html").read_text(encoding="utf-8")
    pdf = subprocess.run(["pdftotext", "-layout", str(out / "briefing.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    return {"dir": out, "log": proc.stdout + proc.stderr, "page": page, "text": visible_text(page), "pdf": re.sub(r"\s+", " ", pdf)}


def element(page: str, tag: str, attr: str) -> str:
    """The first <tag ...attr...>...</tag> (nbconvert sorts attributes, so match attr anywhere in the tag)."""
    m = re.search(rf"<{tag}\b[^>]*{re.escape(attr)}[^>]*>.*?</{tag}>", page, flags=re.DOTALL)
    assert m, f"no <{tag} {attr}>"
    return m.group(0)


def test_nothing_was_refused_and_new_values_earn_notes(later):
    assert "problem" not in later["log"]
    for value in ("'layoffs' is a new event type", "'TB' is a new unit", "'expanding' is a new status", "'more than' is a new qualifier"):
        assert value in later["log"], value


def test_the_page_leads_with_the_latest_news(later):
    page = later["page"]
    h1 = htmllib.unescape(re.search(r"<h1>(.*?)</h1>", page, re.DOTALL).group(1))
    assert h1.startswith("Pentagon raises its ceiling for Scale AI, 10 months after Meta paid"), h1
    latest = element(page, "section", 'class="latest"')
    assert page.index("<h1>") < page.index("By the numbers") < page.index('class="latest"') < page.index("What happened")
    dates = re.findall(r'<time datetime="([\d-]+)"', latest)
    assert dates[0] == "2026-05-06" and dates == sorted(dates, reverse=True), dates
    latest_text = visible_text(latest)
    assert "rose to $500 million, from $100 million" in latest_text
    assert "Google confirmed it is staying with Scale; earlier accounts had it planning to cut ties with Scale." in latest_text
    assert 'href="#src-news-0506"' in latest, "each development is cited"
    assert "Edition of May 6, 2026" in later["text"]


def test_updates_are_series_not_disagreements(later):
    dis = visible_text(later["page"].split("Where the reporting disagrees")[1].split("Do the numbers add up")[0])
    assert "Ceiling of the Pentagon" not in dis and "Scale AI's staff" not in dis, "a change over time is not a dispute"
    numbers = visible_text(element(later["page"], "section", 'class="numbers"'))
    assert "$500M Ceiling of the Pentagon's agreement with Scale AI (May 6, 2026)" in numbers
    assert "up from $100M (September 30, 2025)" in numbers, "the ceiling given for September and for September 30 is one value, dated by the day"
    assert "more than 1,000 employees Scale AI's staff (November 2025)" in numbers and "down from about 1,400 employees (July 2025)" in numbers
    key = visible_text(element(later["page"], "table", 'class="key-figures"'))
    assert "Ceiling of the Pentagon's agreement with Scale AI $500 million May 6, 2026 earlier: $100M (September 30, 2025)" in key
    assert "(sources differ)" not in key.split("Ceiling of the Pentagon")[1].split("2026")[0]


def test_a_unit_the_formatter_does_not_know_prints_with_its_number(later):
    assert "close to 4 TB" in later["text"]


def test_labels_not_keys_on_the_page_and_on_paper(later):
    for where in ("text", "pdf"):
        keys = sorted(set(RAW_KEY.findall(later[where])))
        assert keys == [], f"raw keys in the {where}: {keys[:8]}"
    titles = " ".join(htmllib.unescape(t) for t in re.findall(r"<title>(.*?)</title>", later["page"], re.DOTALL))
    assert not RAW_KEY.findall(titles.split("|")[0]), "tooltips name metrics by their labels"


def test_stale_sentences_are_withheld_and_reported(later):
    assert "Whether Google actually leaves" not in later["text"]
    assert re.search(r"^stale: notebooks/02_clients\.ipynb: \u201cGoogle, Scale's largest client, plans to cut ties.*Google's latest status is now \u2018staying\u2019", later["log"], re.MULTILINE)
    assert "plans to cut ties, Reuters reported" not in later["text"]
    assert "said on February 2, 2026 that it is staying with Scale" in later["text"], "what holds now takes the withheld sentence's place"


def test_timeline_spans_the_year_with_years_and_words(later):
    fig = element(later["page"], "figure", 'id="chart-timeline"')
    title = htmllib.unescape(re.search(r'class="chart-title[^>]*>(.*?)</h3>', fig, re.DOTALL).group(1))
    # the story's timeline is the year since the deal's first month (the appendix lists every event)
    assert re.match(r"\d+ events from September 30, 2025 to May 6, 2026", title), title
    alt = htmllib.unescape(re.search(r'<div[^>]*aria-label="([^"]*)"[^>]*role="img"', fig).group(1))
    assert "May 6, 2026: Pentagon raises its ceiling for Scale AI" in alt, "key events are named in words"
    assert "May 6, 2026: Scale sued a rival over trade secrets." in alt, "an unlabelled new event is named by its description"
    tips = [htmllib.unescape(t) for t in re.findall(r"<title>(.*?)</title>", fig, re.DOTALL)]
    assert any(t.startswith("November 20, 2025:") for t in tips), "tooltips carry full dates"
    listed = element(later["page"], "section", 'id="appendix-events"')  # the timeline is in the story; its list, in the appendix
    days = re.findall(r'<li><time datetime="([\d-]+)"', listed)  # the list is grouped by date, each date once
    assert listed.count('<li><span class="status') == 11 and days[-1] == "2026-05-06", "the list is complete, newest included"
    assert "Scale sued a rival over trade secrets." in later["pdf"] and "Internal documents with client files leaked" in later["pdf"]


def test_clients_chart_counts_what_it_plots(later):
    fig = element(later["page"], "figure", 'id="chart-clients"')
    title = htmllib.unescape(re.search(r'class="chart-title[^>]*>(.*?)</h3>', fig, re.DOTALL).group(1))
    assert title == "Meta and OpenAI have confirmed they are moving away from Scale AI", title  # a finding: Meta, as a client, counts
    sub = htmllib.unescape(re.search(r'class="chart-subtitle[^>]*>(.*?)</p>', fig, re.DOTALL).group(1))
    assert "June 12, 2025 to February 2, 2026" in sub and "June 2025)" not in sub


def test_changes_are_complete_grouped_and_readable(later):
    page = later["page"]
    assert 'href="#appendix-changes"' in page.split('id="appendix"')[0], "the story links to the full list"
    block = page.split('id="appendix-changes"')[1].split('id="sources-h"')[0]
    text = visible_text(block)
    assert "Google: plans to cut ties \u2192 staying (confirmed, February 2, 2026)" in text
    assert text.index("Statuses") < text.index("Events") < text.index("Figures")
    full = element(block, "details", 'class="full-list"')
    n = int(re.search(r"Show all (\d+) changes", full).group(1))
    assert full.count("<li>") == n
    assert 'download="changes.csv"' in block
    assert "Google: plans to cut ties \u2192 staying" in later["pdf"], "the change list is on paper too"


def test_quotes_of_the_new_rows_are_verbatim_in_natural_file_names(tmp_path):
    if not SOURCES.is_dir():
        pytest.skip(f"source texts not found at {SOURCES}: the quote check did NOT run")
    texts = tmp_path / "sources"
    shutil.copytree(SOURCES, texts)
    for f in TEXTS.glob("*.txt"):
        shutil.copy(f, texts / f.name)
    proc = subprocess.run([PY, "-m", "briefing", "verify-quotes", "--data", str(LATER), "--sources", str(texts)], check=False, capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    (texts / "2026-05-06-ceiling-raised.txt").write_text("nothing here", encoding="utf-8")
    proc = subprocess.run([PY, "-m", "briefing", "verify-quotes", "--data", str(LATER), "--sources", str(texts)], check=False, capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 1 and "quote not found verbatim in the text of news-0506" in proc.stderr


# ---------------------------------------------------------------- no sentence vanishes silently

def prose_sentences(notebook: Path) -> list[str]:
    """Every sentence a notebook passes to say(...), as written (placeholders unresolved)."""
    out = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "say":
                for arg in node.args[1:]:
                    first = arg.elts[0] if isinstance(arg, ast.Tuple) else arg
                    out.append(first.value)
    return out


def assert_every_sentence_shown_or_reported(build_dir: Path, page: str):
    import nbformat

    text = visible_text(page)
    reported = []
    for nb in sorted((build_dir / "notebooks").glob("*.ipynb")):
        reported += stale_lines(f"notebooks/{nb.name}", nbformat.read(str(nb), as_version=4))
    missing = []
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for sentence in prose_sentences(nb):
            fragment = max(re.split(r"\{[^}]*\}|\[\[|\]\]", sentence), key=len).strip()  # [[...]]: an optional side detail
            if fragment not in text and not any(sentence in line for line in reported):
                missing.append(f"{nb.name}: {sentence}")
    assert not missing, "sentences that vanished without a stale: line:\n" + "\n".join(missing)


def test_every_sentence_appears_or_is_reported_in_the_later_edition(later):
    assert_every_sentence_shown_or_reported(later["dir"], later["page"])


def test_every_sentence_appears_or_is_reported_in_the_default_edition(built):
    assert_every_sentence_shown_or_reported(built, (built / "briefing.html").read_text(encoding="utf-8"))
