"""The page: the executed notebooks, combined (notebooks.py), through nbconvert and the briefing template into one
self-contained HTML briefing, with its numbered sources, its metadata and its colophon."""

from __future__ import annotations

from pathlib import Path

from .. import __version__
from ..data import fmt
from ..data.dataset import load
from ..story import stage
from ..story.lead import headline, moved_on
from ..story.outlets import outlet_name
from .markup import render
from .notebooks import combine

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"  # the nbconvert template "briefing": index.html.j2, briefing.css


def data_last_date(d) -> str:
    """The latest date anywhere in the (filtered) data: what the edition is current to."""
    dates = list(d.events["date"]) + list(d.relationships["_first"]) + list(d.sources["known_from"])
    return max(dates) if dates else (d.as_of or "")


MAX_QUOTES = 6  # quoted passages listed per source; the rest are in the CSV downloads


def sources_section(d, only=None, title: str = "Sources", level: int = 3) -> str:
    """The numbered source list the text cites: outlet or headline, date, where in the collection, and its quoted words.
    only: just these source ids (a notebook's own list, for its citation links in JupyterLab)."""
    quotes: dict[str, list[str]] = {}
    for df, col in ((d.figures, "source_id"), (d.all_events, "source_ids"), (d.relationships, "source_ids"), (d.claims, "source_ids")):
        for ids, q in zip(df[col], df["quote"]):
            quotes.setdefault(ids.split(";")[0].strip(), []).append(q)
    texts = {doc: i + 1 for i, doc in enumerate(dict.fromkeys(d.all_sources["document"]))}  # the collection's texts, numbered
    items, last_date = [], None
    for sid, s in d.sources.iterrows():
        if only is not None and sid not in only:
            continue
        name = s["outlet"] or "Outlet not named"
        if s["outlet"] and s["outlet_basis"].startswith("collection README"):
            name += " (per the collection's notes)"
        date = f"published {fmt.period_text(s['published'])}" if s["published"] else f"undated; reports events up to {fmt.date_text(s['known_from'])}"
        where = f"text {texts[s['document']]}" + (f", item {int(float(s['item']))}" if s["item"] else "") + (", closing summary" if s["item"] == "" and sid.endswith("summary") else "")
        shown_date = "" if date == last_date else f"; {date}"  # a run of items of one text says its date once
        last_date = date
        items.append({"id": sid, "number": d.citation_number(sid), "date": date, "name": name, "headline": s["headline"],
                      "where": where[:1].upper() + where[1:], "shown_date": shown_date, "credited_to": s["credited_to"].replace(";", ", "),
                      "quotes": list(dict.fromkeys(quotes.get(sid, [])))})
    return str(render("sources", level=level, title=title, sources=items, max_quotes=MAX_QUOTES))


def page_meta(d, headline: str, rev: str) -> dict:
    """The page's metadata; rev is the git revision the edition is built from ("unknown": none, and the colophon names none)."""
    edition = d.as_of or data_last_date(d)
    desc = d.story.text("description", events=len(d.events), figures=len(d.figures), sources=len(d.sources))
    ld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": headline[:110],
        "description": desc, "datePublished": edition, "dateModified": data_last_date(d),
        "author": {"@type": "Organization", "name": d.story.author}, "inLanguage": "en",
        "about": list(d.story.about),
        "citation": [{"@type": "CreativeWork", "name": s["headline"] or s["document"], "publisher": outlet_name(s) or None,
                      "identifier": sid} for sid, s in d.sources.iterrows()],
    }
    if d.as_of:
        edition_line = f"Edition as of {fmt.date_text(d.as_of)}: the story as it was known that day"
    else:
        edition_line = f"Edition of {fmt.date_text(edition)}, with all reporting to date" if edition else "Edition with no data"
    return {
        "title": headline, "description": desc, "author": d.story.author, "generator": f"scale-briefing {__version__}",
        "keywords": ", ".join(d.story.keywords), "edition_date": edition, "as_of": d.as_of or "",
        "data_modified": data_last_date(d), "edition_line": edition_line,
        "json_ld": ld,  # the template writes it with Jinja's tojson, which escapes <, >, & and '
        "colophon": colophon(rev, d.story.author),
    }


def colophon(rev: str, author: str) -> str:
    """The page's last line: who built it, with what, from which git revision ("unknown": none named)."""
    return (f"Built by {author} (scale-briefing {__version__}) from data/" + (f" at revision {rev}. " if rev != "unknown" else ". ") +
            "Every number is computed from the curated CSVs; every row cites a source and quotes it.")


def build_html(notebooks: list[Path], data_dir: Path, as_of: str, revision: str, story_dir: Path | None = None) -> str:
    """The page. With story_dir (a build's BUILD/story), its metadata is the story stage's and the data is not validated
    again; without, both are computed here (a notebook folder rendered by hand)."""
    from nbconvert import HTMLExporter

    if story_dir is not None:
        s = stage.read(story_dir, data_dir)
        d = stage.attach(load(data_dir, as_of, checked=False), s)
        head = {**s.edition["page"], "colophon": colophon(revision, s.edition["author"])}
    else:
        d = load(data_dir, as_of)
        head = {**page_meta(d, headline(d), revision), "budget": "later" if moved_on(d) else "deal"}

    exporter = HTMLExporter(extra_template_basedirs=[str(TEMPLATES_DIR)], template_name="briefing", exclude_input=True)
    book = combine(notebooks)
    resources = {
        "appendix": book.metadata.get("appendix", False),
        "css": (TEMPLATES_DIR / "briefing" / "briefing.css").read_text(encoding="utf-8"),
        "sources_html": sources_section(d),
        "meta": head,
    }
    body, _ = exporter.from_notebook_node(book, resources=resources)
    return body
