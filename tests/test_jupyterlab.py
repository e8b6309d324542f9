"""The notebooks as a JupyterLab user meets them: a real JupyterLab server, driven in Chromium.

A temporary git repository holds the notebooks, small fixture data as ../data and the project's
.gitattributes with the nbstripout filter installed as `make setup` does. Each notebook is opened
in Lab, run (Run > Run All Cells) and saved. What the user would notice is checked: dollar amounts
read as text, not as MathJax (the page's MathJax is shown to be live by a control cell with $x^2$),
citation links have their target in the notebook, and the save leaves `git status` clean.
Screenshots go to build/screenshots/ (looked at by hand; not compared).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import PY, ROOT
from playwright.sync_api import sync_playwright

pytestmark = pytest.mark.slow

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update"]
CHROMIUM = "/usr/bin/chromium"
SMALL = ROOT / "tests" / "fixtures" / "small_data"
SHOTS = ROOT / "build" / "screenshots"
TOKEN = "briefing-test-token"
CONTROL = "Control cell, not in the project: $x^2$ is math here."


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A git repository like a user's clone after `make setup`, with fixture data as data/."""
    repo = tmp_path_factory.mktemp("lab") / "project"
    (repo / "notebooks").mkdir(parents=True)
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        shutil.copy(nb, repo / "notebooks" / nb.name)
    shutil.copytree(SMALL, repo / "data")
    shutil.copy(ROOT / ".gitattributes", repo / ".gitattributes")
    shutil.copy(ROOT / ".gitignore", repo / ".gitignore")
    # the control: a markdown cell MathJax must typeset, so a garbled output could not pass unseen
    nb_path = repo / "notebooks" / "04_reporting.ipynb"
    nb = json.loads(nb_path.read_text())
    nb["cells"].insert(0, {"cell_type": "markdown", "id": "control", "metadata": {}, "source": [CONTROL]})
    nb_path.write_text(json.dumps(nb, indent=1) + "\n")
    git(repo, "init", "-q")
    subprocess.run([PY, "-m", "nbstripout", "--install", "--attributes", ".gitattributes", "--python", PY], cwd=repo, check=True)
    git(repo, "config", "filter.nbstripout.extrakeys", "metadata.language_info")
    git(repo, "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "clone")
    assert git(repo, "status", "--porcelain") == ""
    return repo


@pytest.fixture(scope="module")
def lab(repo: Path, tmp_path_factory):
    """A JupyterLab server on localhost (token auth, no browser, no news or update checks), as `make lab` starts it."""
    from briefing.pipeline.jupyter import CONFIG_NAME, HOOK

    config = Path(PY).parent.parent / "etc" / "jupyter" / CONFIG_NAME
    assert config.is_file() and HOOK in config.read_text(), f"{config}: the post-save hook is not installed; run make setup"
    home = tmp_path_factory.mktemp("labhome")
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
           "IPYTHONDIR": str(home / "ipython"), "MPLCONFIGDIR": str(home / "mpl")}
    port = free_port()
    log = open(home / "lab.log", "w")  # noqa: SIM115 (open for the server's lifetime)
    jupyter = str(Path(PY).parent / "jupyter")
    proc = subprocess.Popen(
        [jupyter, "lab", "--no-browser", "--allow-root", f"--ServerApp.token={TOKEN}", "--ServerApp.ip=127.0.0.1",
         f"--port={port}", "--ServerApp.port_retries=0", f"--ServerApp.root_dir={repo}",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        cwd=repo, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"JupyterLab did not start:\n{(home / 'lab.log').read_text()[-3000:]}")
            time.sleep(0.5)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian Chromium is missing: apt-get install -y chromium (or run .ci/run)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def run_all_and_save(browser, lab: str, name: str):
    """Open notebooks/NAME in Lab, Run All Cells, wait until every cell has run, save. Returns the page."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(f"{lab}/lab/tree/notebooks/{name}?reset&token={TOKEN}")  # reset: this notebook alone, no restored tabs
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=90_000)
    # the notebook's own kernel (scale-briefing) must be the one that starts, with no kernel dialog
    page.wait_for_function("() => [...document.querySelectorAll('.jp-Toolbar-kernelName')].some(e => /scale-briefing/.test(e.textContent))",
                           timeout=90_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim());
            return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p));
        }""",
        timeout=240_000,
    )
    errors = page.eval_on_selector_all(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], .jp-RenderedText[data-mime-type='application/vnd.jupyter.error']",
                                       "els => els.map(e => e.textContent)")
    assert errors == [], f"{name}: cells failed in JupyterLab: {errors}"
    page.wait_for_timeout(1500)  # let MathJax's typesetting pass run over the new outputs
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !document.querySelector('.jp-mod-current.jp-mod-dirty, .lm-TabBar-tab.jp-mod-current.jp-mod-dirty')", timeout=30_000)
    page.wait_for_timeout(500)
    return page


def test_reporting_notebook_shows_dollar_amounts_as_text(browser, lab, repo):
    page = run_all_and_save(browser, lab, "04_reporting.ipynb")
    # MathJax is live on this page: the control cell is typeset ...
    page.wait_for_selector(".jp-MarkdownCell mjx-container", timeout=30_000)
    # ... but nothing inside an output is
    assert page.eval_on_selector_all(".jp-OutputArea mjx-container", "els => els.length") == 0
    text = page.eval_on_selector_all(".jp-OutputArea-output", "els => els.map(e => e.innerText).join('\\n')")
    line = next((ln for ln in text.splitlines() if ln.count("$") >= 2), None)
    assert line, "the disagreement with two dollar amounts on one line is not shown as text"
    assert re.search(r"\$\d[\d.]* (billion|million)", line)
    heading = page.locator("h2:text-is('What the reporting disputes')")
    heading.scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "lab-04_reporting.png"))
    page.close()


def test_citation_links_have_their_target_in_the_notebook(browser, lab, repo):
    page = run_all_and_save(browser, lab, "02_clients.ipynb")
    targets = page.eval_on_selector_all(".jp-OutputArea a[href^='#src-']", "els => [...new Set(els.map(e => e.getAttribute('href').slice(1)))]")
    assert targets, "no citation links in the outputs"
    missing = page.evaluate("ids => ids.filter(i => !document.getElementById(i))", targets)
    assert missing == [], f"citation links with no target in the notebook: {missing}"
    link = page.locator(".jp-OutputArea a[href^='#src-']:visible").first
    target = link.get_attribute("href")[1:]
    link.click()
    page.wait_for_timeout(800)
    assert "/lab" in page.url  # still in Lab, not navigated away
    in_view = page.evaluate("""id => { const r = document.getElementById(id).getBoundingClientRect();
                                       return r.bottom > 0 && r.top < window.innerHeight; }""", target)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "lab-02_clients-after-citation-click.png"))
    assert in_view, f"clicking citation {target} did not bring its source into view"
    page.close()


def test_chart_notebook_text_and_tooltips_are_not_math(browser, lab, repo):
    page = run_all_and_save(browser, lab, "01_deal.ipynb")
    assert page.eval_on_selector_all(".jp-OutputArea mjx-container", "els => els.length") == 0
    svg_text = page.eval_on_selector_all(".jp-OutputArea svg.chart-svg text", "els => els.map(e => e.textContent)")
    assert any(re.fullmatch(r"\$\d+B", t.strip()) for t in svg_text), f"no dollar tick label as SVG text: {svg_text[:10]}"
    titles = page.eval_on_selector_all(".jp-OutputArea svg.chart-svg g.mark > title", "els => els.map(e => e.textContent)")
    assert titles and any("$" in t for t in titles)
    page.locator("svg.chart-svg").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "lab-01_deal-chart.png"))
    page.close()


def test_saving_in_lab_leaves_git_clean(repo, lab):
    """Runs after the notebooks above were run and saved with their outputs."""
    saved = json.loads((repo / "notebooks" / "04_reporting.ipynb").read_text())
    assert any(c.get("outputs") for c in saved["cells"]), "the saved file should carry outputs (the filter strips them)"
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "diff") == ""
