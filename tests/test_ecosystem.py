"""Habits of Jupyter, git and Python users (issue 14): what each would notice, checked.

The real JupyterLab run is in test_jupyterlab.py and `pip install .` in test_packaging.py."""

from __future__ import annotations

import html as htmllib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import PY, ROOT, make

SMALL = ROOT / "tests" / "fixtures" / "small_data"
SVG = "{http://www.w3.org/2000/svg}"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def pdftotext(pdf: Path, *opts: str) -> str:
    return subprocess.run(["pdftotext", *opts, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


# ------------------------------------------------------------------ notebooks and git

def test_committed_notebooks_are_exactly_what_nbstripout_writes(tmp_path):
    """So the clean filter has nothing to change: a checkout and a save agree byte for byte."""
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        text = nb.read_text(encoding="utf-8")
        out = subprocess.run([PY, "-m", "nbstripout", "--extra-keys", "metadata.language_info"], input=text, cwd=tmp_path,
                             capture_output=True, text=True, check=True).stdout
        assert out == text, f"{nb.name} is not in nbstripout's form; run: .venv/bin/nbstripout --extra-keys metadata.language_info {nb.relative_to(ROOT)}"


def test_gitattributes_routes_notebooks_through_nbstripout():
    attrs = (ROOT / ".gitattributes").read_text()
    assert "*.ipynb filter=nbstripout" in attrs and "*.ipynb diff=ipynb" in attrs
    setup = subprocess.run(["make", "-n", "-B", "setup"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "nbstripout --install --attributes .gitattributes" in setup and "briefing.pipeline.jupyter install" in setup


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A git repository as `make setup` leaves a clone: filter installed, small data as data/."""
    repo = tmp_path / "project"
    shutil.copytree(ROOT / "notebooks", repo / "notebooks")
    shutil.copytree(SMALL, repo / "data")
    for name in (".gitattributes", ".gitignore"):
        shutil.copy(ROOT / name, repo / name)
    git(repo, "init", "-q")
    subprocess.run([PY, "-m", "nbstripout", "--install", "--attributes", ".gitattributes", "--python", PY], cwd=repo, check=True)
    git(repo, "config", "filter.nbstripout.extrakeys", "metadata.language_info")
    git(repo, "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "clone")
    return repo


def test_notebook_executed_in_place_shows_no_diff(clone: Path):
    nb = clone / "notebooks" / "04_reporting.ipynb"
    jupyter = str(Path(PY).parent / "jupyter")
    proc = subprocess.run([jupyter, "execute", "--inplace", str(nb.relative_to(clone))], cwd=clone, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert any(c.get("outputs") for c in json.loads(nb.read_text())["cells"]), "the notebook on disk keeps its outputs"
    assert git(clone, "diff") == "" and git(clone, "diff", "--stat") == ""
    # git's status trusts file sizes; adding the file again stages nothing: nothing to commit
    git(clone, "add", "-A")
    assert git(clone, "diff", "--cached") == "" and git(clone, "status", "--porcelain") == ""


def test_post_save_hook_refreshes_only_an_unchanged_notebook(clone: Path):
    from briefing.pipeline.jupyter import post_save

    nb = clone / "notebooks" / "01_deal.ipynb"
    data = json.loads(nb.read_text())
    code = next(c for c in data["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["saved with an output\n"]}]
    code["execution_count"] = 7
    nb.write_text(json.dumps(data, indent=2))  # Lab's own layout, outputs and all
    assert git(clone, "status", "--porcelain").strip() == "M notebooks/01_deal.ipynb"  # what the user saw before
    post_save(os_path=str(nb))
    assert git(clone, "status", "--porcelain") == ""
    # a real edit stays visible and unstaged
    code["source"] = ["# edited\n", *code["source"]]
    nb.write_text(json.dumps(data, indent=2))
    post_save(os_path=str(nb))
    assert git(clone, "status", "--porcelain").strip() == "M notebooks/01_deal.ipynb"
    assert git(clone, "diff", "--cached") == "" and "+    \"# edited\\n\"," in git(clone, "diff")


def test_papermill_help_notebook_types_and_describes_every_parameter():
    out = subprocess.run([PY, "-m", "papermill", "--help-notebook", str(ROOT / "notebooks" / "01_deal.ipynb")],
                         capture_output=True, text=True, check=True).stdout
    assert "Unknown type" not in out
    for name in ("data_dir", "as_of", "base"):
        m = re.search(rf"^\s+{name}: str \(default [^)]*\)\s*(.*)$", out, re.MULTILINE)
        assert m, f"{name} not typed:\n{out}"
    assert out.count("  ") and len(re.findall(r"\w{4,}", out.split("Parameters inferred", 1)[1])) > 15, "parameters have descriptions"


def test_a_papermill_user_is_told_about_p_data_dir(tmp_path):
    from briefing.data.problems import DataError
    from briefing.nb import load

    with pytest.raises(DataError) as exc:
        load(tmp_path / "nowhere")
    assert "-p data_dir" in str(exc.value) and "DATA=" in str(exc.value)


def test_notebook_sources_list_is_for_lab_only(built: Path):
    html = (built / "briefing.html").read_text(encoding="utf-8")
    assert "Sources cited in this notebook" not in html and html.count('id="sources-h"') == 1
    nb = json.loads((built / "notebooks" / "02_clients.ipynb").read_text())
    cell = next(c for c in nb["cells"] if "notebook-only" in c["metadata"].get("tags", []))
    out = "".join(cell["outputs"][0]["data"]["text/html"])
    shown = "".join("".join(o.get("data", {}).get("text/html", "")) for c in nb["cells"] for o in c.get("outputs", []))
    cited = set(re.findall(r'href="#(src-[^"]+)"', shown))
    listed = set(re.findall(r'id="(src-[^"]+)"', out))
    assert cited and cited <= listed


def test_outputs_are_marked_for_mathjax_to_skip():
    from briefing.drawing.markup import HTML

    assert "mathjax_ignore" in HTML("<p>$5 and $6</p>")._repr_html_().split(">")[0]


# ------------------------------------------------------------------ PDF and charts

def test_pdf_is_tagged(built: Path):
    info = subprocess.run(["pdfinfo", str(built / "briefing.pdf")], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.MULTILINE), info


def numbers_panel(html: str) -> list[tuple[str, str]]:
    panel = re.search(r'<section[^>]*class="numbers".*?</section>', html, re.DOTALL).group(0)
    cells = re.findall(r'<span class="big">(.*?)</span><span class="what">(.*?)(?:<sup|</span>)', panel, re.DOTALL)
    return [(htmllib.unescape(b), htmllib.unescape(re.sub(r"<[^>]+>", "", w)).strip()) for b, w in cells]


def test_by_the_numbers_reads_figure_then_label_in_the_pdf_text(built: Path):
    cells = numbers_panel((built / "briefing.html").read_text(encoding="utf-8"))
    assert len(cells) >= 3
    for opts in ((), ("-layout",)):
        text = " ".join(pdftotext(built / "briefing.pdf", "-l", "2", *opts).split())
        start = text.upper().index("BY THE NUMBERS")
        pos = start
        for big, what in cells:  # each figure directly followed by its own label, in panel order
            m = re.compile(rf"(?<![\w.$]){re.escape(big)}\s{{0,2}}{re.escape(what)}").search(text, pos)
            assert m, f"pdftotext {' '.join(opts)}: {big!r} is not directly followed by its label {what!r}:\n{text[start:start + 700]}"
            pos = m.end()


def chart_texts(html: str) -> dict[str, list[str]]:
    out = {}
    for svg in re.findall(r"<svg\b.*?</svg>", html, re.DOTALL):
        root = ET.fromstring(svg)
        out[root.get("data-chart")] = [" ".join("".join(t.itertext()).split()) for t in root.iter(f"{SVG}text") if "".join(t.itertext()).strip()]
    return out


def test_chart_text_is_text_in_the_html_and_selectable_in_the_pdf(built: Path):
    html = (built / "briefing.html").read_text(encoding="utf-8")
    texts = chart_texts(html)
    assert len(texts) == 4 and all(texts.values()), "every chart has its labels as SVG <text>"
    assert 'id="DejaVuSans-' not in html and "<use xlink:href" not in html, "no glyph outlines left"
    assert "DejaVu Sans" in html  # the one family both the browser (CSS) and WeasyPrint (fontconfig) resolve
    pdf = " ".join(pdftotext(built / "briefing.pdf").split())
    appendix = html.index('id="appendix"')
    for chart, labels in texts.items():
        if html.index(f'data-chart="{chart}"') > appendix:
            continue  # a chart of the appendix is folded, and on paper prints as its title (the full record is a click away)
        missing = [t for t in labels if t not in pdf]
        assert not missing, f"{chart}: chart labels not found in the PDF's text: {missing}"


def test_chart_svg_is_byte_identical_run_to_run():
    code = ("from briefing.data.dataset import load; from briefing.drawing import charts, timeline\n"
            f"d = load({str(SMALL)!r})\n"
            "print(''.join(f(d).svg for f in (charts.valuation_chart, timeline.timeline_chart, charts.clients_chart, charts.rivals_chart)))")
    runs = [subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")]
    assert runs[0] == runs[1] and "<text" in runs[0]


# ------------------------------------------------------------------ the build's own words

def test_a_fresh_make_shows_each_notebook_and_ends_with_a_summary(built: Path):
    log = (built.parent / f"{built.name}-make.log").read_text(encoding="utf-8")
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert re.search(rf"^executed notebooks/{nb.name} in \d+\.\d s$", log, re.MULTILINE), nb.name
    tail = log.strip().splitlines()[-6:]
    assert re.match(r"^Edition .+: built in \d+\.\d s$", tail[0]), tail
    assert re.search(r"briefing\.html\s+\d+ KB$", tail[1]) and re.search(r"briefing\.pdf\s+\d+ KB, \d+ pages$", tail[2]), tail
    assert f"{len(list((ROOT / 'notebooks').glob('*.ipynb')))} notebooks executed" in tail[3]
    assert re.search(r"/story/\s+the story stage: \d+ files, computed once", tail[4]), tail  # the summary names the story stage
    assert re.match(r"^  story: [\d,]+ words, [\d.]+ phone screens, \d+ PDF pages?; appendix: ([\d.]+ phone screens closed, )?\d+ pages?$", tail[5]), tail


def test_make_help_shows_the_values_not_the_variable_names(tmp_path: Path):
    out = make("help", "DATA=other/data", f"BUILD={tmp_path}/out", check=True).stdout
    assert "$(" not in out
    assert "from other/data" in out and f"{tmp_path}/out/edition" in out


def test_make_lab_runs_as_root_and_passes_lab_args():
    line = next(ln for ln in make("-n", "lab", check=True).stdout.splitlines() if "jupyter lab" in ln)
    assert ("--allow-root" in line) == (os.getuid() == 0)
    # LAB_ARGS reach JupyterLab: --version makes it print its version and exit instead of serving
    proc = make("lab", "LAB_ARGS=--version", timeout=120)
    assert proc.returncode == 0 and re.search(r"^4\.\d+\.\d+$", proc.stdout, re.MULTILINE), proc.stdout + proc.stderr
    assert "Running as root is not recommended" not in proc.stderr


@pytest.mark.parametrize("fake, says", [
    ("echo 3.9", "was made by Python 3.9; this project needs Python 3.11 or newer"),
    ("exit 1", "does not run"),
])
def test_an_unsupported_venv_is_caught_before_anything_runs(tmp_path: Path, fake: str, says: str):
    venv = tmp_path / "oldvenv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text(f"#!/bin/sh\n{fake}\n")
    (venv / "bin" / "python").chmod(0o755)
    proc = subprocess.run(["python3", str(ROOT / "scripts" / "check_python.py"), str(venv)], capture_output=True, text=True, check=False)
    assert proc.returncode != 0
    assert says in proc.stderr and f"rm -rf {venv} && make setup" in proc.stderr
    # and make setup runs this check before anything else
    first = make("-n", "-B", "setup", check=True).stdout.splitlines()[0]
    assert "scripts/check_python.py .venv" in first


def test_dictionary_says_unchanged_when_nothing_changed(tmp_path: Path):
    readme = tmp_path / "README.md"
    readme.write_text("# x\n<!-- dictionary:start -->\nold\n<!-- dictionary:end -->\nend\n")
    run = lambda: subprocess.run([PY, "-m", "briefing", "dictionary", "--data", str(SMALL), "--readme", str(readme)],
                                 capture_output=True, text=True, check=True).stdout
    assert "updated" in run()
    before = readme.stat().st_mtime_ns
    assert "unchanged" in run() and readme.stat().st_mtime_ns == before


def test_one_row_is_one_row(tmp_path: Path):
    from briefing.data.dataset import load
    from briefing.drawing.record import changes_block

    base = tmp_path / "base"
    shutil.copytree(SMALL, base)
    lines = (base / "events.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (base / "events.csv").write_text("".join(lines[:-1]), encoding="utf-8")  # the base lacks one event
    html = str(changes_block(load(SMALL), str(base)))
    assert re.search(r"\b1 (row|change)\b", html), html[:400]
    assert not re.search(r"\b1 (rows|changes|events|values|sources)\b", html), html[:400]


def test_missing_weasyprint_is_one_sentence(tmp_path: Path):
    page = tmp_path / "b.html"
    page.write_text("<p>x</p>")
    code = (
        "import sys, builtins\n"
        "real = builtins.__import__\n"
        "def fake(name, *a, **k):\n"
        "    if name.startswith('weasyprint'):\n"
        "        raise ModuleNotFoundError(\"No module named 'weasyprint'\", name='weasyprint')\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = fake\n"
        "from briefing.pipeline.cli import main\n"
        f"sys.exit(main(['pdf', {str(page)!r}, {str(tmp_path / 'b.pdf')!r}]))\n"
    )
    proc = subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.returncode == 1 and len(lines) == 1 and "Traceback" not in proc.stderr
    assert lines[0].startswith("WeasyPrint is not installed") and "pip install weasyprint" in lines[0]
    assert not (tmp_path / "b.pdf").exists()
