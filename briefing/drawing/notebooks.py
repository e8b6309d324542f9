"""The executed notebooks as one book: parameter and set-up cells dropped, cell ids made unique, the appendix
opened where its notebook starts, and a heading with nothing left under it dropped."""

from __future__ import annotations

import sys
from pathlib import Path

SKIP_TAGS = {"parameters", "injected-parameters", "setup", "notebook-only"}  # notebook-only: e.g. its own sources list, for Lab


def fast_nbformat() -> None:
    """Skip jsonschema's optional rfc3987_syntax import (about 1.5 s); its URI checks are unused here."""
    sys.modules.setdefault("rfc3987_syntax", None)


def combine(notebooks: list[Path]):
    """The executed notebooks as one notebook, minus parameter cells."""
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
