"""End to end: the notebooks on real and alternative data, the HTML and PDF a reader gets, the Make graph."""

from __future__ import annotations

import csv
import hashlib
import html as htmllib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import DATA, ROOT, SOURCES, build, make

from briefing.data.dataset import load

SMALL = ROOT / "tests" / "fixtures" / "small_data"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_html_carries_the_key_figures_computed_from_data(built):
    html = (built / "briefing.html").read_text(encoding="utf-8")
    d = load(DATA)
    for metric in ("meta_investment_usd", "meta_stake_pct", "valuation_pre_usd", "valuation_post_usd", "scale_revenue_usd", "google_planned_spend_usd"):
        fact = d.fact(metric)
        assert fact.text(short=True) in html, metric
        assert fact.text() in html or metric in ("valuation_pre_usd",), metric
    for heading in ("What happened", "Why it matters", "How it unfolded", "Who is pulling away", "Who gains",
                    "What Scale says", "Where the reporting disagrees", "Do the numbers add up", "What to watch", "Sources"):
        assert f">{heading}<" in html or f">{heading}</h2>" in html, heading
    assert "$14.8 billion" in html  # the dissenting source is shown, not dropped
    assert len(re.findall(r'<figure[^>]*class="chart"', html)) == 4 and html.count("<svg") == 4
    assert "What changed since the last edition" not in html  # no BASE, no section


def test_html_is_self_contained(built):
    html = (built / "briefing.html").read_text(encoding="utf-8")
    refs = re.findall(r'\b(?:src|href|action|poster)\s*=\s*"([^"]*)"', html)
    external = [r for r in refs if not (r.startswith(("#", "data:")))]
    assert external == []
    assert "<script src" not in html and "require.js" not in html and "MathJax" not in html
    assert "@import" not in html and "url(http" not in html


def test_every_citation_marker_points_to_a_listed_source(built):
    html = (built / "briefing.html").read_text(encoding="utf-8")
    targets = set(re.findall(r'href="#(src-[^"]+)"', html))
    anchors = set(re.findall(r'id="(src-[^"]+)"', html))
    assert targets and targets <= anchors


def test_pdf_pages_text_and_fonts(built):
    pdf = built / "briefing.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 5 <= pages <= 30
    assert re.search(r"Page size:\s+595\.\d* x 841\.\d* pts \(A4\)", info)
    text = pdf_text(pdf)
    assert "BY THE NUMBERS" in text.upper()
    for needle in ("$14.3B", "49%", "$29B", "Where the reporting disagrees", "Sources"):
        assert needle in text, needle
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(" yes " in line for line in fonts), "every font embedded"


def test_notebooks_run_on_alternative_data(tmp_path):
    build(tmp_path, f"DATA={SMALL}")
    for nb in ("01_deal", "02_clients", "03_rivals", "04_reporting", "05_appendix"):
        assert (tmp_path / "notebooks" / f"{nb}.ipynb").is_file()
    html = (tmp_path / "briefing.html").read_text(encoding="utf-8")
    assert "Everything behind the story above: 18 sources, 8 events, 7 figures" in html  # 9 event rows, one of them a version of another


def test_as_of_edition_shows_what_was_known_then(tmp_path):
    build(tmp_path, "AS_OF=2025-06-13")
    html = (tmp_path / "briefing.html").read_text(encoding="utf-8")
    assert "Edition as of June 13, 2025" in html
    assert "planning to cut ties with Scale" in html  # Google, reported June 12
    assert "confirmed on the record that it is</span>" not in html or "winding down its work with Scale</span> (June 18" not in html
    assert "June 18, 2025" not in html.split('id="sources-h"')[0]  # nothing from June 18 in the story
    targets, anchors = set(re.findall(r'href="#(src-[^"]+)"', html)), set(re.findall(r'id="(src-[^"]+)"', html))
    assert targets <= anchors  # no citation to a source not yet published


def test_as_of_before_any_data_builds_a_short_briefing(tmp_path):
    build(tmp_path, "AS_OF=2025-01-01")
    html = (tmp_path / "briefing.html").read_text(encoding="utf-8")
    assert "Nothing about Meta and Scale AI had been reported by 2025-01-01" in html
    assert "No source had been published by this date." in html


def test_bad_as_of_stops_before_anything_runs(tmp_path):
    proc = make(f"BUILD={tmp_path}", "AS_OF=2025-13-01")
    assert proc.returncode != 0
    assert "AS_OF:1: as_of: '2025-13-01' is not a real date" in proc.stderr
    assert not (tmp_path / "notebooks").exists()


def test_base_adds_what_changed(tmp_path, data_copy):
    path = data_copy / "relationships.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for r in rows:
        if r["relationship_id"] == "rel-microsoft-considering-reuters":
            r["evidence"] = "rumoured"  # (confirmed would need Microsoft's own words: briefing/rules.py)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    out = tmp_path / "build"  # beside the data, not around it (BUILD may not hold DATA)
    build(out, f"DATA={data_copy}", f"BASE={DATA}")
    html = (out / "briefing.html").read_text(encoding="utf-8")
    assert "What changed since the last edition" in html
    text = htmllib.unescape(html)
    assert re.search(r"Microsoft: considering \(rumoured, [A-Z][a-z]+ \d+( or \d+)?, 2025\): evidence changed from \u2018reported\u2019 to \u2018rumoured\u2019", text)


def test_no_op_make_does_nothing(built):
    proc = make(f"BUILD={built}", check=True)
    assert "briefing" not in proc.stdout and "Nothing to be done" in proc.stdout


def test_make_graph_rebuilds_only_what_a_change_touches(tmp_path, data_copy):
    out = tmp_path / "build"  # beside the data, not around it (BUILD may not hold DATA)
    build(out, f"DATA={data_copy}")
    before = {p.name: p.stat().st_mtime_ns for p in (out / "notebooks").glob("*.ipynb")}
    shutil.copy(data_copy / "events.csv", data_copy / "events.csv.bak")
    (data_copy / "events.csv.bak").unlink()
    (data_copy / "events.csv").touch()
    proc = make(f"BUILD={out}", f"DATA={data_copy}", check=True)
    assert proc.stdout.count("briefing execute") == len(before)  # data feed every notebook
    assert "briefing html" in proc.stdout and "briefing pdf" in proc.stdout
    (ROOT / "notebooks" / "03_rivals.ipynb").stat()  # untouched source


def test_two_clean_builds_are_byte_identical(built, tmp_path):
    build(tmp_path)
    for name in ("briefing.html", "briefing.pdf", *(f"notebooks/{p.name}" for p in (built / "notebooks").glob("*.ipynb"))):
        assert sha(built / name) == sha(tmp_path / name), name


def test_make_help_lists_targets():
    out = make("help", check=True).stdout
    for target in ("all", "html", "pdf", "validate", "verify-quotes", "test", "lab", "clean"):
        assert re.search(rf"^{target}\s", out, re.MULTILINE), target


@pytest.mark.skipif(not SOURCES.is_dir(), reason=f"source collection not present at {SOURCES} (set SOURCES=)")
def test_verify_quotes_passes_on_the_real_sources():
    proc = make("verify-quotes", f"SOURCES={SOURCES}")
    assert proc.returncode == 0, proc.stderr
    assert "found verbatim" in proc.stdout
