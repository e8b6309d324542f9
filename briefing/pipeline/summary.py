"""What a build tells its reader: one line per notebook as it finishes, and a closing summary.

    python -m briefing summary --build build --started 1764625000.1

The summary names what the build wrote, its size and page count, the edition and the time taken.
"""

from __future__ import annotations

import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path

from ..story.stage import EDITION
from .folder import STORY

PHONE = (390, 844)  # the phone the story is measured on, CSS px
BUDGET = {"words": 1500, "screens": 10, "pages": 6}  # the story of an edition about the deal
BUDGET_LATER = {"words": 1800, "screens": 12, "pages": 7}  # once the story has moved on (a year of news)
APPENDIX_BUDGET = {"screens": 6, "pages": 8}  # the appendix with every part folded, on a phone; printed (its folded parts as summaries)
APPENDIX_BUDGET_LATER = {"screens": 6, "pages": 10}
_APPENDIX = re.compile(r'<section[^>]*\bid="appendix"')


class _StoryText(HTMLParser):
    """The words a reader reads in the story: visible text, without citation numbers, hidden parts or closed details' bodies."""

    SKIP = frozenset({"style", "script", "title", "head"})

    def __init__(self):
        super().__init__()
        self.words, self.stack = 0, []  # stack: (tag, hidden)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        parent_hidden = bool(self.stack) and self.stack[-1][1]
        closed_details = bool(self.stack) and self.stack[-1][0] == "details" and self.stack[-1][2] and tag != "summary"
        hidden = parent_hidden or closed_details or tag in self.SKIP or "cite" in cls or "skip" in cls
        if tag in ("br", "img", "meta", "link", "input", "hr", "wbr"):
            return
        self.stack.append((tag, hidden, tag == "details" and "open" not in a))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not (self.stack and self.stack[-1][1]):
            self.words += sum(1 for w in data.split() if re.search(r"[A-Za-z0-9]", w))


def story_words(html: str) -> int:
    """Words in the story (top of the page to the appendix), as a reader reads them."""
    m = _APPENDIX.search(html)
    p = _StoryText()
    p.feed(html[: m.start()] if m else html)
    return p.words


_HEIGHTS_JS = ("() => { const a = document.querySelector('#appendix'); const r = a ? a.getBoundingClientRect() : null; "
               "return r ? [r.top + scrollY, r.height] : [document.documentElement.scrollHeight, 0]; }")


def phone_screens(html_path: Path) -> tuple[float, str] | tuple[float, str, float] | None:
    """How tall the story is on a phone, in screens: measured in Chromium when it is installed (then also the closed
    appendix's height, every folded part shut, as a third item), else laid out by WeasyPrint (the story only)."""
    try:
        from playwright.sync_api import Error, sync_playwright

        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox", "--disable-gpu", "--no-first-run",
                                                                     "--disable-background-networking", "--disable-component-update"])
            page = b.new_page(viewport={"width": PHONE[0], "height": PHONE[1]})
            page.goto(Path(html_path).resolve().as_uri())
            top, appendix = page.evaluate(_HEIGHTS_JS)
            b.close()
        return top / PHONE[1], "Chromium", appendix / PHONE[1]
    except (ImportError, OSError, Error):
        pass
    try:
        import weasyprint
    except (ImportError, OSError):
        return None
    html = Path(html_path).read_text(encoding="utf-8")
    m = _APPENDIX.search(html)
    story = html[: m.start()] + "</article></main></body></html>" if m else html
    css = weasyprint.CSS(string=f"@page {{ size: {PHONE[0]}px 100000px !important; margin: 0 !important }}")
    doc = weasyprint.HTML(string=story, media_type="screen", base_url=str(Path(html_path).parent)).render(stylesheets=[css])
    return doc.pages[0]._page_box.children[0].margin_height() / PHONE[1], "WeasyPrint, an estimate"


def _chromium() -> str:
    import shutil

    return shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"


def story_pages(pdf_path: Path) -> tuple[int, int] | None:
    """(pages of the story, pages of the appendix) in the PDF: the appendix starts where its anchor is."""
    try:
        from pypdf import PdfReader

        r = PdfReader(str(pdf_path))
        dest = r.named_destinations.get("appendix")
        n = len(r.pages)
        if dest is None:
            return n, 0
        first = r.get_destination_page_number(dest)
        return first, n - first
    except Exception:  # a damaged PDF, or no pypdf: the summary still names the files  # noqa: BLE001
        return None


def stage_edition(build_dir: Path) -> dict:
    """The edition as the build's story stage recorded it (BUILD/story/edition.json); {} when there is none."""
    try:
        e = json.loads((Path(build_dir) / STORY / EDITION).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return e if isinstance(e, dict) else {}


def budget_for(budget: str, appendix: bool = False) -> dict:
    """The reading budget of an edition whose story stage says budget "deal" or "later" (the story has moved on)."""
    later = budget == "later"
    if appendix:
        return APPENDIX_BUDGET_LATER if later else APPENDIX_BUDGET
    return BUDGET_LATER if later else BUDGET


def story_line(build_dir: Path) -> list[str]:
    """'story: 1,320 words, 8.5 phone screens, 5 PDF pages; appendix: 14 pages', and a warning per figure over budget."""
    html_path, pdf_path = Path(build_dir) / "briefing.html", Path(build_dir) / "briefing.pdf"
    if not html_path.is_file():
        return []
    html = html_path.read_text(encoding="utf-8")
    budget = stage_edition(build_dir).get("budget", "deal")
    figures = {"words": story_words(html)}
    parts = [f"{figures['words']:,} words"]
    screens = phone_screens(html_path)
    if screens:
        figures["screens"] = screens[0]
        parts.append(f"{screens[0]:.1f} phone screens" + ("" if screens[1] == "Chromium" else f" ({screens[1]})"))
    pages = story_pages(pdf_path) if pdf_path.is_file() else None
    appendix, tail = {}, []
    if len(screens or ()) > 2 and _APPENDIX.search(html):
        appendix["screens"] = screens[2]
        tail.append(f"{screens[2]:.1f} phone screens closed")
    if pages:
        figures["pages"] = pages[0]
        parts.append(f"{pages[0]} PDF page{'s' * (pages[0] != 1)}")
        appendix["pages"] = pages[1]
        tail.append(f"{pages[1]} page{'s' * (pages[1] != 1)}")
    lines = ["  story: " + ", ".join(parts) + ("; appendix: " + ", ".join(tail) if tail else "")]
    names = {"words": "words", "screens": "phone screens", "pages": "PDF pages"}
    for layer, got, limits, advice in (("story", figures, budget_for(budget), "shorten it, or move detail to the appendix"),
                                       ("appendix", appendix, budget_for(budget, appendix=True), "fold its long parts")):
        for key, limit in limits.items():
            if key in got and got[key] > limit:
                shown = f"{got[key]:,.1f}" if key == "screens" else f"{got[key]:,.0f}"  # words and pages are whole numbers
                lines.append(f"warning: the {layer} is over its budget of {limit:,} {names[key]} ({shown}): {advice}")
    return lines


def size_text(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{max(1, round(n / 1e3))} KB"


def pdf_pages(path: Path) -> int | None:
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    try:
        return len(PdfReader(str(path)).pages)
    except Exception:  # a damaged PDF: the summary still names the file  # noqa: BLE001
        return None


def summary(build_dir: Path, started: float | None = None, now: float | None = None) -> str:
    build_dir = Path(build_dir)
    now = time.time() if now is None else now
    html, pdf = build_dir / "briefing.html", build_dir / "briefing.pdf"
    rows = []
    for path in (html, pdf):
        if path.is_file():
            extra = ""
            if path.suffix == ".pdf":
                n = pdf_pages(path)
                extra = f", {n} page{'s' * (n != 1)}" if n is not None else ""
            rows.append((str(path), size_text(path.stat().st_size) + extra))
    executed = sorted((build_dir / "notebooks").glob("*.ipynb"))
    fresh = [p for p in executed if started is None or p.stat().st_mtime >= started]
    if fresh:
        rows.append((f"{build_dir / 'notebooks'}/", f"{len(fresh)} notebook{'s' * (len(fresh) != 1)} executed"))
    edition = stage_edition(build_dir)
    if edition:
        n = len(edition.get("files", ()))
        rows.append((f"{build_dir / STORY}/", f"the story stage: {n} files, computed once (headline, checks, changes, histories)"))
    took = f" in {now - started:.1f} s" if started else ""
    head = (edition.get("edition_text") or "Briefing") + f": built{took}"
    width = max((len(a) for a, _ in rows), default=0)
    return "\n".join([head, *(f"  {a:<{width}}  {b}" for a, b in rows), *story_line(build_dir)])


def progress(notebook: str, seconds: float) -> str:
    return f"executed {notebook} in {seconds:.1f} s"


def repeated_phrases(text: str, n: int = 7, limit: int = 3) -> dict[str, int]:
    """Phrases of n words that a text repeats more than `limit` times (a template opening entry after entry)."""
    words = [w.strip("\u201c\u201d\"'()[],.;:").lower() for w in text.split()]
    words = [w for w in words if w]
    counts: dict[str, int] = {}
    for i in range(len(words) - n + 1):
        key = " ".join(words[i:i + n])
        counts[key] = counts.get(key, 0) + 1
    return {k: c for k, c in counts.items() if c > limit}
