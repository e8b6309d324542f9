"""Where things live, so nothing else spells out '../data'."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
NOTEBOOKS_DIR = ROOT / "notebooks"
BUILD_DIR = ROOT / "build"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
SCHEMA_NAME = "datapackage.json"
KERNEL_NAME = "scale-briefing"


def default_sources_dir() -> Path | None:
    """The source collection beside the project (../shared/sources), if present."""
    env = os.environ.get("SOURCES")
    if env:
        return Path(env)
    candidate = ROOT.parent / "shared" / "sources"
    return candidate if candidate.is_dir() else None
