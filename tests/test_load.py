"""Builds under load: several builds at once, kernels that fail to start, waits that a busy machine stretches.

A build either succeeds, with the same bytes as any other build of the same inputs, or fails with one
sentence naming the cause. What a loaded machine only slows down (a kernel's start, a finished cell's
output reaching the client, git filtering the notebooks) gets a generous limit and never turns into a
different page (git's revision used to become 'unknown' after 10 s); a kernel that exits before it
answers (the Jupyter protocol's port race between kernels starting at once) is started once more.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

from briefing import render
from briefing.paths import wait_limit

SMALL = ROOT / "tests" / "fixtures" / "small_data"


def test_waits_that_are_not_a_cells_work_get_a_generous_limit(monkeypatch):
    monkeypatch.delenv("BRIEFING_TIMEOUT", raising=False)
    assert wait_limit() == 300 and wait_limit(2) == 300 and wait_limit(900) == 900  # a short TIMEOUT is for cells
    monkeypatch.setenv("BRIEFING_TIMEOUT", "1200")
    assert wait_limit() == 1200
    monkeypatch.setenv("BRIEFING_TIMEOUT", "1; true")
    assert wait_limit() == 300


def test_git_revision_never_guesses(monkeypatch, tmp_path: Path):
    """A git that is slow (a busy machine filtering notebooks) or fails stops the step with one sentence;
    a folder outside any repository is 'unknown', as before."""
    assert render.git_revision(tmp_path) == "unknown"
    real = subprocess.run

    def slow(cmd, *a, **k):
        if "status" in cmd:
            raise subprocess.TimeoutExpired(cmd, k.get("timeout"))
        return real(cmd, *a, **k)

    monkeypatch.setattr(render.subprocess, "run", slow)
    monkeypatch.delenv("BRIEFING_TIMEOUT", raising=False)
    with pytest.raises(render.RevisionError, match=r"^git did not answer within 300 s \(status --porcelain in .*run make again, or raise TIMEOUT="):
        render.git_revision()

    def failing(cmd, *a, **k):
        if "status" in cmd:
            return subprocess.CompletedProcess(cmd, 128, "", "fatal: notebooks/01_deal.ipynb: clean filter 'nbstripout' failed\n")
        return real(cmd, *a, **k)

    monkeypatch.setattr(render.subprocess, "run", failing)
    with pytest.raises(render.RevisionError, match=r"^git status failed in .*\(fatal: notebooks/01_deal.ipynb: clean filter 'nbstripout' failed\)"):
        render.git_revision()


def test_the_html_step_says_why_git_stopped_it(monkeypatch, tmp_path: Path, capsys):
    def stop(*a, **k):
        raise render.RevisionError("git did not answer within 300 s")

    monkeypatch.setattr(render, "build_html", stop)
    assert render.write_html([], tmp_path / "b.html", SMALL, "") == 1
    assert capsys.readouterr().err == "git did not answer within 300 s\n"
    assert not (tmp_path / "b.html").exists()
