"""Where things live, so nothing else spells out '../data'.

From a checkout (an editable install, or `python -m briefing` in the repository) ROOT is the
checkout. Installed with `pip install .`, the package sits in site-packages, far from any data:
ROOT is then the current directory, so `data/` and the git revision are the ones of the folder
the command runs in, and `--data` (or papermill's `-p data_dir`) names another.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _checkout() -> Path | None:
    root = PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir() else None


CHECKOUT = _checkout()  # None when the package is installed rather than run from the repository
ROOT = CHECKOUT or Path.cwd()
DATA_DIR = ROOT / "data"
NOTEBOOKS_DIR = ROOT / "notebooks"
BUILD_DIR = ROOT / "build"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
SCHEMA_NAME = "datapackage.json"
KERNEL_NAME = "scale-briefing"


def wait_limit(timeout: int | None = None) -> int:
    """How long the build waits for what is not a notebook's own work (a kernel's start, a finished cell's
    output, git), in seconds: TIMEOUT (given, or as the Makefile exports it, BRIEFING_TIMEOUT), but never
    less than 300. A busy machine only slows such a wait, and each ends as soon as its answer comes, so
    it gets a generous limit rather than a short one of its own (nor a short TIMEOUT meant for cells)."""
    if timeout is None:
        value = os.environ.get("BRIEFING_TIMEOUT", "")
        timeout = int(value) if value.isdigit() and int(value) <= 86400 else 0
    return max(int(timeout), 300)


def default_sources_dir() -> Path | None:
    """The source collection beside the project (../shared/sources), if present."""
    env = os.environ.get("SOURCES")
    if env:
        return Path(env)
    candidate = ROOT.parent / "shared" / "sources"
    return candidate if candidate.is_dir() else None
