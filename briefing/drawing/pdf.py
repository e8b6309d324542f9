"""The PDF: A4 from the same HTML with WeasyPrint, fonts embedded, metadata set, tagged; no LaTeX, no browser."""

from __future__ import annotations

import io
import sys
from pathlib import Path


class PdfError(Exception):
    """WeasyPrint cannot run here; str() is one sentence saying how to install what is missing."""


def pdf_bytes(html_path: Path) -> bytes:
    """The PDF of the HTML file html_path (its folder is the base for relative links)."""
    try:
        from weasyprint import HTML
    except ImportError as exc:  # e.g. an installed package without its dependencies
        raise PdfError(f"WeasyPrint is not installed in {sys.executable} ({exc.msg}); install it: {sys.executable} -m pip install weasyprint "
                       "(or make setup in a checkout)") from None
    except OSError as exc:  # WeasyPrint needs the system's Pango
        raise PdfError(f"WeasyPrint cannot load Pango ({str(exc).splitlines()[0]}); install it: apt-get install -y libpango-1.0-0 libpangoft2-1.0-0") from None
    html = html_path.read_text(encoding="utf-8")
    doc = HTML(string=html, base_url=str(html_path.parent), media_type="print")
    buf = io.BytesIO()
    # Tagged (PDF/UA-1: structure tree in reading order, language, title) for screen readers and reflow.
    # Deterministic: no wall-clock creation date; the ID derives from the content.
    doc.write_pdf(buf, pdf_variant="pdf/ua-1", pdf_identifier=None, uncompressed_pdf=False, custom_metadata=False)
    return buf.getvalue()
