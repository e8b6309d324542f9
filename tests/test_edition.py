"""The edition bundle: `make edition` writes BUILD/edition atomically (HTML, PDF, data package, manifest);
`make verify-edition` recomputes the hashes and names every file that differs, is missing or is extra."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
from pathlib import Path, PurePosixPath

import pytest
from conftest import DATA, PY, ROOT, make

from briefing.story import stage

# every data file, as used, and the story stage computed from it
FILES = {"briefing.html", "briefing.pdf"} | {f"data/{p.name}" for p in DATA.iterdir()} | {f"story/{n}" for n in stage.FILES}


def edition_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "briefing.pipeline.edition", *args], check=False, cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture
def build_copy(built: Path, tmp_path: Path) -> Path:
    """A private copy of the session's build (mtimes kept, so Make sees it up to date)."""
    dest = tmp_path / "build"
    shutil.copytree(built, dest, ignore=shutil.ignore_patterns("edition", ".edition*"))
    return dest


@pytest.fixture
def edition(build_copy: Path) -> Path:
    proc = make(f"BUILD={build_copy}", "edition", check=True)
    assert "briefing.pipeline.edition build" in proc.stdout
    return build_copy / "edition"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_edition_contents_and_manifest(edition: Path, build_copy: Path):
    files = {p.relative_to(edition).as_posix() for p in edition.rglob("*") if p.is_file()}
    assert files == FILES | {"MANIFEST.json"}
    manifest = json.loads((edition / "MANIFEST.json").read_text(encoding="utf-8"))
    assert set(manifest["files"]) == FILES
    for rel, entry in manifest["files"].items():
        assert entry["sha256"] == sha256(edition / rel) and entry["bytes"] == (edition / rel).stat().st_size, rel
    # byte copies of what the build used and made
    for doc in ("briefing.html", "briefing.pdf"):
        assert (edition / doc).read_bytes() == (build_copy / doc).read_bytes()
    for f in DATA.iterdir():
        if f.name == "datapackage.json" or f.suffix == ".csv":
            assert (edition / "data" / f.name).read_bytes() == f.read_bytes(), f.name
    from briefing.pipeline.revision import git_revision

    assert manifest["revision"] == git_revision()
    assert manifest["as_of"] == ""
    html = (edition / "briefing.html").read_text(encoding="utf-8")
    assert f'content="{manifest["edition"]}" name="dcterms.created"' in html or f'name="dcterms.created" content="{manifest["edition"]}"' in html
    # nothing left beside it
    assert not [p.name for p in build_copy.iterdir() if p.name.startswith(".edition")]


def test_edition_data_is_a_valid_data_package(edition: Path):
    """What a Frictionless reader needs: a descriptor whose resources are relative paths inside the
    package, present, with a header that matches the schema; and the project's own validator passes."""
    data = edition / "data"
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    assert package["name"] and package["resources"]
    names = [r["name"] for r in package["resources"]]
    assert len(names) == len(set(names))
    for res in package["resources"]:
        p = PurePosixPath(res["path"])
        assert not p.is_absolute() and ".." not in p.parts, res["path"]
        with open(data / p, encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f))
        assert header == [fld["name"] for fld in res["schema"]["fields"]], res["name"]
        for fk in res["schema"].get("foreignKeys", []):
            assert fk["reference"]["resource"] in names
    proc = subprocess.run([PY, "-m", "briefing", "validate", "--data", str(data)], check=False, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_verify_passes(edition: Path):
    proc = make("verify-edition", f"DIR={edition}")
    assert proc.returncode == 0, proc.stderr
    assert f"{edition}: OK, {len(FILES)} files match MANIFEST.json" in proc.stdout


def test_verify_names_a_changed_byte(edition: Path):
    target = edition / "data" / "figures.csv"
    raw = bytearray(target.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    target.write_bytes(bytes(raw))
    proc = make("verify-edition", f"DIR={edition}")
    assert proc.returncode != 0
    problems = [ln for ln in proc.stderr.splitlines() if ": changed: " in ln or ": missing: " in ln or ": extra: " in ln]
    assert problems == [f"{edition}: changed: data/figures.csv (sha256 {sha256(target)[:12]}…; the manifest says "
                        + json.loads((edition / "MANIFEST.json").read_text())["files"]["data/figures.csv"]["sha256"][:12] + "…)"], proc.stderr


def test_verify_names_missing_and_extra_files(edition: Path):
    (edition / "briefing.pdf").unlink()
    (edition / "data" / "notes.txt").write_text("not part of the edition\n")
    (edition / "briefing.html").write_bytes((edition / "briefing.html").read_bytes() + b"\n")
    proc = edition_cli("verify", str(edition))
    assert proc.returncode == 1
    err = proc.stderr
    assert f"{edition}: missing: briefing.pdf" in err
    assert f"{edition}: extra: data/notes.txt" in err
    assert f"{edition}: changed: briefing.html (" in err and "bytes; the manifest says" in err
    assert "data/events.csv" not in err and "OK" not in proc.stdout


def test_verify_missing_dir_is_one_clear_line(tmp_path: Path):
    missing = tmp_path / "no-such-edition"
    proc = edition_cli("verify", str(missing))
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{missing}: no such edition directory"), proc.stderr
    proc = make("verify-edition", f"DIR={missing}")
    assert proc.returncode != 0 and lines[0] in proc.stderr
    # a folder that is not an edition
    proc = edition_cli("verify", str(tmp_path))
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and "MANIFEST.json: not found" in proc.stderr
    (tmp_path / "MANIFEST.json").write_text("{not json")
    proc = edition_cli("verify", str(tmp_path))
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and "not a valid manifest" in proc.stderr


def test_rebuild_replaces_the_whole_edition(edition: Path, build_copy: Path):
    before = (edition / "MANIFEST.json").read_bytes()
    (edition / "stale.txt").write_text("left over from an older edition\n")
    proc = edition_cli("build", "--build", str(build_copy), "--data", str(DATA), "--as-of", "")
    assert proc.returncode == 0, proc.stderr
    assert not (edition / "stale.txt").exists()
    assert (edition / "MANIFEST.json").read_bytes() == before, "the manifest is deterministic"
    assert edition_cli("verify", str(edition)).returncode == 0
    assert not [p.name for p in build_copy.iterdir() if p.name.startswith(".edition")]


def test_a_failed_build_leaves_the_previous_edition_alone(edition: Path, build_copy: Path, tmp_path: Path):
    before = {p.relative_to(edition).as_posix(): p.read_bytes() for p in edition.rglob("*") if p.is_file()}
    broken = tmp_path / "data-broken"
    shutil.copytree(DATA, broken)
    (broken / "relationships.csv").unlink()
    proc = edition_cli("build", "--build", str(build_copy), "--data", str(broken), "--as-of", "")
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    (build_copy / "briefing.pdf").unlink()
    proc = edition_cli("build", "--build", str(build_copy), "--data", str(DATA), "--as-of", "")
    assert proc.returncode == 2 and "briefing.pdf: not found" in proc.stderr
    after = {p.relative_to(edition).as_posix(): p.read_bytes() for p in edition.rglob("*") if p.is_file()}
    assert after == before
    assert not [p.name for p in build_copy.iterdir() if p.name.startswith(".edition")]


def test_edition_refuses_a_build_made_from_other_parameters(build_copy: Path):
    proc = edition_cli("build", "--build", str(build_copy), "--data", str(DATA), "--as-of", "2025-06-13")
    assert proc.returncode == 2 and "rebuild with the same parameters" in proc.stderr
    assert not (build_copy / "edition").exists()


def test_a_build_that_fails_halfway_leaves_no_half_edition(edition: Path, build_copy: Path, monkeypatch):
    """Copying fails after the temporary folder has been started: the old edition stays, whole."""
    from briefing.pipeline import edition as ed

    before = (edition / "MANIFEST.json").read_bytes()
    real, calls = ed.shutil.copyfile, []

    def flaky(src, dst, *a, **k):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(src, dst, *a, **k)

    monkeypatch.setattr(ed.shutil, "copyfile", flaky)
    with pytest.raises(OSError):
        ed.build(build_copy, DATA, "")
    assert len(calls) == 3 and Path(calls[0]).parent.name.startswith(".edition.tmp-")
    assert (edition / "MANIFEST.json").read_bytes() == before
    assert edition_cli("verify", str(edition)).returncode == 0
    assert not [p.name for p in build_copy.iterdir() if p.name.startswith(".edition")]
