"""The package as a Python user installs it: `pip install .` into a fresh venv, then a briefing built
from outside any checkout. Slow (a venv and its dependencies, from pip's cache when warm), and run
by `make test` all the same."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import PY, ROOT

pytestmark = pytest.mark.slow

SMALL = ROOT / "tests" / "fixtures" / "small_data"
NOTEBOOKS = ("01_deal", "02_clients", "03_rivals", "04_reporting")


def run(cmd, cwd: Path, timeout: int = 900, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env, check=False)


def project_copy(dest: Path) -> Path:
    """The project's files as a clone has them (tracked and new, not ignored): no .venv, no build/."""
    files = run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], ROOT).stdout.split("\0")
    for rel in filter(None, files):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with `pip install .` of a copy of the project; returns the venv's bin/."""
    base = tmp_path_factory.mktemp("pip")
    src = project_copy(base / "src")
    base_python = run([PY, "-c", "import sys; print(sys._base_executable)"], ROOT).stdout.strip()
    venv = base / "venv"
    assert run([base_python, "-m", "venv", venv], base).returncode == 0
    proc = run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(src)], base)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return venv / "bin"


def test_building_the_package_prints_no_setuptools_warnings(installed, tmp_path):
    src = project_copy(tmp_path / "src")
    proc = run([installed / "python", "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-v", str(src), "-w", tmp_path / "wheel"], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    for warning in ("BuildBackendWarning", "SetuptoolsDeprecationWarning", "would be ignored", "is deprecated"):
        assert warning not in out, f"setuptools says {warning!r}:\n" + "\n".join(ln for ln in out.splitlines() if warning in ln)[:2000]
    wheel = next((tmp_path / "wheel").glob("scale_briefing-*.whl"))
    names = run(["unzip", "-Z1", wheel], tmp_path).stdout.split()
    assert {"briefing/templates/briefing/index.html.j2", "briefing/templates/briefing/briefing.css",
            "briefing/templates/briefing/conf.json"} <= set(names)


def test_installed_package_builds_the_briefing_outside_a_checkout(installed, tmp_path):
    work = tmp_path / "work"  # not a git repository, no data/ of its own
    (work / "notebooks").mkdir(parents=True)
    for nb in NOTEBOOKS:
        shutil.copy(ROOT / "notebooks" / f"{nb}.ipynb", work / "notebooks")
    py = installed / "python"
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl")}

    where = run([py, "-c", "import briefing, briefing.paths as p; print(briefing.__file__, p.CHECKOUT)"], work, env=env)
    assert "site-packages" in where.stdout and where.stdout.split()[-1] == "None"

    # no data here: one sentence saying what to pass, not a traceback
    proc = run([installed / "scale-briefing", "validate"], work, env=env)
    assert proc.returncode == 2 and "pass --data" in proc.stderr and "Traceback" not in proc.stderr

    assert run([py, "-m", "ipykernel", "install", "--sys-prefix", "--name", "scale-briefing"], work, env=env).returncode == 0
    data = str(SMALL)
    proc = run([py, "-m", "briefing", "validate", "--data", data], work, env=env)
    assert proc.returncode == 0, proc.stderr
    out = work / "build"
    for nb in NOTEBOOKS:
        proc = run([py, "-m", "briefing", "execute", f"notebooks/{nb}.ipynb", out / "notebooks" / f"{nb}.ipynb", "--data", data], work, env=env)
        assert proc.returncode == 0, f"{nb}: {proc.stderr}"
        assert f"executed notebooks/{nb}.ipynb in" in proc.stdout
    proc = run([py, "-m", "briefing", "html", out / "briefing.html", *(out / "notebooks" / f"{nb}.ipynb" for nb in NOTEBOOKS), "--data", data], work, env=env)
    assert proc.returncode == 0, proc.stderr
    proc = run([py, "-m", "briefing", "pdf", out / "briefing.html", out / "briefing.pdf"], work, env=env)
    assert proc.returncode == 0, proc.stderr

    html = (out / "briefing.html").read_text(encoding="utf-8")
    assert ">By the numbers<" in html and html.count("<svg") == 4 and ">Sources<" in html
    assert "at revision unknown" in html  # outside a repository: said so, not another project's revision
    info = run(["pdfinfo", out / "briefing.pdf"], work).stdout
    assert re.search(r"Pages:\s+\d+", info) and re.search(r"Tagged:\s+yes", info)
    summary = run([py, "-m", "briefing", "summary", "--build", out], work, env=env)
    assert summary.returncode == 0 and "briefing.pdf" in summary.stdout and "page" in summary.stdout
