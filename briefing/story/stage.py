"""The story stage: what a build computes once from the validated data, kept on disk as data in BUILD/story/.

`make` runs one step after validation (`python -m briefing story`, briefing/pipeline/story_step.py) that writes:

    edition.json   the edition: headline, dek, edition date, AS_OF, BASE, budget, page title and description, what
                   changed (plain lines), the digest of the data it was computed from, and the files below
    checks.csv     every declared check with every variant (briefing/story/checks.py), floats written exactly
    changes.json   every change since BASE (briefing/story/changes.py), when a BASE was given
    figures.csv    every metric's current value, its period, unit and sources
    histories.csv  every party's statuses in each role, moment by moment (briefing/data/history.py)
    claims.csv     every claim topic's history, moment by moment
    disputes.csv   every disagreement the story can ask about, with its reader's question and sources
    latest.csv     the newest developments after the deal (what Latest draws from)

The notebooks, the html step, the edition bundle, the site and the build summary read these files; none of them
validates the data again, loads BASE again or parses facts out of HTML. A Dataset attached to a stage (attach())
answers the computations the stage holds from it (Dataset.computed), so a notebook shows what the stage says."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..data.dataset import Dataset
from ..data.package import data_digest

FORMAT = "briefing-story/1"
EDITION = "edition.json"
FILES = ("edition.json", "checks.csv", "changes.json", "figures.csv", "histories.csv", "claims.csv", "disputes.csv", "latest.csv")
STAGED_CHANGES = "changes since BASE"  # Dataset.computed's key for the stage's changes (an edition has one BASE)
_TUPLES = ("sources", "quotes")  # a change's tuples, lists once in JSON


class StageError(Exception):
    """The stage cannot be used: missing, of another format, or computed from other data; str() is one line."""


def frame_csv(df: pd.DataFrame) -> str:
    """A frame as CSV whose floats read back exactly (repr), with no index."""
    return df.to_csv(index=False, lineterminator="\n")


def frame_types(df: pd.DataFrame) -> dict[str, str]:
    """Column -> 'float', 'int', 'bool' or 'str': what read_frame restores."""
    kinds = {"f": "float", "i": "int", "b": "bool"}
    return {c: kinds.get(df[c].dtype.kind, "str") for c in df.columns}


def read_frame(path: Path, types: dict[str, str]) -> pd.DataFrame:
    """A frame written by frame_csv, with its column types restored (an empty float cell is NaN, an empty text '')."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col, kind in types.items():
        if kind == "float":
            df[col] = [math.nan if v == "" else float(v) for v in df[col]]
        elif kind == "int":
            df[col] = df[col].astype(int)
        elif kind == "bool":
            df[col] = df[col] == "True"
    return df


@dataclass(frozen=True)
class Stage:
    """A story stage read from disk."""

    path: Path
    edition: dict

    def frame(self, name: str) -> pd.DataFrame:
        types = self.edition.get("columns", {}).get(name)
        if types is None:
            raise StageError(f"{self.path / EDITION}:1: columns: no table {name!r} in this stage")
        return read_frame(self.path / name, types)

    def changes(self) -> list[dict] | None:
        path = self.path / "changes.json"
        if not self.edition.get("base"):
            return None
        changes = json.loads(path.read_text(encoding="utf-8"))
        return [{k: tuple(v) if k in _TUPLES else v for k, v in c.items()} for c in changes]


def read(stage_dir: str | Path, data_dir: str | Path | None = None) -> Stage:
    """The stage in stage_dir; StageError when it is missing, of another format, or (data_dir given) computed from
    other data than data_dir holds now."""
    path = Path(stage_dir)
    try:
        edition = json.loads((path / EDITION).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StageError(f"{path / EDITION}:1: -: cannot be read ({getattr(exc, 'strerror', None) or exc}); run make to compute the story stage") from None
    if not isinstance(edition, dict) or edition.get("format") != FORMAT:
        raise StageError(f"{path / EDITION}:1: format: not a story stage of format {FORMAT}; run make again")
    if data_dir is not None and edition.get("data_digest") != data_digest(Path(data_dir)):
        raise StageError(f"{path / EDITION}:1: data_digest: computed from other data than {data_dir} holds now; run make again")
    return Stage(path, edition)


def attach(d: Dataset, stage: Stage) -> Dataset:
    """d answering from the stage: the headline, the dek, the checks and the changes since BASE are the stage's."""
    e = stage.edition
    if (e.get("as_of") or "") != (d.as_of or ""):
        raise StageError(f"{stage.path / EDITION}:1: as_of: the stage is for AS_OF={e.get('as_of')!r}, not {d.as_of or ''!r}; run make again")
    d.remember("headline", e["headline"])
    d.remember("dek", e["dek"])
    d.remember("checks", stage.frame("checks.csv"))
    if e.get("base"):
        d.remember(STAGED_CHANGES, stage.changes())
    return d
