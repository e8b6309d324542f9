"""Run one notebook with papermill into build/, atomically, with one-sentence errors."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
from pathlib import Path

from .paths import KERNEL_NAME


def fast_nbformat() -> None:
    """Skip jsonschema's optional rfc3987_syntax import (about 1.5 s); its URI checks are unused here."""
    sys.modules.setdefault("rfc3987_syntax", None)


def _scrub(nb) -> None:
    """Drop what differs run to run (timestamps, durations, random ids) so rebuilds are identical."""
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        for out in cell.get("outputs", ()):
            out.get("metadata", {}).pop("execution", None)
            data = out.get("data", {})
            if "text/html" in data:  # the plain repr carries a memory address: '<...HTML at 0x7f...>'
                data.pop("text/plain", None)


def execute_notebook(src: Path, dest: Path, *, data_dir: str, as_of: str, base: str = "", timeout: int = 300) -> int:
    """Execute src with its parameters into dest (written to a temp name, then renamed)."""
    fast_nbformat()
    import nbformat
    import papermill as pm
    from jupyter_client.kernelspec import NoSuchKernel

    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.stem}.{os.getpid()}.tmp.ipynb")
    params = {"data_dir": str(Path(data_dir).resolve()), "as_of": as_of, "base": base}
    kernel = os.environ.get("BRIEFING_KERNEL", KERNEL_NAME)  # override for tests and other set-ups
    try:
        with quiet_stderr():
            pm.execute_notebook(
                str(src), str(tmp), parameters=params, kernel_name=kernel, cwd=str(src.parent),
                progress_bar=False, execution_timeout=timeout, log_output=False, report_mode=False,
                # every output is in hand when the last cell ends: stop the kernel at once rather than
                # wait for its graceful exit (about 0.5 s of CPU and wall per notebook; same notebook out)
                shutdown_kernel="immediate",
            )
    except KeyboardInterrupt:
        _fail(tmp)
        raise
    except NoSuchKernel:
        print(f"{src}: the Jupyter kernel '{kernel}' is not installed; run 'make setup' (or: .venv/bin/python -m ipykernel install --sys-prefix --name {kernel})", file=sys.stderr)
        return _fail(tmp)
    except pm.PapermillExecutionError as exc:
        print(f"{src}: cell {exc.exec_count} failed: {exc.ename}: {_first_line(exc.evalue)}", file=sys.stderr)
        if exc.ename == "DataError":
            print(exc.evalue, file=sys.stderr)
        return _fail(tmp)
    except TimeoutError:
        print(f"{src}: a cell ran longer than {timeout} s and was stopped; raise TIMEOUT= or look for a loop", file=sys.stderr)
        return _fail(tmp)
    except Exception as exc:  # kernel died, bad notebook JSON, ...: one sentence, not a traceback
        name = type(exc).__name__
        if name == "DeadKernelError":
            print(f"{src}: the kernel stopped in the middle of a cell (killed, or out of memory); nothing was written", file=sys.stderr)
        elif "Timeout" in name or "timed out" in str(exc):
            print(f"{src}: a cell ran longer than {timeout} s and was stopped; raise TIMEOUT= or look for a loop", file=sys.stderr)
        else:
            print(f"{src}: could not execute: {name}: {_first_line(str(exc))}", file=sys.stderr)
        return _fail(tmp)
    try:
        nb = nbformat.read(str(tmp), as_version=4)
        _scrub(nb)
        nb.metadata.setdefault("briefing", {})["parameters"] = params  # the html step refuses notebooks of other parameters
        nbformat.write(nb, str(tmp))
        os.replace(tmp, dest)
    except BaseException:
        _fail(tmp)
        raise
    from .premises import stale_lines

    for line in stale_lines(str(src), nb):  # sentences withheld in this edition: the editor's to-do list
        print(line)
    return 0


def recorded_parameters(nb) -> dict | None:
    """The parameters a notebook (a NotebookNode, or its JSON as a dict) was executed with (None: not executed by this package)."""
    return (nb.get("metadata", {}).get("briefing") or {}).get("parameters")


@contextlib.contextmanager
def quiet_stderr():
    """Hold back what the kernel and its libraries print on stderr (transport warnings, shutdown
    notices): a reader of the build log gets our one sentence, or the held text with BRIEFING_DEBUG=1."""
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield held
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            if os.environ.get("BRIEFING_DEBUG"):
                held.seek(0)
                sys.stderr.write(held.read().decode("utf-8", "replace"))


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def _fail(tmp: Path) -> int:
    tmp.unlink(missing_ok=True)
    # The run stopped (interrupt, dead kernel, failing cell) and our one sentence says so. nbclient may
    # leave a cell's task behind whose exception ("Kernel died" after a Ctrl-C) asyncio would log with
    # a traceback when the task is collected, after that sentence: it says nothing more, so it stays unsaid.
    logging.getLogger("asyncio").disabled = True
    return 1
