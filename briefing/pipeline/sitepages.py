"""The site's generated files, from its editions alone (each one's edition.json and briefing.html): each edition's page
(editions/DATE/index.html: its record, briefing.html, with the previous/next bar and the social-card tags added), the
front page (index.html: the newest edition's page and the list of all editions) and the Atom feed (feed.xml, by
feedgen). Markup comes from the Jinja templates in templates/site/, escaped; nothing here reads a fact out of HTML."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..data import fmt
from .edition import SITE_CARD as CARD
from .edition import SITE_PAGE as PAGE

TEMPLATES = Path(__file__).resolve().parent / "templates" / "site"
EDITIONS = "editions"
FEED = "feed.xml"
CARD_SIZE = (1200, 630)  # drawing/card.py draws it at this size
# where each addition goes in the record: the tags before </head>, the bar before <main, the list after </main>
HEAD_END, MAIN_START, MAIN_END = "</head>", '<main id="content">', "</main>"


class PageError(Exception):
    """A record the site cannot add its bar to (not a briefing page as built); str() is one line."""


@dataclass(frozen=True)
class Edition:
    """One edition of the site: its date (the folder's name), its facts (edition.json) and its record (briefing.html)."""

    date: str
    facts: dict
    record: str

    @property
    def folder(self) -> str:
        return f"{EDITIONS}/{self.date}/"

    @property
    def when(self) -> str:
        return fmt.date_text(self.date)


def _env() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)


def link(target: str, here: str) -> str:
    """target (a path from the site's root; '' is the root) as a relative link from the folder here ('' or 'editions/D/')."""
    return "../" * here.count("/") + target if (here.count("/") or target) else "./"


def absolute(target: str, site_url: str, here: str = "") -> str:
    """target as link previews and feed readers should see it: under SITE_URL when given, else relative to the folder here."""
    return site_url + target if site_url else link(target, here)


def _insert(record: str, date: str, additions: dict[str, str]) -> str:
    """The record with each addition put in its place (before </head> and <main, after </main>)."""
    for mark in (HEAD_END, MAIN_START, MAIN_END):
        if record.count(mark) != 1:
            raise PageError(f"{EDITIONS}/{date}/briefing.html: {mark!r} is there {record.count(mark)} times, not once; not a briefing page as built")
    out = record
    for mark, text in additions.items():
        at = out.index(mark) + (len(mark) if mark == MAIN_END else 0)
        out = out[:at] + text + out[at:]
    return out


def page(editions: list[Edition], i: int, site_url: str, front: bool = False) -> bytes:
    """The page of editions[i] (oldest first), or the front page (front=True, the newest edition, with the list of all)."""
    env, e = _env(), editions[i]
    here = "" if front else e.folder
    target = "" if front else e.folder

    def ref(other: Edition | None):
        return None if other is None else {"href": link(other.folder, here), "when": other.when}

    head = env.get_template("head.html.j2").render(
        url=absolute(target, site_url, here), feed=link(FEED, here), feed_title=feed_title(editions), date=e.date,
        image=absolute(e.folder + CARD, site_url, here), image_width=CARD_SIZE[0], image_height=CARD_SIZE[1],
        image_alt=f"{e.facts['headline']} (the social card of the edition of {e.when}: its headline over the story's lead chart)",
        css=(TEMPLATES / "site.css").read_text(encoding="utf-8"))
    nav = env.get_template("nav.html.j2").render(previous=ref(editions[i - 1] if i > 0 else None),
                                                 next=ref(editions[i + 1] if i + 1 < len(editions) else None),
                                                 home=link("", here) + ("#editions" if front else ""))
    additions = {HEAD_END: head, MAIN_START: nav}
    if front:
        listed = [{"href": link(x.folder, here), "date": x.date, "when": x.when, "headline": x.facts["headline"], "dek": x.facts.get("dek", ""),
                   "what_changed": x.facts.get("what_changed") or []} for x in reversed(editions)]
        additions[MAIN_END] = env.get_template("editions.html.j2").render(editions=listed, feed=link(FEED, here))
    return _insert(e.record, e.date, additions).encode("utf-8")


def feed_title(editions: list[Edition]) -> str:
    """The feed's title: the editions of its author's briefing (the same as editions are added, so no page changes for it)."""
    return f"{editions[0].facts.get('author') or 'The briefing'}: every edition"


def entry_id(e: Edition, site_url: str) -> str:
    """A stable id for an edition's entry: its permalink under SITE_URL, else a name-based UUID of its date and story."""
    if site_url:
        return site_url + e.folder
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{e.facts.get('author', '')}/{EDITIONS}/{e.date}").urn


def _day(date: str) -> dt.datetime:
    return dt.datetime.fromisoformat(date).replace(tzinfo=dt.UTC)


def summary(e: Edition) -> str:
    """What changed since the edition before (plain lines), or the dek for an edition built without BASE."""
    lines = e.facts.get("what_changed") or []
    return "What changed: " + " ".join(lines) if lines else e.facts.get("dek", "")


def feed(editions: list[Edition], site_url: str) -> bytes:
    """The Atom feed: one entry per edition, newest first, its headline, date, permalink and what changed."""
    from feedgen.feed import FeedGenerator

    newest = editions[-1]
    fg = FeedGenerator()
    fg.id(site_url or uuid.uuid5(uuid.NAMESPACE_URL, f"{newest.facts.get('author', '')}/{EDITIONS}").urn)
    fg.title(feed_title(editions))
    fg.subtitle(newest.facts.get("description") or feed_title(editions))
    fg.author({"name": newest.facts.get("author") or "unknown"})
    fg.link(href=absolute("", site_url), rel="alternate")
    if site_url:
        fg.link(href=site_url + FEED, rel="self")
    fg.language("en")
    fg.generator(newest.facts.get("generator") or "scale-briefing")
    fg.updated(_day(newest.date))  # not the time of publishing: the same editions make the same feed
    for e in reversed(editions):
        fe = fg.add_entry(order="append")
        fe.id(entry_id(e, site_url))
        fe.title(e.facts["headline"])
        fe.link(href=absolute(e.folder, site_url), rel="alternate")
        fe.published(_day(e.date))
        fe.updated(_day(e.date))
        fe.summary(summary(e))
        lines = e.facts.get("what_changed") or []
        if lines:
            fe.content(_env().get_template("entry.html.j2").render(lines=lines).strip(), type="html")
    return fg.atom_str(pretty=True)


def render(editions: list[Edition], site_url: str) -> dict[str, bytes]:
    """Every generated file of the site (path from its root -> content), for editions oldest first."""
    out = {f"{e.folder}{PAGE}": page(editions, i, site_url) for i, e in enumerate(editions)}
    out[PAGE] = page(editions, len(editions) - 1, site_url, front=True)
    out[FEED] = feed(editions, site_url)
    return out
