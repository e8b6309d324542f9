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
NOTEBOOKS = ("01_deal", "02_clients", "03_rivals", "04_reporting", "05_appendix")


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


def purelib(python) -> Path:
    return Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], ROOT).stdout.strip())


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> tuple[Path, str]:
    """`pip wheel` of a copy of the project, as pip builds it for `pip install .`; the wheel and pip's output."""
    base = tmp_path_factory.mktemp("wheel")
    src = project_copy(base / "src")
    proc = run([PY, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-v", src, "-w", base / "wheel"], base)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return next((base / "wheel").glob("scale_briefing-*.whl")), proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory, wheel) -> Path:
    """A fresh venv with the wheel installed, as `pip install .` leaves it; returns the venv's bin/.

    Its dependencies come from the project's .venv (a .pth file, not a copy): pip resolving the
    declared ranges is pip's business, and that every import is declared is checked on the wheel's
    metadata below. What this venv tests is the package itself: files, entry point, data and paths
    once it lives in site-packages, away from any checkout."""
    base = tmp_path_factory.mktemp("pip")
    base_python = run([PY, "-c", "import sys; print(sys._base_executable)"], ROOT).stdout.strip()
    venv = base / "venv"
    assert run([base_python, "-m", "venv", venv], base).returncode == 0
    (purelib(venv / "bin" / "python") / "_project_dependencies.pth").write_text(f"{purelib(PY)}\n")
    (venv / "share" / "jupyter").mkdir(parents=True)  # nbconvert's templates are data files under the prefix
    (venv / "share" / "jupyter" / "nbconvert").symlink_to(Path(PY).parent.parent / "share" / "jupyter" / "nbconvert")
    proc = run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check", wheel[0]], base)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return venv / "bin"


def test_building_the_package_prints_no_setuptools_warnings(wheel):
    path, out = wheel
    for warning in ("BuildBackendWarning", "SetuptoolsDeprecationWarning", "would be ignored", "is deprecated"):
        assert warning not in out, f"setuptools says {warning!r}:\n" + "\n".join(ln for ln in out.splitlines() if warning in ln)[:2000]
    names = run(["unzip", "-Z1", path], path.parent).stdout.split()
    assert {"briefing/drawing/templates/briefing/index.html.j2", "briefing/drawing/templates/briefing/briefing.css",
            "briefing/drawing/templates/briefing/conf.json", "briefing/drawing/templates/blocks/masthead.html.j2"} <= set(names)


def test_the_wheel_declares_every_package_the_code_imports(wheel):
    """`pip install .` installs what briefing/ imports: each third-party import's distribution is a Requires-Dist."""
    meta = run(["unzip", "-p", wheel[0], "*.dist-info/METADATA"], wheel[0].parent).stdout
    requires = [line.split(":", 1)[1].strip() for line in meta.splitlines() if line.startswith("Requires-Dist:")]
    name = lambda r: re.split(r"[\s<>=!~;\[(]", r)[0].lower().replace("_", "-")
    declared = {name(r) for r in requires if "extra ==" not in r}
    extras = {name(r) for r in requires if "extra ==" in r}
    # an import inside `try: ... except ImportError` is optional (the build summary measures in Chromium only where
    # Playwright is installed): it must be declared, as an extra at least
    code = (
        "import ast, sys, json, pathlib, importlib.metadata as md\n"
        "dists = md.packages_distributions(); found = {}\n"
        "for f in sorted(pathlib.Path('briefing').rglob('*.py')):\n"
        "    tree = ast.parse(f.read_text()); optional = set()\n"
        "    for t in ast.walk(tree):\n"
        "        if isinstance(t, ast.Try) and any('ImportError' in ast.unparse(h.type or ast.Name('BaseException')) for h in t.handlers):\n"
        "            optional |= {id(n) for b in t.body for n in ast.walk(b)}\n"
        "    for n in ast.walk(tree):\n"
        "        names = [a.name for a in n.names] if isinstance(n, ast.Import) else [n.module] if isinstance(n, ast.ImportFrom) and n.level == 0 else []\n"
        "        for m in (x.split('.')[0] for x in names):\n"
        "            if m not in sys.stdlib_module_names and m not in ('briefing', '__future__'):\n"
        "                prev = found.get(m)\n"
        "                opt = id(n) in optional and (prev is None or prev[2])\n"
        "                found[m] = [dists.get(m, ['?'])[0], str(f) if prev is None else prev[1], opt]\n"
        "print(json.dumps(found))\n")
    proc = run([PY, "-c", code], ROOT)
    imports = __import__("json").loads(proc.stdout)
    assert {"pandas", "matplotlib", "weasyprint", "papermill", "nbconvert"} <= set(imports), imports
    missing = {m: f"{dist} (imported in {where})" for m, (dist, where, optional) in imports.items()
               if dist.lower().replace("_", "-") not in (declared | extras if optional else declared)}
    assert not missing, f"imported but not in [project] dependencies: {missing}"


def test_installed_package_builds_the_briefing_outside_a_checkout(installed, tmp_path):
    work = tmp_path / "work"  # not a git repository, no data/ of its own
    (work / "notebooks").mkdir(parents=True)
    for nb in NOTEBOOKS:
        shutil.copy(ROOT / "notebooks" / f"{nb}.ipynb", work / "notebooks")
    py = installed / "python"
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl")}

    where = run([py, "-c", "import briefing, briefing.data.paths as p; print(briefing.__file__, p.CHECKOUT)"], work, env=env)
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
    assert "at revision" not in html  # outside a repository: no revision (not another project's), and no "unknown" for a reader
    info = run(["pdfinfo", out / "briefing.pdf"], work).stdout
    assert re.search(r"Pages:\s+\d+", info) and re.search(r"Tagged:\s+yes", info)
    summary = run([py, "-m", "briefing", "summary", "--build", out], work, env=env)
    assert summary.returncode == 0 and "briefing.pdf" in summary.stdout and "page" in summary.stdout
