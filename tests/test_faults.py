"""Kernel and dependency faults end in one sentence that says what to do, not a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import PY, ROOT

NB = ROOT / "notebooks" / "01_deal.ipynb"


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "briefing", *args], check=False, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def one_sentence(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got:\n{stderr}"
    assert "Traceback" not in stderr
    return lines[0]


def test_missing_kernel(tmp_path):
    proc = run("execute", str(NB), str(tmp_path / "out.ipynb"), env={"BRIEFING_KERNEL": "no-such-kernel"})
    assert proc.returncode == 1
    line = one_sentence(proc.stderr)
    assert "the Jupyter kernel 'no-such-kernel' is not installed; run 'make setup'" in line
    assert not (tmp_path / "out.ipynb").exists() and not list(tmp_path.glob("*.tmp*"))


def test_cell_timeout(tmp_path):
    nb = json.loads(NB.read_text())
    nb["cells"] = [nb["cells"][1], {"cell_type": "code", "metadata": {}, "source": "import time\ntime.sleep(30)", "outputs": [], "execution_count": None, "id": "slow"}]
    slow = tmp_path / "slow.ipynb"
    slow.write_text(json.dumps(nb))
    proc = run("execute", str(slow), str(tmp_path / "out.ipynb"), "--timeout", "2")
    assert proc.returncode == 1
    line = one_sentence(proc.stderr)
    assert "ran longer than 2 s and was stopped" in line and "TIMEOUT=" in line
    assert not (tmp_path / "out.ipynb").exists()


def test_missing_pango_says_what_to_install(tmp_path):
    """WeasyPrint raises OSError when the system's Pango is missing; simulate that import failure."""
    html = tmp_path / "b.html"
    html.write_text("<p>x</p>")
    code = (
        "import sys, builtins\n"
        "real = builtins.__import__\n"
        "def fake(name, *a, **k):\n"
        "    if name.startswith('weasyprint'):\n"
        "        raise OSError(\"cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file\")\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = fake\n"
        "from briefing.pipeline.cli import main\n"
        f"sys.exit(main(['pdf', {str(html)!r}, {str(tmp_path / 'b.pdf')!r}]))\n"
    )
    proc = subprocess.run([PY, "-c", code], check=False, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    line = one_sentence(proc.stderr)
    assert line.startswith("WeasyPrint cannot load Pango") and "apt-get install -y libpango-1.0-0" in line
    assert not (tmp_path / "b.pdf").exists()


def test_missing_data_file_in_the_html_step(tmp_path):
    proc = run("html", str(tmp_path / "x.html"), str(NB), "--data", str(tmp_path / "nowhere"))
    assert proc.returncode == 1 and "data directory not found (check DATA=)" in proc.stderr
    assert not (tmp_path / "x.html").exists()
    assert sys.executable  # the interpreter that ran the suite is not the one under test; PY is
    assert Path(PY).exists()
