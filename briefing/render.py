"""Executed notebooks -> one self-contained HTML briefing (nbconvert, own template) -> PDF (WeasyPrint)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html import escape
from pathlib import Path

from . import __version__, fmt
from .paths import ROOT, TEMPLATES_DIR, wait_limit

PROJECT = "Scale AI briefing project"
SKIP_TAGS = {"parameters", "injected-parameters", "setup", "notebook-only"}  # notebook-only: e.g. its own sources list, for Lab


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary name beside path, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class RevisionError(Exception):
    """git could not say which revision the edition is built from; str() is one sentence."""


def git_revision(path: Path = ROOT, timeout: int | None = None) -> str:
    """The commit the edition is built from ("+changes" when tracked files differ from it), or "unknown"
    outside a git repository or without git. Never a guess: a git that does not answer in time or fails
    raises RevisionError, because the colophon would then differ from the next build's for nothing."""
    limit = wait_limit(timeout)
    # git status runs the nbstripout filter on each notebook whose timestamps changed since the index
    # last saw it (after a checkout, an edit, a save in JupyterLab): about 2.5 s each, and much longer
    # on a busy machine (10 s was too short: 'unknown', a different page), so the limit is generous;
    # git then records them, and the next call is instant.
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        rev = subprocess.run(["git", "-C", str(path), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, timeout=limit, env=env, check=False)
        if rev.returncode:
            return "unknown"  # not a repository (an installed package run in a plain folder), or no commit yet
        dirty = subprocess.run(["git", "-C", str(path), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True,
                               timeout=limit, env=env, check=False)
    except subprocess.TimeoutExpired as exc:
        raise RevisionError(f"git did not answer within {limit} s ({' '.join(exc.cmd[3:5])} in {path}; it filters notebooks whose "
                            "timestamps changed, slow on a busy machine); the colophon needs the revision, so nothing was written: "
                            "run make again, or raise TIMEOUT=") from None
    except OSError:
        return "unknown"  # no git
    if dirty.returncode:
        said = (dirty.stderr.strip().splitlines() or ["no message"])[-1]
        raise RevisionError(f"git status failed in {path} ({said}); the colophon needs to know whether the checkout has changes, "
                            "so nothing was written: fix what git says (e.g. make setup, for the nbstripout filter) and run make again")
    return rev.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def data_last_date(d) -> str:
    """The latest date anywhere in the (filtered) data: what the edition is current to."""
    dates = list(d.events["date"]) + list(d.relationships["as_of"]) + list(d.sources["known_from"])
    return max(dates) if dates else (d.as_of or "")


def combine(notebooks: list[Path]):
    """The executed notebooks as one notebook, minus parameter cells."""
    from .execute import fast_nbformat

    fast_nbformat()
    import nbformat

    book = nbformat.v4.new_notebook()
    for path in notebooks:
        nb = nbformat.read(str(path), as_version=4)
        if nb.metadata.get("briefing", {}).get("layer") == "appendix" and not book.metadata.get("appendix"):
            # the appendix opens here and holds everything after it, the sources included (the template closes it)
            book.cells.append(nbformat.v4.new_raw_cell("", metadata={"tags": ["open-appendix"]}, id=f"{path.stem}-open"))
            book.metadata["appendix"] = True
        for i, cell in enumerate(nb.cells):
            if SKIP_TAGS & set(cell.metadata.get("tags", [])):
                continue
            cell["id"] = f"{path.stem}-{i}"  # unique and stable across the combined book
            book.cells.append(cell)
    book.cells = _drop_empty_sections(book.cells)
    book.metadata["kernelspec"] = {"name": "scale-briefing", "display_name": "Scale briefing", "language": "python"}
    return book


def _is_heading(cell) -> bool:
    return cell.cell_type == "markdown" and cell.source.lstrip().startswith("#")


def _shows_something(cell) -> bool:
    if cell.cell_type == "markdown":
        return bool(cell.source.strip()) and not cell.source.lstrip().startswith("<!--")
    return any(str(o.get("data", {}).get("text/html", "")).strip() for o in cell.get("outputs", ()))


def _drop_empty_sections(cells: list) -> list:
    """A heading with nothing under it before the next heading (every sentence withheld in this edition) is dropped."""
    out = []
    for i, cell in enumerate(cells):
        if _is_heading(cell):
            rest = []
            for nxt in cells[i + 1:]:
                if _is_heading(nxt):
                    break
                rest.append(nxt)
            if not any(_shows_something(c) for c in rest):
                continue
        out.append(cell)
    return out


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
        head = f" \u2014 \u201c{escape(s['headline'])}\u201d" if s["headline"] else ""
        date = f"published {fmt.date_text(s['published'])}" if s["published"] else f"undated; reports events up to {fmt.date_text(s['known_from'])}"
        where = f"text {texts[s['document']]}" + (f", item {int(float(s['item']))}" if s["item"] else "") + (", closing summary" if s["item"] == "" and sid.endswith("summary") else "")
        credited = f"; relays reporting by {escape(s['credited_to'].replace(';', ', '))}" if s["credited_to"] else ""
        qs = list(dict.fromkeys(quotes.get(sid, [])))
        quoted = ""
        if qs:
            more = (f'<li class="note">\u2026 and {len(qs) - MAX_QUOTES:,} more, in the CSV downloads</li>') if len(qs) > MAX_QUOTES else ""
            quoted = (f'<details class="quoted"><summary>Quoted passages ({len(qs):,})</summary><ul>'
                      + "".join(f"<li><q>{escape(q)}</q></li>" for q in qs[:MAX_QUOTES]) + more + "</ul></details>")
        shown_date = "" if date == last_date else f"; {date}"  # a run of items of one text says its date once
        last_date = date
        items.append(
            f'<li id="src-{escape(sid)}" value="{d.citation_number(sid)}" title="{escape(sid)}: {escape(date)}"><strong>{escape(name)}</strong>{head}'
            f' <span class="meta">{escape(where[:1].upper() + where[1:])}{escape(shown_date)}{credited}.</span>{quoted}</li>'
        )
    h = f"h{level}"
    if not items:
        return f'<section class="sources" aria-labelledby="sources-h"><{h} id="sources-h">{title}</{h}><p>No source had been published by this date.</p></section>'
    intro = ("<p class=\"note\">Numbers in brackets in the text point here. Each source is a text, or an item of a text, in the project's "
             "source collection; every quoted passage is checked word for word against it.</p>")
    return f'<section class="sources" aria-labelledby="sources-h"><{h} id="sources-h">{title}</{h}>{intro}<ol>{"".join(items)}</ol></section>'


def page_meta(d, headline: str) -> dict:
    edition = d.as_of or data_last_date(d)
    rev = git_revision()
    desc = (f"How Meta's investment in Scale AI moved its clients and rivals: {len(d.events)} events and "
            f"{len(d.figures)} figures from {len(d.sources)} sources, each with its quote.")
    ld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": headline[:110],
        "description": desc, "datePublished": edition, "dateModified": data_last_date(d),
        "author": {"@type": "Organization", "name": PROJECT}, "inLanguage": "en",
        "about": ["Meta", "Scale AI", "data labeling"],
        "citation": [{"@type": "CreativeWork", "name": s["headline"] or s["document"], "publisher": s["outlet"] or None,
                      "identifier": sid} for sid, s in d.sources.iterrows()],
    }
    if d.as_of:
        edition_line = f"Edition as of {fmt.date_text(d.as_of)}: the story as it was known that day"
    else:
        edition_line = f"Edition of {fmt.date_text(edition)}, with all reporting to date" if edition else "Edition with no data"
    return {
        "title": headline, "description": desc, "author": PROJECT, "generator": f"scale-briefing {__version__}",
        "keywords": "Meta, Scale AI, Alexandr Wang, data labeling, OpenAI, Google, AI", "edition_date": edition, "as_of": d.as_of or "",
        "data_modified": data_last_date(d), "edition_line": edition_line,
        "json_ld": ld,  # the template writes it with Jinja's tojson, which escapes <, >, & and '
        "colophon": (f"Built by {PROJECT} (scale-briefing {__version__}) from data/" + (f" at revision {rev}. " if rev != "unknown" else ". ") +
                     "Every number is computed from the curated CSVs; every row cites a source and quotes it."),
    }


def build_html(notebooks: list[Path], data_dir: Path, as_of: str) -> str:
    from .data import load
    from .lead import moved_on

    d = load(data_dir, as_of)
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(extra_template_basedirs=[str(TEMPLATES_DIR)], template_name="briefing", exclude_input=True)
    book = combine(notebooks)
    resources = {
        "appendix": book.metadata.get("appendix", False),
        "css": (TEMPLATES_DIR / "briefing" / "briefing.css").read_text(encoding="utf-8"),
        "sources_html": sources_section(d),
        "meta": {**page_meta(d, d.headline()), "budget": "later" if moved_on(d) else "deal"},
    }
    body, _ = exporter.from_notebook_node(book, resources=resources)
    return body


def mixed_parameters(notebooks: list[Path], data_dir: Path, as_of: str, base: str) -> list[str]:
    """One line per notebook executed with parameters other than this edition's (an edition never mixes them)."""
    from .execute import recorded_parameters

    want = {"data_dir": str(Path(data_dir).resolve()), "as_of": as_of, "base": base}
    out = []
    for path in notebooks:
        try:
            got = recorded_parameters(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            got = None
        if got != want:
            had = "no recorded parameters" if not isinstance(got, dict) else \
                ", ".join(f"{k}={got.get(k)!r}" for k in want if got.get(k) != want[k])
            out.append(f"{path}: executed with {had}, not this edition's "
                       f"({', '.join(f'{k}={want[k]!r}' for k in want if not isinstance(got, dict) or got.get(k) != want[k])}); "
                       "an edition never mixes parameter sets: run make again")
    return out


def write_html(notebooks: list[Path], output: Path, data_dir: Path, as_of: str, base: str | None = None) -> int:
    from .validate import DataError

    try:
        html = build_html(notebooks, data_dir, as_of)
    except (DataError, RevisionError) as exc:
        print(exc, file=sys.stderr)
        return 1
    mixed = mixed_parameters(notebooks, data_dir, as_of, base) if base is not None else []
    if mixed:
        print("\n".join(mixed), file=sys.stderr)
        return 1
    atomic_write(output, html.encode("utf-8"))
    return 0


def write_pdf(html_path: Path, output: Path) -> int:
    """A4 PDF from the same HTML, fonts embedded, metadata set, no LaTeX, no browser."""
    try:
        from weasyprint import HTML
    except ImportError as exc:  # e.g. an installed package without its dependencies
        print(f"WeasyPrint is not installed in {sys.executable} ({exc.msg}); install it: {sys.executable} -m pip install weasyprint "
              "(or make setup in a checkout)", file=sys.stderr)
        return 1
    except OSError as exc:  # WeasyPrint needs the system's Pango
        print(f"WeasyPrint cannot load Pango ({str(exc).splitlines()[0]}); install it: apt-get install -y libpango-1.0-0 libpangoft2-1.0-0", file=sys.stderr)
        return 1
    import io

    html = html_path.read_text(encoding="utf-8")
    doc = HTML(string=html, base_url=str(html_path.parent), media_type="print")
    buf = io.BytesIO()
    # Tagged (PDF/UA-1: structure tree in reading order, language, title) for screen readers and reflow.
    # Deterministic: no wall-clock creation date; the ID derives from the content.
    doc.write_pdf(buf, pdf_variant="pdf/ua-1", pdf_identifier=None, uncompressed_pdf=False, custom_metadata=False)
    atomic_write(output, buf.getvalue())
    return 0
