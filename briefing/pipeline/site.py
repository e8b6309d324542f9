"""The site: a static archive of editions that `make publish SITE=dir` adds the current edition to.

    SITE/editions/YYYY-MM-DD/   the edition bundle (briefing.html, briefing.pdf, data/, story/ with the story's facts in
                                story/edition.json, MANIFEST.json) as `make edition` made it, plus card.png (its social
                                card), listed in its MANIFEST.json, so `make verify-edition DIR=SITE/editions/DATE` checks
                                it too; written once, never rewritten
    SITE/editions/DATE/index.html   the edition's page: its record (briefing.html) with a previous/next bar and the Open
                                Graph tags; regenerated on each publish (a new edition changes its neighbour's "next")
    SITE/index.html, feed.xml   the newest edition's page with the list of all editions, and the Atom feed

Everything generated is made from the editions' own files (story/edition.json and briefing.html: sitepages.py), so the
site can be rebuilt from editions/ alone.
A publish checks the bundle and every edition already in the site against its MANIFEST, then builds the new site beside
SITE (unchanged files hard-linked, so an edition's files keep their inodes and dates), checks the new copy, and puts it
in place by one atomic exchange of the two folders (Linux renameat2; elsewhere two renames, as edition.py does): a publish
killed at any point leaves SITE as it was. SITE/.lock (kept
through the exchange) makes a second publish wait. Publishing an edition the site already holds, identical, writes nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
import unicodedata
from pathlib import Path

from ..data.cells import parse_date
from ..data.jsonfile import read as read_json
from ..data.package import data_digest
from ..data.problems import printable
from ..story.stage import EDITION as STAGE_FACTS
from .edition import MANIFEST, EditionError, move_into_place, verify
from .folder import EDITION, STORY, digest, temp_of
from .lock import alive
from .sitepages import CARD, EDITIONS, FEED, PAGE, Edition, PageError, render

FACTS = f"{STORY}/{STAGE_FACTS}"  # in a bundle: the story stage's facts of the edition
ADDED = (CARD,)  # what the site adds to a bundle, listed in the site copy's MANIFEST.json
LOCK = ".lock"
TEXT_KEYS = ("headline", "dek", "edition", "edition_text", "as_of", "title", "description", "author", "generator")
SAME_KEYS = ("edition", "title", "as_of", "generator")  # what MANIFEST.json (from the page) and edition.json both say


class SiteError(Exception):
    """A publish that cannot go ahead; str() is one line, and the site is unchanged."""


def _control(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") and c not in "\n\t" for c in text)


def read_facts(path: Path) -> dict:
    """edition.json, checked: the texts the site shows are strings without control characters, the date a real date."""
    try:
        facts = read_json(path)
    except (OSError, ValueError) as exc:
        raise SiteError(f"{path}: cannot be read ({getattr(exc, 'strerror', None) or exc}); build the edition first (make BUILD=...)") from None
    if not isinstance(facts, dict):
        raise SiteError(f"{path}: not a JSON object of an edition's facts")
    for key in TEXT_KEYS:
        if not isinstance(facts.get(key), str) or _control(facts[key]):
            raise SiteError(f"{path}: {key}: {'missing or not text' if not isinstance(facts.get(key), str) else 'holds a control character'}")
    lines = facts.get("what_changed", [])
    if not isinstance(lines, list) or not all(isinstance(x, str) and not _control(x) for x in lines):
        raise SiteError(f"{path}: what_changed: not a list of plain lines")
    if parse_date(facts["edition"])[1]:
        raise SiteError(f"{path}: edition: {printable(facts['edition'])!r} is not an edition date (YYYY-MM-DD)")
    return facts


def _check_pair(manifest: dict, facts: dict, bundle: Path, facts_path: Path) -> None:
    """edition.json and the bundle are of the same build: what both say agrees, and the facts were computed from its data."""
    for key in SAME_KEYS:
        if key in manifest and str(manifest[key]) != facts.get(key):
            raise SiteError(f"{facts_path}: {key}: {printable(facts.get(key))!r}, but {bundle / MANIFEST} says {printable(manifest[key])!r}; "
                            "they are not of the same build (run make edition again)")
    if facts.get("data_digest") != data_digest(bundle / "data"):
        raise SiteError(f"{facts_path}: data_digest: computed from other data than {bundle}/data holds; run make edition again")


@contextlib.contextmanager
def locked(site: Path):
    """SITE's lock, for as long as the publish runs (a second publish into the same SITE waits)."""
    fd = os.open(site / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"SITE={printable(site)} is being published to by another make; waiting for it to finish…", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def remove_stale(site: Path) -> list[str]:
    """The new-site folders of publishes that were killed (.SITE.tmp-PID, .SITE.old-PID beside SITE, their process gone)."""
    removed = []
    for p in sorted(site.parent.glob(f".{site.name}.*")):
        temp = temp_of(p.name)
        if temp and temp[0] == site.name and p.is_dir() and not p.is_symlink() and not alive(temp[1]):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p.name)
    return removed


def read_site(site: Path) -> list[Edition]:
    """The editions the site holds, oldest first, each checked against its MANIFEST.json; SiteError for the first that fails."""
    names = {p.name for p in site.iterdir()} - {LOCK}
    root = site / EDITIONS
    if names and not (root.is_dir() and not root.is_symlink()):
        raise SiteError(f"{site}: holds files but no {EDITIONS}/ folder; it is not a site (choose a new or empty folder for SITE)")
    editions = []
    for p in sorted(root.iterdir()) if names else []:
        if parse_date(p.name)[1] or p.is_symlink() or not p.is_dir():
            raise SiteError(f"{p}: not an edition (editions/ holds only YYYY-MM-DD folders); the site was not changed")
        try:
            manifest, problems = verify(p, frozenset({PAGE}))
        except EditionError as exc:
            raise SiteError(f"{exc}; the site was not changed") from None
        problems += [f"missing: {n} (not listed in {MANIFEST}; not an edition as the site adds it)" for n in ADDED if n not in manifest["files"]]
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise SiteError(f"{p}: {problems[0]}{more}; this edition is not as published, so the site was not changed")
        facts = read_facts(p / FACTS)
        if facts["edition"] != p.name:
            raise SiteError(f"{p / FACTS}: edition: {facts['edition']!r}, not the folder's date; the site was not changed")
        editions.append(Edition(p.name, facts, (p / "briefing.html").read_text(encoding="utf-8")))
    return editions


def _difference(site_manifest: dict, manifest: dict) -> str:
    """Why the site's copy of an edition is not this bundle ('' when it is)."""
    files = {k: v for k, v in site_manifest.get("files", {}).items() if k not in ADDED}
    if files != manifest["files"]:
        changed = sorted(set(files) ^ set(manifest["files"]) | {k for k in files if files[k] != manifest["files"].get(k, files[k])})
        return f"its {', '.join(changed[:3]) or 'files'} differ"
    other = sorted(k for k in set(site_manifest) | set(manifest) if k != "files" and site_manifest.get(k) != manifest.get(k))
    if other:
        return f"its MANIFEST.json says another {', '.join(other[:3])}"
    return ""


def _content(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() and not path.is_symlink() else None
    except OSError:
        return None


def _link_tree(src: Path, dst: Path) -> None:
    """dst: a copy of the folder src whose files are hard links to src's (same content, inode and date; copied where links fail)."""
    dst.mkdir()
    shutil.copymode(src, dst)
    for entry in os.scandir(src):
        s, d = Path(entry.path), dst / entry.name
        if entry.is_symlink():
            os.symlink(os.readlink(s), d)
        elif entry.is_dir(follow_symlinks=False):
            _link_tree(s, d)
        elif entry.is_file(follow_symlinks=False):
            try:
                os.link(s, d)
            except OSError:
                shutil.copy2(s, d)
        else:
            raise SiteError(f"{s}: neither a file nor a folder (a FIFO or a socket?); the site was not changed")


def _add_edition(folder: Path, bundle: Path, manifest: dict, card: bytes) -> None:
    """Write the site's copy of an edition into folder: the bundle's files, the card and the wider MANIFEST.json."""
    listing = dict(manifest["files"])
    for rel in listing:
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(bundle / rel, folder / rel)
    for name, data in ((CARD, card),):
        (folder / name).write_bytes(data)
        sha, size = digest(folder / name)
        listing[name] = {"bytes": size, "sha256": sha}
    text = json.dumps({**manifest, "files": listing}, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    (folder / MANIFEST).write_text(text, encoding="utf-8")


def _card(bundle: Path, facts: dict) -> bytes:
    """The edition's social card, from the data it bundles (validated when it was built: rules are not run again)."""
    from ..data.dataset import load
    from ..drawing.card import card_png

    return card_png(load(bundle / "data", facts["as_of"] or None, rules=False), facts["headline"], facts["edition_text"])


def publish(site: Path, build: Path, site_url: str = "") -> str:
    """Add BUILD's edition (BUILD/edition, made by make edition) to SITE; returns what was done, in a sentence."""
    bundle, shown = Path(build) / EDITION, printable(site)
    facts_path = bundle / FACTS
    try:
        manifest, problems = verify(bundle)
    except EditionError as exc:
        raise SiteError(f"{exc}; nothing was published") from None
    if problems:
        raise SiteError(f"{bundle}: {problems[0]}; the edition is not as built, nothing was published (run make edition again)")
    facts = read_facts(facts_path)
    _check_pair(manifest, facts, bundle, facts_path)
    date = facts["edition"]
    if Path(site).exists() and not Path(site).is_dir():
        raise SiteError(f"SITE={shown}: not a folder")
    real = Path(site).resolve()
    created = not real.exists()
    real.mkdir(parents=True, exist_ok=True)
    try:
        with locked(real):
            return _publish_locked(real, shown, bundle, manifest, facts, date, site_url)
    except BaseException:
        if created and {p.name for p in real.iterdir()} <= {LOCK}:  # a first publish that failed leaves no folder behind
            (real / LOCK).unlink(missing_ok=True)
            real.rmdir()
        raise


def _publish_locked(site: Path, shown: str, bundle: Path, manifest: dict, facts: dict, date: str, site_url: str) -> str:
    for name in remove_stale(site):
        print(f"SITE={shown}: removed {printable(name)} beside it, left by a publish that was killed", file=sys.stderr)
    editions = read_site(site)
    held = {e.date for e in editions}
    card = None
    if date in held:
        why = _difference(read_json(site / EDITIONS / date / MANIFEST), manifest)
        if why:
            raise SiteError(f"{site / EDITIONS / date}: the site already holds another edition of {date} ({why}); "
                            "editions are never overwritten, so nothing was published")
    else:
        card = _card(bundle, facts)
        html = (bundle / "briefing.html").read_text(encoding="utf-8")
        editions = sorted([*editions, Edition(date, facts, html)], key=lambda e: e.date)
    try:
        pages = render(editions, site_url)
    except PageError as exc:
        raise SiteError(f"{exc}; nothing was published") from None
    writes = {rel: data for rel, data in pages.items() if _content(site / rel) != data}
    if card is None and not writes:
        return f"SITE={shown}: the edition of {date} is already published, identical; nothing changed"
    tmp = site.with_name(f".{site.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        _link_tree(site, tmp)
        if card is not None:
            (tmp / EDITIONS).mkdir(exist_ok=True)
            (tmp / EDITIONS / date).mkdir()
            _add_edition(tmp / EDITIONS / date, bundle, manifest, card)
        for rel, data in writes.items():
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.unlink(missing_ok=True)  # a hard link to the live site's file: never write through it
            path.write_bytes(data)
        if [e.date for e in read_site(tmp)] != [e.date for e in editions]:  # the new copy, checked as the next publish will
            raise SiteError(f"SITE={shown}: the new site does not hold the editions it should; nothing was published")
        move_into_place(tmp, site)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    what = f"added the edition of {date} ({EDITIONS}/{date}/)" if card is not None else f"regenerated the pages around the edition of {date}"
    return f"SITE={shown}: {what}; {len(editions)} edition(s), {PAGE} and {FEED} up to date"
