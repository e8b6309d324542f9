"""Shared fixtures: the project's paths, a copy of the real data, and builds into temp folders."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SOURCES = Path(os.environ.get("SOURCES") or ROOT.parent / "shared" / "sources")  # the texts the quotes come from
PY = str(ROOT / ".venv" / "bin" / "python")


def read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def make(*args: str, check: bool = False, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run make in the project root; returns the completed process (stdout and stderr as text)."""
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
