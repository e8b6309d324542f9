"""Run one notebook with papermill into build/, atomically, with one-sentence errors."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile
from pathlib import Path

from ..drawing.notebooks import fast_nbformat
from .params import wait_limit

KERNEL_NAME = "scale-briefing"  # make setup installs the venv's kernel under this name


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


# A kernel that exits before it answers its first message ran none of the notebook. Under load the
# usual cause is a race in the Jupyter protocol itself: jupyter_client picks free TCP ports, releases
# them and the kernel binds them a moment later, and a kernel starting at the same time in another
# build (or any other process) can take one first ("ZMQError: Address already in use"; papermill
# issue 511, ipykernel PR 412). A second kernel gets new ports, so it is started once more; a kernel
# that cannot start for good (a broken install) fails the second time too, with its own words.
KERNEL_EXITED = "Kernel died before replying to kernel_info"
KERNEL_SILENT = "Kernel didn't respond in"


def story_dir_recorded(dest: Path, story_dir: str) -> str:
    """The story stage as an executed notebook records it: "../story" beside BUILD/notebooks/ (the build's own, and what
    Jupyter resolves when the executed notebook is opened where it lies), else its absolute path."""
    return "../story" if Path(story_dir).resolve() == Path(dest).resolve().parent.parent / "story" else str(Path(story_dir).resolve())


def execute_notebook(src: Path, dest: Path, *, data_dir: str, as_of: str, base: str = "", timeout: int = 300, story_dir: str = "") -> int:
    """Execute src with its parameters into dest (written to a temp name, then renamed)."""
    fast_nbformat()
    import nbformat
    import papermill as pm
    from jupyter_client.kernelspec import NoSuchKernel

    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.stem}.{os.getpid()}.tmp.ipynb")
    params = {"data_dir": str(Path(data_dir).resolve()), "as_of": as_of, "base": base}
    if story_dir:  # the story stage the build computed once (a notebook run without one computes the story itself)
        params["story_dir"] = str(Path(story_dir).resolve())
    kernel = os.environ.get("BRIEFING_KERNEL", KERNEL_NAME)  # override for tests and other set-ups
    foreign = foreign_kernel(kernel) if kernel == KERNEL_NAME else None
    if foreign:
        print(f"{src}: {foreign}", file=sys.stderr)
        return 1
    wait = wait_limit(timeout)
    first_exit = None  # what the first kernel said, when it exited while starting
    held = Held()
    interrupted = _watch_sigint()  # a Ctrl-C that kills a starting kernel is the user's stop, never a reason to retry
    for attempt in (1, 2):
        try:
            with quiet_stderr() as held:
                pm.execute_notebook(
                    str(src), str(tmp), parameters=params, kernel_name=kernel, cwd=str(src.parent),
                    progress_bar=False, execution_timeout=timeout, log_output=False, report_mode=False,
                    # Waits that are not the notebook's own work get a generous limit (paths.wait_limit),
                    # not nbclient's defaults (60 s for a kernel to start, 4 s for a finished cell's output
                    # to arrive), which a busy machine can exceed: both end as soon as the kernel
                    # answers, and a kernel that dies is noticed at once, so a long limit costs nothing.
                    start_timeout=wait, iopub_timeout=wait,
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
        except Exception as exc:  # kernel died, timed out, bad notebook JSON, ...: one sentence, not a traceback  # noqa: BLE001
            if interrupted:
                _fail(tmp)
                raise KeyboardInterrupt from None
            if attempt == 1 and KERNEL_EXITED in str(exc):
                first_exit = kernel_words(held.text)
                _quiet_leftovers()
                continue  # no cell ran: start a new kernel, on new ports
            print(f"{src}: {failure_sentence(exc, timeout, kernel_words(held.text), first_exit, wait)}", file=sys.stderr)
            return _fail(tmp)
        break
    if attempt == 2:  # the build goes on; its log keeps the hiccup
        print(f"{src}: the first kernel exited while starting{_said(first_exit)}; a second one ran the notebook", file=sys.stderr)
    try:
        nb = nbformat.read(str(tmp), as_version=4)
        _scrub(nb)
        if "story_dir" in params:  # recorded as BUILD/notebooks/X.ipynb finds it: two builds into two folders write the same notebook
            params = {**params, "story_dir": story_dir_recorded(dest, params["story_dir"])}
            for cell in nb.cells:
                if "injected-parameters" in cell.metadata.get("tags", []):
                    cell.source = cell.source.replace(f'"{Path(story_dir).resolve()}"', f'"{params["story_dir"]}"')  # papermill's quoting
        nb.metadata.setdefault("briefing", {})["parameters"] = params  # the html step refuses notebooks of other parameters
        nbformat.write(nb, str(tmp))
        os.replace(tmp, dest)
    except BaseException:
        _fail(tmp)
        raise
    from ..story.premises import stale_lines

    for line in stale_lines(str(src), nb):  # sentences withheld in this edition: the editor's to-do list
        print(line)
    return 0


def _watch_sigint() -> list:
    """A list that gets an item when SIGINT arrives (the usual KeyboardInterrupt still follows)."""
    import signal
    import threading

    seen: list = []
    if threading.current_thread() is not threading.main_thread():
        return seen
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum, frame):
        seen.append(signum)
        if previous == signal.SIG_IGN:  # started with SIGINT ignored (a background job): only remember it, so a
            return  # kernel the same Ctrl-C killed is not started again
        if callable(previous):
            previous(signum, frame)
        else:
            signal.default_int_handler(signum, frame)

    signal.signal(signal.SIGINT, handler)
    return seen


def recorded_parameters(nb) -> dict | None:
    """The parameters a notebook (a NotebookNode, or its JSON as a dict) was executed with (None: not executed by this package)."""
    return (nb.get("metadata", {}).get("briefing") or {}).get("parameters")


class Held:
    """What quiet_stderr held back; text is filled in when the block ends."""

    text = ""


@contextlib.contextmanager
def quiet_stderr():
    """Hold back what the kernel and its libraries print on stderr (transport warnings, shutdown
    notices): a reader of the build log gets our one sentence, or the held text with BRIEFING_DEBUG=1.
    The held text is kept (Held.text), so that a failure can quote what the kernel said."""
    saved = os.dup(2)
    out = Held()
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield out
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            out.text = held.read(1 << 20).decode("utf-8", "replace")
            if os.environ.get("BRIEFING_DEBUG"):
                sys.stderr.write(out.text)


def failure_sentence(exc: BaseException, timeout: int, kernel_said: str | None = None, first_exit: str | None = None,
                     wait: int | None = None) -> str:
    """Why a notebook run stopped, in one sentence that says what to do (after the notebook's name).
    timeout: the cell limit; wait: the limit for the kernel's start and a cell's output."""
    name, text = type(exc).__name__, str(exc)
    wait = wait or wait_limit(timeout)
    if name == "DeadKernelError":
        return "the kernel stopped in the middle of a cell (killed, or out of memory); nothing was written"
    if KERNEL_EXITED in text:
        said = first_exit if kernel_said is None else kernel_said
        return (f"the kernel exited while starting, twice{_said(said)}; nothing was written: "
                "check the kernel with 'make setup' (or BRIEFING_DEBUG=1 to see all it printed)")
    if KERNEL_SILENT in text:
        return (f"the kernel started but did not answer within {wait} s (a very busy machine, or a stuck kernel); "
                "nothing was written: run make again, or raise TIMEOUT=")
    if "IOPub" in text:  # the cell's reply came, its output did not
        return (f"a cell finished but its output did not arrive within {wait} s (a very busy machine); "
                "nothing was written: run make again, or raise TIMEOUT=")
    if isinstance(exc, TimeoutError) or "Timeout" in name or "timed out" in text:
        return f"a cell ran longer than {timeout} s and was stopped; raise TIMEOUT= or look for a loop"
    return f"could not execute: {name}: {_first_line(text)}"


_EXCEPTION_LINE = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?[A-Z]\w*(?:Error|Exception|Exit)\b.*$")


def kernel_words(held: str) -> str | None:
    """The last exception line the kernel printed (e.g. "zmq.error.ZMQError: Address already in use"), if any."""
    lines = [ln.strip() for ln in held.splitlines() if _EXCEPTION_LINE.match(ln.strip()) and KERNEL_EXITED not in ln]
    return printable_line(lines[-1]) if lines else None


def printable_line(text: str, limit: int = 200) -> str:
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _said(words: str | None) -> str:
    return f" ({words})" if words else ""


def foreign_kernel(name: str) -> str | None:
    """Why the kernelspec Jupyter finds first under this name would not run this environment's Python
    (e.g. a --user install from another checkout, or JUPYTER_PATH), or None."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        return None  # said by the caller, with what to do
    exe = spec.argv[0] if spec.argv else ""
    if not os.path.isabs(exe):
        return None  # "python": whichever is on PATH; nothing to compare
    where, prefix = os.path.realpath(os.path.dirname(exe)), os.path.realpath(sys.prefix)  # not exe itself: a venv's python links out
    if os.path.commonpath([where, prefix]) == prefix:
        return None
    return (f"the Jupyter kernel '{name}' that Jupyter finds first ({spec.resource_dir}) runs {exe}, not this environment's "
            f"Python ({sys.executable}); remove it (jupyter kernelspec remove {name}) or unset JUPYTER_PATH, then run make setup")


def _quiet_leftovers() -> None:
    """nbclient may leave a task of a failed start behind; its exception says nothing our sentence does not."""
    logging.getLogger("asyncio").disabled = True


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def _fail(tmp: Path) -> int:
    tmp.unlink(missing_ok=True)
    # The run stopped (interrupt, dead kernel, failing cell) and our one sentence says so. nbclient may
    # leave a cell's task behind whose exception ("Kernel died" after a Ctrl-C) asyncio would log with
    # a traceback when the task is collected, after that sentence: it says nothing more, so it stays unsaid.
    _quiet_leftovers()
    return 1
