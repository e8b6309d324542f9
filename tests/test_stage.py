"""The story stage (briefing/story/stage.py, written by briefing/pipeline/story_step.py): the story computed once, as
data, read back exactly; refused when it is stale; first in Make's graph. On the small fixture, built by hand."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from conftest import PY, ROOT, SMALL, append_rows, set_cell

from briefing.data.dataset import load
from briefing.drawing.record import changes_block
from briefing.pipeline.story_step import write_stage
from briefing.story import lead, stage
from briefing.story.changes import compare
from briefing.story.checks import run_checks


def _stage(data: Path, out: Path, base: str = "") -> Path:
    assert write_stage(data, "", base, base, out) == 0
    return out


def test_the_stage_holds_the_story_and_reads_back_exactly(small: Path, tmp_path: Path):
    out = _stage(small, tmp_path / "story")
    assert sorted(p.name for p in out.iterdir()) == sorted(stage.FILES)
    e = json.loads((out / stage.EDITION).read_text(encoding="utf-8"))
    d = load(small)
    for key, want in (("headline", lead.headline(d)), ("dek", lead.dek(d)), ("edition", lead.edition_date(d)), ("as_of", ""),
                      ("base", ""), ("what_changed", [])):
        assert e[key] == want, key
    attached = stage.attach(load(small, rules=False), stage.read(out, small))
    pd.testing.assert_frame_equal(run_checks(attached), run_checks(d))  # floats and all, as computed
    figures = pd.read_csv(out / "figures.csv", dtype=str, keep_default_na=False)
    assert set(figures["metric"]) == set(d.figures["metric"])
    assert all(figures["source_ids"]), "every key figure names its sources"
    histories = pd.read_csv(out / "histories.csv", dtype=str, keep_default_na=False)
    assert set(histories["party"]) == set(d.relationships["party"])


def test_a_stage_answers_for_the_dataset_it_is_attached_to(small: Path, tmp_path: Path):
    """What the notebooks show is the stage's: a stage whose headline says otherwise is what the masthead prints."""
    out = _stage(small, tmp_path / "story")
    e = json.loads((out / stage.EDITION).read_text(encoding="utf-8"))
    e["headline"] = "A headline only the stage holds"
    (out / stage.EDITION).write_text(json.dumps(e), encoding="utf-8")
    from briefing.drawing.story_blocks import masthead

    assert "A headline only the stage holds" in str(masthead(stage.attach(load(small, rules=False), stage.read(out, small))))


def test_changes_since_base_are_computed_once_and_read_back(small: Path, tmp_path: Path):
    old = tmp_path / "old"
    shutil.copytree(SMALL, old)
    rows = pd.read_csv(small / "events.csv", dtype=str, keep_default_na=False)
    new = rows.iloc[0].to_dict()
    new.update({"event_id": "ev-added-later", "description": "A development added after the last edition"})
    append_rows(small / "events.csv", [new])
    out = _stage(small, tmp_path / "story", base=str(old))
    e = json.loads((out / stage.EDITION).read_text(encoding="utf-8"))
    want = compare(load(old, rules=False), load(small))
    assert e["changes_count"] == len(want) > 0 and e["what_changed"]
    attached = stage.attach(load(small, rules=False), stage.read(out, small))
    assert str(changes_block(attached, str(old))) == str(changes_block(load(small), str(old)))


def test_a_stale_stage_is_refused(small: Path, tmp_path: Path):
    out = _stage(small, tmp_path / "story")
    set_cell(small, "events", 2, "description", "Edited after the stage was computed")
    with pytest.raises(stage.StageError, match=r"edition\.json:1: data_digest: computed from other data"):
        stage.read(out, small)
    (out / stage.EDITION).write_text("{}", encoding="utf-8")
    with pytest.raises(stage.StageError, match="format"):
        stage.read(out)


def test_a_bad_row_stops_the_story_step_with_its_line(small: Path, tmp_path: Path):
    set_cell(small, "figures", 2, "value", "lots")
    proc = subprocess.run([PY, "-m", "briefing", "story", "--data", str(small), "--out", str(tmp_path / "story")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1
    assert "figures.csv:2: value:" in proc.stderr and "nothing was built" in proc.stderr
    assert not (tmp_path / "story").exists()


def test_makes_graph_runs_the_story_stage_first(tmp_path: Path):
    proc = subprocess.run(["make", "-n", f"BUILD={tmp_path / 'b'}"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    lines = proc.stdout.splitlines()
    story = next(i for i, line in enumerate(lines) if "-m briefing story" in line)
    execute = [i for i, line in enumerate(lines) if "-m briefing execute" in line]
    assert execute and story < min(execute)
    assert all("--story=" in lines[i] for i in execute)
    assert not any("-m briefing validate" in line for line in lines), "the data is validated once, by the story step"
