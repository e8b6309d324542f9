"""The git revision an edition is built from, for its colophon and its manifest: never a guess."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ..data.paths import ROOT
from .params import wait_limit


class RevisionError(Exception):
    """git could not say which revision the edition is built from; str() is one sentence."""


def git_revision(path: Path = ROOT, timeout: int | None = None) -> str:
    """The commit the edition is built from ("+changes" when tracked files differ from it), or "unknown"
    outside a git repository or without git. Never a guess: a git that does not answer in time or fails
    raises RevisionError, because the colophon would then differ from the next build's for nothing."""
    limit = wait_limit(timeout)
    # git status runs the nbstripout filter on each notebook whose timestamps changed since the index
    # last saw it (after a checkout, an edit, a save in JupyterLab): about 2.5 s each, and much longer
    # on a busy machine (10 s was too short: 'unknown', a different page), so the limit is generous;
    # git then records them, and the next call is instant.
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        rev = subprocess.run(["git", "-C", str(path), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, timeout=limit, env=env, check=False)
        if rev.returncode:
            return "unknown"  # not a repository (an installed package run in a plain folder), or no commit yet
        dirty = subprocess.run(["git", "-C", str(path), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True,
                               timeout=limit, env=env, check=False)
    except subprocess.TimeoutExpired as exc:
        raise RevisionError(f"git did not answer within {limit} s ({' '.join(exc.cmd[3:5])} in {path}; it filters notebooks whose "
                            "timestamps changed, slow on a busy machine); the colophon needs the revision, so nothing was written: "
                            "run make again, or raise TIMEOUT=") from None
    except OSError:
        return "unknown"  # no git
    if dirty.returncode:
        said = (dirty.stderr.strip().splitlines() or ["no message"])[-1]
        raise RevisionError(f"git status failed in {path} ({said}); the colophon needs to know whether the checkout has changes, "
                            "so nothing was written: fix what git says (e.g. make setup, for the nbstripout filter) and run make again")
    return rev.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")
