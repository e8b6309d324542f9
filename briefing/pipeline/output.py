"""The html and pdf steps: render the page (drawing/), refuse an edition whose notebooks were executed with other
parameters, and write each file whole; every failure is one sentence on stderr."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..data.problems import DataError, printable
from ..drawing.pdf import PdfError, pdf_bytes
from ..story.stage import StageError
from .execute import recorded_parameters, story_dir_recorded
from .folder import atomic_write
from .revision import RevisionError, git_revision


def mixed_parameters(notebooks: list[Path], data_dir: Path, as_of: str, base: str, story_dir: Path | None = None) -> list[str]:
    """One line per notebook executed with parameters other than this edition's (an edition never mixes them)."""
    want = {"data_dir": str(Path(data_dir).resolve()), "as_of": as_of, "base": base}
    out = []
    for path in notebooks:
        if story_dir:
            want["story_dir"] = story_dir_recorded(path, story_dir)
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


def _unreadable(paths: list[Path], what: str) -> str | None:
    """One line for the first input that is not a readable file, or None."""
    for path in paths:
        if not Path(path).is_file():
            return printable(f"{path}:1: -: {what} not found (or not a file); nothing was written")
    return None


def _write(output: Path, data: bytes) -> int:
    """output written whole, or one line saying why not (a full disk, a read-only folder): what was there is unchanged."""
    try:
        atomic_write(output, data)
    except OSError as exc:
        print(printable(f"{output}:1: -: cannot be written ({exc.strerror or exc}); the last good file is unchanged"), file=sys.stderr)
        return 1
    return 0


def write_html(notebooks: list[Path], output: Path, data_dir: Path, as_of: str, base: str | None = None, story_dir: Path | None = None) -> int:
    from ..drawing import page  # pandas, nbconvert: only for this step, not for the pdf step

    missing = _unreadable(notebooks, "executed notebook")
    if missing:
        print(missing, file=sys.stderr)
        return 1
    try:
        html = page.build_html(notebooks, data_dir, as_of, git_revision(), story_dir)
    except (DataError, RevisionError, StageError) as exc:
        print(exc, file=sys.stderr)
        return 1
    mixed = mixed_parameters(notebooks, data_dir, as_of, base, story_dir) if base is not None else []
    if mixed:
        print("\n".join(mixed), file=sys.stderr)
        return 1
    return _write(output, html.encode("utf-8"))


def write_pdf(html_path: Path, output: Path) -> int:
    """A4 PDF from the same HTML (drawing/pdf.py), written whole."""
    missing = _unreadable([html_path], "HTML briefing")
    if missing:
        print(missing, file=sys.stderr)
        return 1
    try:
        data = pdf_bytes(html_path)
    except PdfError as exc:
        print(exc, file=sys.stderr)
        return 1
    return _write(output, data)
