"""make publish SITE=dir: the archive of editions (briefing/pipeline/site.py, sitepages.py). Unit tests on hand-made
bundles (a small page, the small_data fixture) check the rules: never overwrite, refuse a tampered site, a no-op second
publish, markup kept as text, nothing changed by a publish that fails halfway. The build tests publish the default
edition and the later-news edition into one site and read it as a reader would: the feed with feedparser, the list of
editions, the permalinks, the previous/next links, axe in Chromium."""

from __future__ import annotations

import hashlib
import html as htmllib
import json
import re
import shutil
import subprocess
from pathlib import Path

import feedparser
import pytest
from conftest import PY, ROOT, SMALL, make
from test_hostile import INJECTIONS, one_line

from briefing.data.package import data_digest, data_files
from briefing.pipeline import site as site_mod
from briefing.pipeline.edition import verify
from briefing.pipeline.folder import digest
from briefing.pipeline.params import site_problems
from briefing.pipeline.site import SiteError, publish

LATER = ROOT / "tests" / "fixtures" / "later_news"
EVIL = '<script>alert(1)</script><b>Meta</b> & "Scale"'


# --- a hand-made build: BUILD/edition (the bundle) and BUILD/story/edition.json --------------------------------------

def fake_build(root: Path, date: str, headline: str = "Meta's deal roughly doubled Scale AI's valuation", changed=()) -> Path:
    """A build folder holding an edition bundle of the small fixture with its story's facts, as make edition writes it."""
    build = root / f"build-{date}-{hashlib.sha256(headline.encode()).hexdigest()[:6]}"
    bundle = build / "edition"
    (bundle / "data").mkdir(parents=True)
    for f in data_files(SMALL):
        shutil.copyfile(SMALL / f, bundle / "data" / f)
    title = f"Briefing: {headline}"
    page = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">\n<meta charset="utf-8">\n<title>{htmllib.escape(title)}</title>\n'
            f'<meta name="generator" content="scale-briefing 1.0.0">\n<meta name="dcterms.created" content="{date}">\n'
            f'<meta name="briefing.as-of" content="">\n</head>\n<body>\n<a class="skip" href="#content">Skip to the briefing</a>\n'
            f'<main id="content"><article><h1>{htmllib.escape(headline)}</h1><p>Body.</p></article></main>\n</body>\n</html>\n')
    (bundle / "briefing.html").write_text(page, encoding="utf-8")
    (bundle / "briefing.pdf").write_bytes(b"%PDF-1.7 " + date.encode())
    facts = {"format": "briefing-story/1", "headline": headline, "dek": "What the deal did.", "edition": date, "edition_text": f"Edition of {date}",
             "as_of": "", "base": "", "title": title, "description": "A briefing.", "author": "The desk",
             "keywords": "Meta, Scale AI", "generator": "scale-briefing 1.0.0", "data_digest": data_digest(bundle / "data"),
             "what_changed": list(changed)}
    (bundle / "story").mkdir()
    (bundle / "story" / "edition.json").write_text(json.dumps(facts, indent=1), encoding="utf-8")
    files = {}
    for p in sorted(x for x in bundle.rglob("*") if x.is_file()):
        sha, size = digest(p)
        files[p.relative_to(bundle).as_posix()] = {"bytes": size, "sha256": sha}
    manifest = {"edition": date, "data_modified": "", "as_of": "", "title": title, "generator": "scale-briefing 1.0.0", "files": files}
    (bundle / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return build


def tree(folder: Path) -> dict[str, tuple]:
    """Every file and folder under folder with its content digest and mtime: what 'unchanged' means."""
    out = {}
    for p in sorted(folder.rglob("*")):
        st = p.lstat()
        out[p.relative_to(folder).as_posix()] = (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir", st.st_mtime_ns)
    return out


def links_resolve(site: Path) -> None:
    """Every relative link and URL of every page (og:image and og:url too) leads to a file of the site; the CSP stays first."""
    for page in [site / "index.html", *(site / "editions").glob("*/index.html")]:
        text = page.read_text(encoding="utf-8")
        refs = re.findall(r'href="(?![a-z][a-z0-9+.-]*:)([^"#]+)', text) + re.findall(r'<meta property="og:(?:image|url)" content="([^"]*)"', text)
        for ref in refs:
            target = (page.parent / ref).resolve()
            assert (target / "index.html" if target.is_dir() else target).is_file(), (page, ref)
        assert re.search(r'<meta property="og:image" content="[^"]*card\.png">', text)
        assert text.index('http-equiv="Content-Security-Policy"') < text.index("<title>")


@pytest.fixture(scope="module")
def two(tmp_path_factory) -> tuple[Path, Path, Path]:
    """A site with two hand-made editions (the later one with what changed), published oldest first."""
    root = tmp_path_factory.mktemp("site-unit")
    a = fake_build(root, "2025-06-18")
    b = fake_build(root, "2026-05-06", EVIL, changed=["Google <i>cut</i> ties.", "A second change."])
    site = root / "site"
    publish(site, a)
    publish(site, b)
    return site, a, b


@pytest.fixture
def copy_of(two, tmp_path: Path):
    site, a, b = two
    dest = tmp_path / "site"
    shutil.copytree(site, dest, symlinks=True)
    return dest, a, b


def test_site_layout_and_manifests(two):
    site, _, _ = two
    links_resolve(site)
    assert sorted(p.name for p in (site / "editions").iterdir()) == ["2025-06-18", "2026-05-06"]
    assert {p.name for p in site.iterdir()} == {".lock", "editions", "index.html", "feed.xml"}
    for ed in (site / "editions").iterdir():
        manifest, problems = verify(ed, frozenset({"index.html"}))
        assert not problems, problems
        assert {"story/edition.json", "card.png", "briefing.html", "briefing.pdf", "data/datapackage.json"} <= set(manifest["files"])
        assert (ed / "card.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        proc = subprocess.run([PY, "-m", "briefing.pipeline.edition", "verify", str(ed)], capture_output=True, text=True, timeout=120, check=False)
        assert proc.returncode == 0 and "OK, " in proc.stdout, proc.stderr  # make verify-edition DIR=SITE/editions/DATE
    # the record is a byte copy; the page is the record with the bar and the tags
    later = site / "editions" / "2026-05-06"
    assert "site-nav" not in (later / "briefing.html").read_text(encoding="utf-8")
    assert "site-nav" in (later / "index.html").read_text(encoding="utf-8")


def test_feed_and_markup_stay_text(two):
    site, _, _ = two
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert [e.title for e in feed.entries] == [EVIL, "Meta's deal roughly doubled Scale AI's valuation"]
    assert [e.link for e in feed.entries] == ["editions/2026-05-06/", "editions/2025-06-18/"]
    assert "Google <i>cut</i> ties." in feed.entries[0].summary
    for page in (site / "index.html", site / "editions" / "2026-05-06" / "index.html", site / "editions" / "2025-06-18" / "index.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert(1)</script>" not in text and "<i>cut</i>" not in text, page
    front = (site / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;Meta&lt;/b&gt;" in front
    assert "Google &lt;i&gt;cut&lt;/i&gt; ties." in front


def test_publishing_the_same_edition_again_changes_nothing(copy_of):
    site, a, b = copy_of
    before = tree(site)
    assert "already published, identical; nothing changed" in publish(site, a)
    assert "already published" in publish(site, b)
    assert tree(site) == before


def test_another_edition_of_the_same_date_is_refused(copy_of, tmp_path: Path):
    site, _, _ = copy_of
    before = tree(site)
    other = fake_build(tmp_path, "2025-06-18", "Another headline for the same day")
    with pytest.raises(SiteError, match=r"already holds another edition of 2025-06-18 .*never overwritten"):
        publish(site, other)
    assert tree(site) == before


def test_a_tampered_edition_makes_publish_refuse(copy_of, tmp_path: Path):
    site, _, _ = copy_of
    pdf = site / "editions" / "2025-06-18" / "briefing.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"x")
    before = tree(site)
    with pytest.raises(SiteError, match=r"editions/2025-06-18: changed: briefing.pdf .*not as published"):
        publish(site, fake_build(tmp_path, "2026-07-01"))
    assert tree(site) == before


def test_a_tampered_bundle_or_facts_are_refused(copy_of, tmp_path: Path):
    site, _, _ = copy_of
    before = tree(site)
    bad = fake_build(tmp_path, "2026-07-01")
    (bad / "edition" / "data" / "events.csv").write_text("x\n", encoding="utf-8")
    with pytest.raises(SiteError, match="changed: data/events.csv"):
        publish(site, bad)
    other = fake_build(tmp_path, "2026-07-02")
    facts = json.loads((other / "edition" / "story" / "edition.json").read_text(encoding="utf-8"))
    (other / "edition" / "story" / "edition.json").write_text(json.dumps({**facts, "headline": "Edited"}), encoding="utf-8")
    with pytest.raises(SiteError, match="changed: story/edition.json"):
        publish(site, other)
    assert tree(site) == before


def test_a_publish_that_fails_halfway_leaves_the_site_as_it_was(copy_of, tmp_path: Path, monkeypatch):
    site, _, _ = copy_of
    before = tree(site)

    def killed(tmp, final):
        raise KeyboardInterrupt

    monkeypatch.setattr(site_mod, "move_into_place", killed)
    build = fake_build(tmp_path, "2026-07-01")
    with pytest.raises(KeyboardInterrupt):
        publish(site, build)
    assert tree(site) == before
    assert not list(site.parent.glob(".site.*")), "the new site's folder was left behind"
    # a folder a killed publish (a process that is gone) left beside the site is removed by the next one
    (site.parent / ".site.tmp-999999999").mkdir()
    monkeypatch.undo()
    publish(site, build)
    assert not (site.parent / ".site.tmp-999999999").exists()
    assert (site / "editions" / "2026-07-01" / "index.html").is_file()


def test_a_new_edition_keeps_the_old_ones_files_and_updates_their_neighbours(copy_of, tmp_path: Path):
    site, _, _ = copy_of
    before = tree(site)
    publish(site, fake_build(tmp_path, "2026-07-01"))
    after = tree(site)
    for rel, value in before.items():
        if value[0] != "dir" and not rel.endswith("index.html") and rel != "feed.xml":
            assert after[rel] == value, rel  # an edition's files: never rewritten (content and date)
    assert after["editions/2025-06-18/index.html"] == before["editions/2025-06-18/index.html"]  # its neighbours did not change
    assert after["editions/2026-05-06/index.html"] != before["editions/2026-05-06/index.html"]  # it has a next edition now
    page = (site / "editions" / "2026-05-06" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../editions/2026-07-01/" rel="next"' in page and 'href="../../editions/2025-06-18/" rel="prev"' in page


def test_site_and_site_url_are_checked(tmp_path: Path):
    def msgs(site, url="", required=True):
        return [str(p) for p in site_problems(site, url, str(tmp_path / "build"), str(ROOT / "data"), required=required)]

    assert msgs("", required=False) == []
    assert msgs("") == ["SITE:1: site: is empty (give the folder of the site, e.g. SITE=site)"]
    assert "lies inside BUILD" in msgs(str(tmp_path / "build" / "site"))[0]
    assert "is DATA" in msgs(str(ROOT / "data"))[0]
    assert "holds BUILD" in msgs(str(tmp_path))[0]
    assert "lies inside the package" in msgs(str(ROOT / "briefing" / "x"))[0]
    assert "'" + str(ROOT) + "' holds" in msgs(str(ROOT))[0]
    assert "contains" in msgs("site$(touch x)")[0]
    assert msgs(str(tmp_path / "site"), "https://example.org/briefing/") == []
    for url in ("javascript:alert(1)", 'https://x.org/"><script>', "https://user:pw@x.org/", "https://x.org/?a=1", "ftp://x.org/"):
        assert msgs(str(tmp_path / "site"), url)[0].startswith("SITE_URL:1: site_url: "), url


def test_a_folder_that_is_not_a_site_is_refused(tmp_path: Path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(SiteError, match="holds files but no editions/ folder"):
        publish(folder, fake_build(tmp_path, "2025-06-18"))
    assert sorted(p.name for p in folder.iterdir()) == [".lock", "notes.txt"]


def test_site_url_makes_links_absolute(tmp_path: Path):
    site = tmp_path / "site"
    publish(site, fake_build(tmp_path, "2025-06-18"), "https://example.org/briefing/")
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert feed.entries[0].link == "https://example.org/briefing/editions/2025-06-18/"
    assert feed.entries[0].id == "https://example.org/briefing/editions/2025-06-18/"
    page = (site / "editions" / "2025-06-18" / "index.html").read_text(encoding="utf-8")
    assert '<meta property="og:image" content="https://example.org/briefing/editions/2025-06-18/card.png">' in page


# --- the real editions, built once for this module ---------------------------------------------------------------------

def publish_make(build: Path, site: Path, *extra: str):
    return make(f"BUILD={build}", f"SITE={site}", *extra, "publish", timeout=1800)


@pytest.fixture(scope="module")
def real_site(tmp_path_factory) -> tuple[Path, Path, Path]:
    """The default edition and the later-news edition published into one site by make publish (one build each)."""
    root = tmp_path_factory.mktemp("site-real")
    site, default, later, base = root / "site", root / "default", root / "later", root / "june-edition"
    shutil.copytree(SMALL, base)  # the later edition says what changed since this one (a folder on this machine: its path stays here)
    for build, extra in ((default, ()), (later, (f"DATA={LATER}", f"BASE={base}"))):
        proc = publish_make(build, site, *extra)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return site, default, later


@pytest.mark.build
def test_feed_lists_both_editions_newest_first(real_site):
    site, _, _ = real_site
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert len(feed.entries) == 2
    assert [e.link for e in feed.entries] == ["editions/2026-05-06/", "editions/2025-06-18/"]
    assert [e.updated_parsed[:3] for e in feed.entries] == [(2026, 5, 6), (2025, 6, 18)]
    facts = [json.loads((site / e.link / "story" / "edition.json").read_text(encoding="utf-8")) for e in feed.entries]
    assert [e.title for e in feed.entries] == [f["headline"] for f in facts]
    for e in feed.entries:
        assert (site / e.link / "index.html").is_file() and (site / e.link / "briefing.html").is_file()
        assert e.id and e.summary
    assert feed.entries[0].summary == "What changed: " + " ".join(facts[0]["what_changed"]) and facts[0]["what_changed"]
    assert feed.entries[1].summary == facts[1]["dek"] and not facts[1]["what_changed"]  # built without BASE: its dek
    assert len({e.id for e in feed.entries}) == 2
    for path in [site / "feed.xml", *site.glob("**/*.html")]:  # the builder's folders (BUILD, BASE) are on no page and not in the feed
        if path.suffix in (".html", ".json", ".xml"):
            assert str(site.parent) not in path.read_text(encoding="utf-8"), path


@pytest.mark.build
def test_front_page_lists_the_editions_and_links_resolve(real_site):
    site, _, _ = real_site
    front = (site / "index.html").read_text(encoding="utf-8")
    aside = front[front.index('<aside class="site-editions"'):]
    assert re.findall(r'<time datetime="([0-9-]+)"', aside) == ["2026-05-06", "2025-06-18"]
    assert aside.count('<p class="site-changed">What changed:</p>') == 1  # the later edition's, with its lines
    for date in ("2026-05-06", "2025-06-18"):
        headline = json.loads((site / "editions" / date / "story" / "edition.json").read_text(encoding="utf-8"))["headline"]
        assert htmllib.escape(headline, quote=False) in aside
    # the front page is the newest edition's page
    newest = (site / "editions" / "2026-05-06" / "briefing.html").read_text(encoding="utf-8")
    assert re.search(r"<h1[^>]*>.*?</h1>", newest, re.DOTALL).group(0) in front
    links_resolve(site)


@pytest.mark.build
def test_previous_and_next(real_site):
    site, _, _ = real_site
    old = (site / "editions" / "2025-06-18" / "index.html").read_text(encoding="utf-8")
    new = (site / "editions" / "2026-05-06" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../editions/2026-05-06/" rel="next"' in old and 'rel="prev"' not in old
    assert 'href="../../editions/2025-06-18/" rel="prev"' in new and 'rel="next"' not in new
    for date in ("2025-06-18", "2026-05-06"):
        _, problems = verify(site / "editions" / date, frozenset({"index.html"}))
        assert not problems


@pytest.mark.build
def test_publish_again_is_a_no_op_and_a_tampered_site_is_refused(real_site, tmp_path: Path):
    site, default, _ = real_site
    before = tree(site)
    proc = publish_make(default, site)
    assert proc.returncode == 0 and "already published, identical; nothing changed" in proc.stdout, proc.stdout + proc.stderr
    assert tree(site) == before
    copy = tmp_path / "site"
    shutil.copytree(site, copy, symlinks=True)
    html = copy / "editions" / "2026-05-06" / "briefing.html"
    html.write_text(html.read_text(encoding="utf-8").replace("</h1>", " (edited)</h1>", 1), encoding="utf-8")
    before = tree(copy)
    proc = publish_make(default, copy)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert "editions/2026-05-06: changed: briefing.html" in lines[0] and "the site was not changed" in lines[0], proc.stderr
    assert tree(copy) == before


@pytest.mark.build
def test_site_pages_pass_axe_and_keep_the_page_structure(real_site):
    from playwright.sync_api import sync_playwright
    from test_accessibility import ARGS, CHROMIUM, _axe, _describe

    site, _, _ = real_site
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for path in (site / "index.html", site / "editions" / "2025-06-18" / "index.html"):
                page = browser.new_page(viewport={"width": 390, "height": 844})
                blocked: list[str] = []

                def route(r, blocked=blocked):
                    if r.request.url.startswith(("file:", "data:")):
                        r.continue_()
                    else:
                        blocked.append(r.request.url)
                        r.abort()

                page.route("**/*", route)
                page.goto(path.as_uri(), wait_until="load")
                assert not blocked, blocked[:3]
                bad = _axe(page, path.name)
                assert not bad, _describe(bad)
                assert page.evaluate("document.documentElement.lang") == "en"
                assert page.evaluate("document.querySelectorAll('main').length") == 1
                assert page.evaluate("document.querySelectorAll('h1').length") == 1
                assert page.evaluate("document.querySelectorAll('nav[aria-label=Editions] a').length") >= 1
                assert page.evaluate("document.documentElement.scrollWidth") <= 390
                page.close()
        finally:
            browser.close()


def test_publish_site_command_checks_site(tmp_path: Path):
    proc = subprocess.run([PY, "-m", "briefing", "publish-site", f"--build={tmp_path}", "--site="], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 2 and proc.stderr.startswith("SITE:1: site: is empty"), proc.stderr


@pytest.mark.build  # make publish
@pytest.mark.parametrize("var", ["SITE", "SITE_URL"])
@pytest.mark.parametrize("how", INJECTIONS)
def test_make_publish_refuses_a_bad_site_before_building(var, how, tmp_path: Path):
    """SITE and SITE_URL, like every Make variable, reach no shell and no parser as syntax: refused by the guard, nothing built."""
    pwned, build, site = tmp_path / "pwned", tmp_path / "build", tmp_path / "site"
    value = INJECTIONS[how].format(pwned=pwned)
    proc = make(f"BUILD={build}", f"SITE={site}", f"{var}={value}", "publish", timeout=120)
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert not pwned.exists(), f"{var}={value!r} ran a command"
    assert one_line(proc.stderr).startswith(f"{var}:1: {var.lower()}: "), proc.stderr
    assert not build.exists() and not site.exists()
    if var == "SITE":
        proc = make(f"BUILD={build}", "publish", timeout=120)  # no SITE at all
        assert one_line(proc.stderr) == "SITE:1: site: is empty (give the folder of the site, e.g. SITE=site)" and not build.exists()
