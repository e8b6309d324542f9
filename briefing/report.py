"""What a build tells its reader: one line per notebook as it finishes, and a closing summary.

    python -m briefing summary --build build --started 1764625000.1

The summary names what the build wrote, its size and page count, the edition and the time taken.
"""

from __future__ import annotations

import re
import time
from html import unescape
from pathlib import Path


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


def edition_line(html_path: Path) -> str:
    """The edition line of a built briefing ("Edition of June 19, 2025, with all reporting to date")."""
    try:
        html = html_path.read_text(encoding="utf-8")
    except OSError:
        return ""
    m = re.search(r'<p class="edition-line"[^>]*>(.*?)</p>', html, re.DOTALL)
    return unescape(m.group(1)).strip() if m else ""


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
    took = f" in {now - started:.1f} s" if started else ""
    head = (edition_line(html) or "Briefing") + f": built{took}"
    width = max((len(a) for a, _ in rows), default=0)
    return "\n".join([head, *(f"  {a:<{width}}  {b}" for a, b in rows)])


def progress(notebook: str, seconds: float) -> str:
    return f"executed {notebook} in {seconds:.1f} s"
