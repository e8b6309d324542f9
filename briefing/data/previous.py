"""The previous edition's data (BASE), for what changed since: a directory, or a git revision of the data directory."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from .dataset import Dataset, load
from .paths import ROOT
from .schema import load_schema, schema_path


def load_base(base: str, data_dir: Path, as_of: str | None) -> Dataset:
    """The previous edition's data: a directory, or a git revision of the data directory."""
    if Path(base).is_dir():
        return load(base, as_of, rules=False)
    data_dir = Path(data_dir).resolve()
    try:
        rel = data_dir.relative_to(ROOT)
    except ValueError as exc:
        raise ValueError(f"BASE={base}: not a directory, and DATA is not inside the repository, so it cannot be a git revision") from exc
    tmp = Path(tempfile.mkdtemp(prefix="briefing-base-"))

    def fetch(name: str) -> None:
        out = subprocess.run(["git", "-C", str(ROOT), "show", f"{base}:{rel.as_posix()}/{name}"], capture_output=True, check=False)
        if out.returncode:
            raise ValueError(f"BASE={base}: git cannot read {rel}/{name} at that revision ({out.stderr.decode().strip()})")
        (tmp / name).write_bytes(out.stdout)

    # the files that revision's own schema declares (an older edition may lack a file added since, e.g. claims.csv)
    fetch(schema_path(data_dir).name)
    for name in [r.path for r in load_schema(schema_path(tmp)).values()]:
        fetch(name)
    return load(tmp, as_of, rules=False)  # the last edition as it was published, even if it predates a rule
