"""Builds under load: several builds at once, kernels that fail to start, waits that a busy machine stretches.

A build either succeeds, with the same bytes as any other build of the same inputs, or fails with one
sentence naming the cause. What a loaded machine only slows down (a kernel's start, a finished cell's
output reaching the client, git filtering the notebooks) gets a generous limit and never turns into a
different page (git's revision used to become 'unknown' after 10 s); a kernel that exits before it
answers (the Jupyter protocol's port race between kernels starting at once) is started once more.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PY, ROOT

from briefing.drawing import page
from briefing.pipeline import output, revision
from briefing.pipeline.execute import failure_sentence, kernel_words
from briefing.pipeline.params import wait_limit

SMALL = ROOT / "tests" / "fixtures" / "small_data"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.build
def test_three_builds_at_once_all_succeed_with_identical_pages(tmp_path: Path):
    """Three clean builds of the default data into different BUILD folders, started together (with
    make's -j2 each: six kernels on a machine of two cores), as on a CI runner or beside a colleague's.
    To keep the cost down two stop at the HTML; the third makes the PDF too, while the others run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    dirs = [tmp_path / f"b{i}" for i in range(3)]
    goals = [["html"], ["html"], []]
    procs = [subprocess.Popen(["make", "--no-print-directory", f"BUILD={d}", *goal], cwd=ROOT, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for d, goal in zip(dirs, goals)]
    outs = [p.communicate(timeout=900) for p in procs]
    for d, p, (out, err) in zip(dirs, procs, outs):
        assert p.returncode == 0, f"make BUILD={d} failed ({p.returncode}):\n{out}\n{err}"
        assert "Traceback" not in err, err
    assert len({sha(d / "briefing.html") for d in dirs}) == 1, "briefing.html differs between builds made at the same time"
    assert (dirs[2] / "briefing.pdf").is_file() and not (dirs[2] / ".incomplete").exists()
    html = (dirs[0] / "briefing.html").read_text(encoding="utf-8")
    shown = re.search(r"at revision (\S+?)\.", html).group(1)
    assert shown == revision.git_revision() and shown != "unknown"  # never a guess under load


# --- kernels that do not start -----------------------------------------------------------------------


def kernelspec(jupyter_path: Path, name: str, script: str) -> None:
    """A kernelspec `name` under jupyter_path whose kernel is this Python script (given -f CONNECTION_FILE)."""
    folder = jupyter_path / "kernels" / name
    folder.mkdir(parents=True)
    (folder / "launch.py").write_text(script, encoding="utf-8")
    spec = {"argv": [PY, str(folder / "launch.py"), "-f", "{connection_file}"], "display_name": name, "language": "python"}
    (folder / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")


# What a kernel prints when the port jupyter_client picked for it was taken first by another process
CLASH = "import sys\nsys.stderr.write(\"zmq.error.ZMQError: Address already in use (addr='tcp://127.0.0.1:41000')\\n\")\nsys.exit(1)\n"


def one_cell(path: Path, source: str) -> Path:
    doc = json.loads((ROOT / "notebooks" / "01_deal.ipynb").read_text(encoding="utf-8"))
    doc["cells"] = [doc["cells"][0], {"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None, "id": "one"}]
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def execute(nb: Path, out: Path, **env: str) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k not in ("BRIEFING_KERNEL", "JUPYTER_PATH", "BRIEFING_DEBUG")}
    return subprocess.run([PY, "-m", "briefing", "execute", str(nb), str(out), "--data", str(SMALL)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env={**full, **env}, check=False)


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_a_kernel_that_exits_while_starting_is_started_once_more(tmp_path: Path):
    """The first kernel loses the port race and exits; the second, on new ports, runs the notebook."""
    marker = tmp_path / "first-start-done"
    kernelspec(tmp_path / "jupyter", "flaky", (
        "import os, sys\n"
        f"if not os.path.exists({str(marker)!r}):\n"
        f"    open({str(marker)!r}, 'w').close()\n"
        + "".join("    " + line + "\n" for line in CLASH.splitlines()) +
        "os.execv(sys.executable, [sys.executable, '-m', 'ipykernel_launcher', *sys.argv[1:]])\n"))
    nb = one_cell(tmp_path / "nb.ipynb", "print('ran')")
    proc = execute(nb, tmp_path / "out.ipynb", JUPYTER_PATH=str(tmp_path / "jupyter"), BRIEFING_KERNEL="flaky")
    assert proc.returncode == 0, proc.stderr
    want = (f"{nb}: the first kernel exited while starting (zmq.error.ZMQError: Address already in use "
            "(addr='tcp://127.0.0.1:41000')); a second one ran the notebook")
    assert lines(proc.stderr) == [want], proc.stderr
    out = json.loads((tmp_path / "out.ipynb").read_text(encoding="utf-8"))
    assert "".join(out["cells"][-1]["outputs"][0]["text"]) == "ran\n"


def test_a_kernel_that_cannot_start_fails_in_one_sentence(tmp_path: Path):
    kernelspec(tmp_path / "jupyter", "broken", CLASH)
    nb = one_cell(tmp_path / "nb.ipynb", "print('ran')")
    proc = execute(nb, tmp_path / "out.ipynb", JUPYTER_PATH=str(tmp_path / "jupyter"), BRIEFING_KERNEL="broken")
    assert proc.returncode == 1
    want = (f"{nb}: the kernel exited while starting, twice (zmq.error.ZMQError: Address already in use "
            "(addr='tcp://127.0.0.1:41000')); nothing was written: check the kernel with 'make setup' "
            "(or BRIEFING_DEBUG=1 to see all it printed)")
    assert lines(proc.stderr) == [want], proc.stderr
    assert not (tmp_path / "out.ipynb").exists() and not list(tmp_path.glob(".*.tmp*"))


def test_a_kernelspec_of_another_environment_is_refused(tmp_path: Path):
    """The build's kernel name found first in another environment (JUPYTER_PATH, a --user install from
    another checkout) would run another Python, with another copy of the package: said, not run."""
    folder = tmp_path / "jupyter" / "kernels" / "scale-briefing"
    folder.mkdir(parents=True)
    spec = {"argv": [sys.base_prefix + "/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "elsewhere", "language": "python"}
    (folder / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    nb = one_cell(tmp_path / "nb.ipynb", "print('ran')")
    proc = execute(nb, tmp_path / "out.ipynb", JUPYTER_PATH=str(tmp_path / "jupyter"))
    assert proc.returncode == 1
    [line] = lines(proc.stderr)
    assert line.startswith(f"{nb}: the Jupyter kernel 'scale-briefing' that Jupyter finds first ({folder}) runs ")
    assert "not this environment's Python" in line and "jupyter kernelspec remove scale-briefing" in line
    assert not (tmp_path / "out.ipynb").exists()


# --- waits and their sentences (no kernel, no build) ---------------------------------------------------


def test_waits_that_are_not_a_cells_work_get_a_generous_limit(monkeypatch):
    monkeypatch.delenv("BRIEFING_TIMEOUT", raising=False)
    assert wait_limit() == 300 and wait_limit(2) == 300 and wait_limit(900) == 900  # a short TIMEOUT is for cells
    monkeypatch.setenv("BRIEFING_TIMEOUT", "1200")
    assert wait_limit() == 1200
    monkeypatch.setenv("BRIEFING_TIMEOUT", "1; true")
    assert wait_limit() == 300


def test_each_timeout_is_named_for_what_it_waited_for():
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    iopub = CellTimeoutError.error_from_timeout_and_cell("Timeout waiting for IOPub output", 300, None)
    assert failure_sentence(iopub, 2) == ("a cell finished but its output did not arrive within 300 s (a very busy machine); "
                                          "nothing was written: run make again, or raise TIMEOUT=")
    cell = CellTimeoutError.error_from_timeout_and_cell("Cell execution timed out", 2, None)
    assert failure_sentence(cell, 2) == "a cell ran longer than 2 s and was stopped; raise TIMEOUT= or look for a loop"
    silent = RuntimeError("Kernel didn't respond in 300 seconds")
    assert failure_sentence(silent, 60).startswith("the kernel started but did not answer within 300 s (a very busy machine")
    assert failure_sentence(DeadKernelError("Kernel died"), 60).startswith("the kernel stopped in the middle of a cell")
    held = ("[IPKernelApp] WARNING | Kernel is running over TCP without encryption.\nTraceback (most recent call last):\n"
            "  File \"x\", line 1\nModuleNotFoundError: No module named 'ipykernel'\n"
            "Error occurred while starting new kernel client for kernel 1: Kernel died before replying to kernel_info\n")
    assert kernel_words(held) == "ModuleNotFoundError: No module named 'ipykernel'"
    assert kernel_words("\x1b[2Jnothing to quote\n") is None


def test_git_revision_never_guesses(monkeypatch, tmp_path: Path):
    """A git that is slow (a busy machine filtering notebooks) or fails stops the step with one sentence;
    a folder outside any repository is 'unknown', as before."""
    assert revision.git_revision(tmp_path) == "unknown"
    real = subprocess.run

    def slow(cmd, *a, **k):
        if "status" in cmd:
            raise subprocess.TimeoutExpired(cmd, k.get("timeout"))
        return real(cmd, *a, **k)

    monkeypatch.setattr(revision.subprocess, "run", slow)
    monkeypatch.delenv("BRIEFING_TIMEOUT", raising=False)
    with pytest.raises(revision.RevisionError, match=r"^git did not answer within 300 s \(status --porcelain in .*run make again, or raise TIMEOUT="):
        revision.git_revision()

    def failing(cmd, *a, **k):
        if "status" in cmd:
            return subprocess.CompletedProcess(cmd, 128, "", "fatal: notebooks/01_deal.ipynb: clean filter 'nbstripout' failed\n")
        return real(cmd, *a, **k)

    monkeypatch.setattr(revision.subprocess, "run", failing)
    with pytest.raises(revision.RevisionError, match=r"^git status failed in .*\(fatal: notebooks/01_deal.ipynb: clean filter 'nbstripout' failed\)"):
        revision.git_revision()


def test_the_html_step_says_why_git_stopped_it(monkeypatch, tmp_path: Path, capsys):
    def stop(*a, **k):
        raise revision.RevisionError("git did not answer within 300 s")

    monkeypatch.setattr(page, "build_html", stop)
    assert output.write_html([], tmp_path / "b.html", SMALL, "") == 1
    assert capsys.readouterr().err == "git did not answer within 300 s\n"
    assert not (tmp_path / "b.html").exists()


# --- the checkout's .venv, shared by every make in it ---------------------------------------------------


def test_setup_steps_wait_for_another_makes_setup(tmp_path: Path):
    """`make setup` runs its steps under `briefing locked .venv/.setup.lock`: a second make (its
    requirements.txt changed under both) waits for the first instead of reinstalling over it."""
    import fcntl

    lock, ran = tmp_path / "venv" / ".setup.lock", tmp_path / "ran"
    lock.parent.mkdir()
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        proc = subprocess.Popen([PY, "-m", "briefing", "locked", str(lock), "--", PY, "-c", f"open({str(ran)!r}, 'w'); raise SystemExit(3)"],
                                cwd=ROOT, stderr=subprocess.PIPE, text=True)
        try:
            assert proc.stderr.readline() == f"{lock.parent} is being set up by another make; waiting for it to finish…\n"
            assert not ran.exists()  # still waiting: the lock is ours
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)
        assert proc.wait(timeout=120) == 3  # the command's own exit status
    assert ran.exists() and proc.stderr.read() == ""
