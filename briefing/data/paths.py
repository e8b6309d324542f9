"""Where the data lives, so nothing else spells out '../data'.

From a checkout (an editable install, or `python -m briefing` in the repository) ROOT is the
checkout. Installed with `pip install .`, the package sits in site-packages, far from any data:
ROOT is then the current directory, so `data/` and the git revision are the ones of the folder
the command runs in, and `--data` (or papermill's `-p data_dir`) names another.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # briefing/


def _checkout() -> Path | None:
    root = PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir() else None


CHECKOUT = _checkout()  # None when the package is installed rather than run from the repository
ROOT = CHECKOUT or Path.cwd()
DATA_DIR = ROOT / "data"
SCHEMA_NAME = "datapackage.json"


def default_sources_dir() -> Path | None:
    """The source collection beside the project (../shared/sources), if present."""
    env = os.environ.get("SOURCES")
    if env:
        return Path(env)
    candidate = ROOT.parent / "shared" / "sources"
    return candidate if candidate.is_dir() else None
