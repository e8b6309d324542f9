"""JupyterLab and git: a notebook saved with its outputs leaves `git status` clean.

The nbstripout git filter (installed by `make setup`) already stores and diffs notebooks without
outputs, so `git diff` shows nothing after a save. But git's `status` trusts file sizes: a saved
file that grew with outputs is listed as modified until it is added again. This post-save hook does
exactly that re-add, and only when the saved notebook, filtered, is the very blob git already has:
the index's content never changes, a real edit (a changed cell) is never staged, and the outputs
stay in the file for the user.

    python -m briefing.pipeline.jupyter install   # make setup: enable the hook for this venv's Jupyter server
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HOOK = "briefing.pipeline.jupyter.post_save"
CONFIG_NAME = "jupyter_server_config.json"


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=30, check=False)


def refresh_if_unchanged(path: Path) -> bool:
    """Re-add path to git's index if its filtered content equals the staged blob; True if it did."""
    path = Path(path).resolve()
    where = path.parent
    staged = _git(where, "ls-files", "--stage", "--", path.name)
    if staged.returncode or not staged.stdout.strip():
        return False  # not tracked (or not a repository)
    blob = staged.stdout.split()[1]
    saved = _git(where, "hash-object", "--path", path.name, "--", path.name)  # through the clean filter
    if saved.returncode or saved.stdout.strip() != blob:
        return False  # a real change: leave it for the user to see and stage
    return _git(where, "add", "--", path.name).returncode == 0


def post_save(model=None, os_path: str = "", contents_manager=None, **kwargs) -> None:
    """FileContentsManager.post_save_hook: never fails a save."""
    if not str(os_path).endswith(".ipynb"):
        return
    try:
        refresh_if_unchanged(Path(os_path))
    except (OSError, subprocess.SubprocessError) as exc:
        if contents_manager is not None:
            contents_manager.log.debug("briefing post-save git refresh skipped: %s", exc)


def install(prefix: Path | None = None) -> Path:
    """Enable the hook for the Jupyter server of this Python environment (sys.prefix/etc/jupyter).
    (jupyter_server_config.d/ is read for extensions only, so the hook goes into the main JSON config,
    merged with whatever else it holds.)"""
    target = Path(prefix or sys.prefix) / "etc" / "jupyter" / CONFIG_NAME
    try:
        config = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        config = {}
    config.setdefault("FileContentsManager", {})["post_save_hook"] = HOOK
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return target


if __name__ == "__main__":
    if sys.argv[1:] != ["install"]:
        print("usage: python -m briefing.pipeline.jupyter install", file=sys.stderr)
        raise SystemExit(2)
    print(f"{install()}: JupyterLab saves of notebooks whose only change is their outputs leave git status clean")
