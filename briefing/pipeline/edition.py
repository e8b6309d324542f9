"""The edition bundle: the briefing as published, the data it was built from, and a manifest of hashes.

    python -m briefing.pipeline.edition build --build build --data data --as-of ''   # -> build/edition/
    python -m briefing.pipeline.edition verify build/edition                          # OK, or each file that differs

An edition is a folder: briefing.html, briefing.pdf, data/ (datapackage.json and the CSVs it lists,
byte copies of the ones the build read, so data/ is a Frictionless data package a reader can validate), story/
(the story stage the build computed from that data: edition.json, checks, changes, histories; briefing/story/stage.py)
and MANIFEST.json (edition date, AS_OF, the git revision and generator the page names, sha256 and size of every file;
verify checks each statement against the page). Only the data its pair was made from is bundled (BUILD/.published).
It is written into a temporary folder beside its final name and renamed into place, so nothing ever
sees half an edition under that name. Only the standard library (and the package) is used.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import re
import shutil
import sys
from html import unescape
from pathlib import Path

from ..data.jsonfile import read as read_json
from ..data.problems import printable
from . import folder
from .folder import digest, read_params

MANIFEST = "MANIFEST.json"
DOCUMENTS = ("briefing.html", "briefing.pdf")
EDITION_DIR = "edition"
# a site's copy of an edition (site.py) lists its social card too; the site's generated page lies beside it, unlisted
SITE_CARD, SITE_PAGE = "card.png", "index.html"


class EditionError(Exception):
    """A problem that stops the build or the check; its message is one line for the reader."""


def data_files(data_dir: Path) -> list[str]:
    """datapackage.json and every resource path it lists, relative to data_dir (folder.data_files, as an EditionError)."""
    try:
        return folder.data_files(data_dir)
    except ValueError as exc:
        raise EditionError(str(exc)) from None


def meta_content(html: str, name: str) -> str:
    m = re.search(rf'<meta\b[^>]*\bname="{re.escape(name)}"[^>]*>', html)
    c = re.search(r'\bcontent="([^"]*)"', m.group(0)) if m else None
    return c.group(1) if c else ""


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def move_into_place(tmp: Path, final: Path) -> None:
    """Put the finished folder tmp under the name final; final is at every moment absent,
    the previous complete edition or the new complete one, never a mixture."""
    if final.is_dir() and not final.is_symlink() and _exchange(tmp, final):
        shutil.rmtree(tmp)  # tmp now holds the previous edition
        return
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    if final.exists() or final.is_symlink():
        os.replace(final, old)
    try:
        os.replace(tmp, final)
    except BaseException:
        if old.exists():
            os.replace(old, final)
        raise
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old, ignore_errors=True)
    elif old.exists() or old.is_symlink():
        old.unlink()


def build(build_dir: Path, data_dir: Path, as_of: str = "", name: str = EDITION_DIR) -> Path:
    """Write build_dir/name as an edition of the built briefing; returns its path."""
    from ..story import stage

    build_dir, data_dir, as_of = Path(build_dir), Path(data_dir), (as_of or "").strip()
    for doc in DOCUMENTS:
        if not (build_dir / doc).is_file():
            raise EditionError(f"{build_dir / doc}: not found; build the briefing first (make BUILD={build_dir})")
    for marker in (folder.PUBLISHING, folder.INCOMPLETE):
        if (build_dir / marker).exists():
            raise EditionError(f"{build_dir}: its briefing.html and briefing.pdf are not a published pair yet ({marker}); run make BUILD={build_dir} first")
    made = read_params(build_dir, folder.PUBLISHED)  # what the published pair was made with
    if not made:
        raise EditionError(f"{build_dir}: no record of the data its briefing.html and briefing.pdf were made from ({folder.PUBLISHED}); "
                           f"run make BUILD={build_dir} first")
    if Path(made.get("data", "")).resolve() != data_dir.resolve() or made.get("as_of", "") != as_of:
        raise EditionError(f"{build_dir} was built with DATA={made.get('data')} AS_OF={made.get('as_of', '')!r}, "
                           f"not DATA={data_dir.resolve()} AS_OF={as_of!r}; rebuild with the same parameters")
    files = data_files(data_dir)
    if made.get("data_sha256") != folder.data_digest(data_dir):
        raise EditionError(f"{data_dir}: the data has changed since {build_dir}'s briefing.html and briefing.pdf were made from it "
                           f"(its content, whatever the files' dates); run make BUILD={build_dir} first, so that the edition bundles the data of its pair")
    try:  # the story stage the pair was made from: the data was validated there, and it records the edition's facts
        edition = stage.read(build_dir / folder.STORY, data_dir).edition
    except stage.StageError as exc:
        raise EditionError(f"{exc} (make BUILD={build_dir})") from None
    if edition["as_of"] != as_of:
        raise EditionError(f"{build_dir / folder.STORY}: computed for AS_OF={edition['as_of']!r}, not {as_of!r}; run make BUILD={build_dir} first")
    html = (build_dir / "briefing.html").read_text(encoding="utf-8")
    facts = {"edition": edition["edition"], "data_modified": edition["data_modified"], "as_of": edition["as_of"], "title": edition["title"],
             "generator": edition["generator"], "revision": page_facts(html)["revision"]}  # the revision: the page's own word on its build

    final = build_dir / name
    tmp = build_dir / f".{name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        (tmp / "data").mkdir(parents=True)
        for doc in DOCUMENTS:
            shutil.copyfile(build_dir / doc, tmp / doc)
        for f in files:
            (tmp / "data" / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(data_dir / f, tmp / "data" / f)
        (tmp / folder.STORY).mkdir()
        for f in edition["files"]:  # the story as computed, as data beside the data it was computed from
            shutil.copyfile(build_dir / folder.STORY / f, tmp / folder.STORY / f)
        listing = {}
        for path in sorted(p for p in tmp.rglob("*") if p.is_file()):
            sha, size = digest(path)
            listing[path.relative_to(tmp).as_posix()] = {"bytes": size, "sha256": sha}
        # what the page says of itself (its revision is the one it was built from, not the checkout's now)
        manifest = {**{k: v for k, v in facts.items() if v is not None}, "as_of": as_of, "files": listing}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
        move_into_place(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def _present(directory: Path) -> set[str]:
    """Everything in the edition but folders (FIFOs, sockets and links too: none belongs there)."""
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_symlink() or not p.is_dir()} - {MANIFEST}


def _regular(path: Path) -> bool:
    import stat

    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def page_facts(html: str) -> dict[str, str | None]:
    """What a built page says of itself, as MANIFEST.json records it: edition, data_modified, as_of, title, the git revision
    its colophon names ("unknown": none) and its generator. None: a page built before it recorded that fact."""
    title = re.search(r"<title>(.*?)</title>", html, re.DOTALL)
    colophon = re.search(r"Built by [^<]*?\(([^()<]*)\) from data/(?: at revision ([^\s<]+)\.)?", html)
    return {"edition": meta_content(html, "dcterms.created"), "data_modified": meta_content(html, "dcterms.modified"),
            "as_of": unescape(meta_content(html, "briefing.as-of")) if 'name="briefing.as-of"' in html else None,
            "title": unescape(title.group(1).strip()) if title else "",
            "revision": (colophon.group(2) or "unknown") if colophon else None,
            "generator": unescape(meta_content(html, "generator")) if 'name="generator"' in html else None}


def manifest_problems(directory: Path, manifest: dict) -> list[str]:
    """MANIFEST's own statements (edition, data_modified, as_of, title, revision, generator) against the HTML it describes."""
    html_path = directory / "briefing.html"
    if not _regular(html_path):
        return []
    out = []
    for key, value in page_facts(html_path.read_text(encoding="utf-8", errors="replace")).items():
        if value is None:
            continue  # an edition built before the page recorded it
        if str(manifest.get(key, "")) != value:
            out.append(f"changed: {MANIFEST} {key} ({printable(manifest.get(key, ''))!r}; briefing.html says {printable(value)!r})")
    return out


def verify(directory: Path, unlisted: frozenset[str] = frozenset()) -> tuple[dict, list[str]]:
    """The manifest and one line per file that is changed, missing or extra (empty: all match). unlisted: files that may be
    there without being listed (a site's generated page beside its copy of the edition), when they are regular files."""
    directory = Path(directory)
    if not directory.is_dir():
        raise EditionError(f"{directory}: no such edition directory (build one with make edition, or pass DIR=path/to/edition)")
    mpath = directory / MANIFEST
    if not mpath.is_file():
        raise EditionError(f"{mpath}: not found; {directory} is not an edition (make edition writes one)")
    if not _regular(mpath):
        raise EditionError(f"{mpath}: not a regular file; {directory} is not an edition as built")
    try:
        manifest = read_json(mpath)
        listed = {str(p): (str(v["sha256"]), int(v["bytes"])) for p, v in manifest["files"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise EditionError(f"{mpath}: not a valid manifest ({type(exc).__name__}: {exc})") from None
    present = {p for p in _present(directory) if p not in unlisted or not _regular(directory / p)}
    problems = manifest_problems(directory, manifest)
    for rel in sorted(set(listed) | present):
        if rel not in present:
            problems.append(f"missing: {printable(rel)} (listed in {MANIFEST}, not in the edition)")
        elif rel not in listed:
            problems.append(f"extra: {printable(rel)} (in the edition, not listed in {MANIFEST}" + ("" if _regular(directory / rel) else "; not even a regular file") + ")")
        elif not folder.safe_relative(rel) or not _regular(directory / rel):
            problems.append(f"changed: {printable(rel)} (not a regular file inside the edition)")
        else:
            sha, size = digest(directory / rel)
            if size != listed[rel][1]:
                problems.append(f"changed: {printable(rel)} ({size:,} bytes; the manifest says {listed[rel][1]:,})")
            elif sha != listed[rel][0]:
                problems.append(f"changed: {printable(rel)} (sha256 {sha[:12]}…; the manifest says {listed[rel][0][:12]}…)")
    return manifest, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m briefing.pipeline.edition", description="Build or verify an edition bundle.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build", help="bundle BUILD's briefing.html and .pdf, the data and MANIFEST.json into BUILD/edition")
    p.add_argument("--build", default="build")
    p.add_argument("--data", default="data")
    p.add_argument("--as-of", default="")
    p.add_argument("--name", default=EDITION_DIR, help="folder name inside BUILD (default: edition)")
    p = sub.add_parser("verify", help="recompute every hash of an edition and compare with its MANIFEST.json")
    p.add_argument("directory")
    args = parser.parse_args(argv)
    shown = printable(getattr(args, "directory", ""))
    try:
        if args.command == "build":
            out = build(Path(args.build), Path(args.data), args.as_of, args.name)
            manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
            print(f"{printable(out)}: edition of {printable(manifest['edition'] or 'no date')}, {len(manifest['files'])} files, revision {printable(manifest.get('revision', 'unknown'))}")
            return 0
        manifest, problems = verify(Path(args.directory))
        if SITE_CARD in manifest.get("files", {}):
            manifest, problems = verify(Path(args.directory), frozenset({SITE_PAGE}))
    except EditionError as exc:
        print(printable(exc), file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk, a read-only BUILD: the previous edition is untouched (it is replaced by one rename)
        print(printable(f"{exc.filename or args.command}: {exc.strerror or exc}; the previous edition is unchanged"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"python -m briefing.pipeline.edition {args.command}: interrupted; the previous edition is unchanged", file=sys.stderr)
        return 130
    if problems:
        for line in problems:
            print(f"{shown}: {line}", file=sys.stderr)
        print(f"{shown}: {len(problems)} file(s) do not match {MANIFEST}; this is not the edition as built.", file=sys.stderr)
        return 1
    print(f"{shown}: OK, {len(manifest['files'])} files match {MANIFEST} (edition {printable(manifest.get('edition') or 'no date')}, revision {printable(manifest.get('revision', 'unknown'))})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
