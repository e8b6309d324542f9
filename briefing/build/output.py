"""The html and pdf steps: render the page (drawing/), refuse an edition whose notebooks were executed with other
parameters, and write each file whole; every failure is one sentence on stderr."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..data.problems import DataError
from ..drawing.pdf import PdfError, pdf_bytes
from .execute import recorded_parameters
from .folder import atomic_write
from .revision import RevisionError, git_revision


def mixed_parameters(notebooks: list[Path], data_dir: Path, as_of: str, base: str) -> list[str]:
    """One line per notebook executed with parameters other than this edition's (an edition never mixes them)."""
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
    from ..drawing import page  # pandas, nbconvert: only for this step, not for the pdf step

    try:
        html = page.build_html(notebooks, data_dir, as_of, git_revision())
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
    """A4 PDF from the same HTML (drawing/pdf.py), written whole."""
    try:
        data = pdf_bytes(html_path)
    except PdfError as exc:
        print(exc, file=sys.stderr)
        return 1
    atomic_write(output, data)
    return 0
