"""Shared fixtures: the project's paths, a copy of the real data, and builds into temp folders."""

from __future__ import annotations

import csv
import html as htmllib
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SOURCES = Path(os.environ.get("SOURCES") or ROOT.parent / "shared" / "sources")  # the texts the quotes come from
PY = str(ROOT / ".venv" / "bin" / "python")


def visible_text(page: str) -> str:
    """What a reader sees, citation markers aside: no tags, no SVG, styles, scripts or data: links."""
    page = re.sub(r"<(svg|style|script)\b.*?</\1>", " ", page, flags=re.DOTALL)
    page = re.sub(r'<sup class="cite">.*?</sup>', "", page, flags=re.DOTALL)
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", page)))


def append_rows(path: Path, rows: list[dict]) -> int:
    """Rows appended to a CSV under its own header, missing cells empty (as a re-runner adds news); the line of the first."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        data, fields = list(reader), list(reader.fieldnames or [])
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    w.writerows(data + [{k: r.get(k, "") for k in fields} for r in rows])
    path.write_text(out.getvalue(), encoding="utf-8")
    return len(data) + 2


def read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


# The fast tier (make test-fast): every test that needs no full build. A test builds when it runs make for a goal that
# builds, uses a fixture that does, or drives a browser or a notebook kernel: it is marked `build`, and in the fast tier a
# build it was not marked for fails it, so the marks cannot drift from what the tests do.
FAST = os.environ.get("BRIEFING_TEST_TIER") == "fast"
BUILD_GOALS = {"all", "html", "pdf", "edition", "publish", "story"}
BUILD_FIXTURES = {"built", "good", "bundle", "bundle_copy", "build_copy", "later_built", "year_on_built", "real_site"}
# modules whose tests (nearly all) build, drive Chromium or JupyterLab, or run the notebooks
BUILD_MODULES = {"test_accessibility", "test_appendix", "test_bad_inputs", "test_browser", "test_copy_desk", "test_ecosystem", "test_edition",
                 "test_faults", "test_hostile", "test_hostile_round3", "test_jupyterlab", "test_later_edition", "test_later_news", "test_metadata",
                 "test_packaging", "test_pipeline", "test_scale", "test_story", "test_tooltips", "test_year_on"}


def _builds(args: tuple[str, ...]) -> bool:
    if any(a in ("-n", "--dry-run", "--just-print", "-q", "--question") for a in args):
        return False
    goals = [a for a in args if not a.startswith("-") and "=" not in a]
    return not goals or any(g in BUILD_GOALS for g in goals)


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1]
        if module in BUILD_MODULES or BUILD_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.build)


def make(*args: str, check: bool = False, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run make in the project root; returns the completed process (stdout and stderr as text)."""
    if FAST and _builds(args):
        pytest.fail(f"make {' '.join(args)} builds: mark this test @pytest.mark.build (make test-fast runs only tests that need no build)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    proc = subprocess.run(["make", "--no-print-directory", *args], check=False, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)
    if check and proc.returncode:
        raise AssertionError(f"make {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def build(build_dir: Path, *extra: str) -> subprocess.CompletedProcess:
    return make(f"BUILD={build_dir}", *extra, check=True)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ to mutate."""
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    return dest


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """A full build (HTML and PDF) of the included data into a temp BUILD, made once per session."""
    out = tmp_path_factory.mktemp("build")
    proc = build(out)
    (out.parent / f"{out.name}-make.log").write_text(proc.stdout, encoding="utf-8")  # what a fresh make printed
    return out


# --- shared by the hostile-input modules (test_hostile.py, test_hostile_round3.py) ------------------

SMALL = ROOT / "tests" / "fixtures" / "small_data"


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A writable copy of the small fixture data."""
    dest = tmp_path / "data"
    shutil.copytree(SMALL, dest)
    return dest


def set_cell(data: Path, table: str, line: int, column: str, value: str) -> None:
    """Set one cell of data/table.csv; line is the line number an editor shows (1: the header)."""
    path = data / f"{table}.csv"
    rows = read_rows(path)
    rows[line - 1][rows[0].index(column)] = value
    write_rows(path, rows)


@pytest.fixture(scope="module")
def good(built: Path, tmp_path_factory) -> Path:
    """A good edition of the real data in this module's own build folder (a copy of the session's build)."""
    out = tmp_path_factory.mktemp("hostile-good") / "build"
    shutil.copytree(built, out, symlinks=True)
    build(out)
    return out


@pytest.fixture(scope="module")
def bundle(good: Path) -> Path:
    """make edition of the good build."""
    make(f"BUILD={good}", "edition", check=True)
    return good / "edition"


@pytest.fixture
def bundle_copy(bundle: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "edition"
    shutil.copytree(bundle, dest)
    return dest


def edit_manifest(d: Path, **changes) -> None:
    """Change MANIFEST.json's top-level keys by hand, as a forger would."""
    m = json.loads((d / "MANIFEST.json").read_text(encoding="utf-8"))
    m.update(changes)
    (d / "MANIFEST.json").write_text(json.dumps(m), encoding="utf-8")
