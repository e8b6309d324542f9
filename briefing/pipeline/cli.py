"""The commands Make calls. Each prints plain sentences and exits non-zero on failure."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..data.paths import CHECKOUT, DATA_DIR, default_sources_dir


def _validate(args) -> int:
    from ..data.problems import printable
    from ..data.validate import validate, vocabulary_notes

    tables, problems = validate(Path(args.data), args.as_of)
    for note in vocabulary_notes(tables):
        print(printable(note), file=sys.stderr)
    if not problems and args.base:
        from ..data.previous import load_base
        from ..data.problems import DataError, Problem
        from .params import resolve_base

        try:
            load_base(resolve_base(args.base), Path(args.data), args.as_of or None)
        except DataError as exc:
            problems = [Problem(f"BASE={args.base}: {p.path}", p.line, p.column, p.message) for p in exc.problems]
        except ValueError as exc:
            problems = [Problem("BASE", 1, "base", str(exc).removeprefix(f"BASE={args.base}: "))]
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) found; nothing was built.", file=sys.stderr)
        return 1
    print(f"{args.data}: valid")
    return 0


def _story(args) -> int:
    from .params import resolve_base
    from .story_step import write_stage

    base = ""
    if args.base:
        try:
            base = resolve_base(args.base)
        except ValueError as exc:
            print(f"BASE:1: base: {str(exc).removeprefix(f'BASE={args.base}: ')}", file=sys.stderr)
            return 1
    return write_stage(Path(args.data), args.as_of, base, _base(args.base), Path(args.out))


def _verify_quotes(args) -> int:
    from ..data.quotes import verify_quotes
    from ..data.validate import validate

    sources = Path(args.sources) if args.sources else default_sources_dir()
    if sources is None or not sources.is_dir():
        print(f"source texts not found ({sources or '../shared/sources'}); pass SOURCES=path/to/sources", file=sys.stderr)
        return 2
    tables, problems = validate(Path(args.data))
    if not problems:
        problems = verify_quotes(tables, sources)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    n = sum(len(t.rows) for name, t in tables.items() if name != "sources")
    print(f"{n} quotes and {len(tables['sources'].rows)} headlines found verbatim in {sources}")
    return 0


def _dictionary(args) -> int:
    """Print the data dictionary, or (--readme) rewrite it between the README's markers."""
    from ..data.problems import printable
    from ..data.schema import data_dictionary, load_schema
    from ..data.validate import validate
    from .folder import atomic_write

    _, problems = validate(Path(args.data), rules=False)  # the schema, and the data it describes, as the build reads them
    if problems:
        print(*problems[:5], f"{len(problems)} problem(s) found; the dictionary was not written.", sep="\n", file=sys.stderr)
        return 1
    text = data_dictionary(load_schema(Path(args.data) / "datapackage.json"))
    if not args.readme:
        print(text)
        return 0
    readme = Path(args.readme)
    start, end = "<!-- dictionary:start -->", "<!-- dictionary:end -->"
    try:
        body = readme.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(printable(f"{readme}:1: -: cannot be read ({getattr(exc, 'strerror', None) or exc}); the dictionary was not written"), file=sys.stderr)
        return 1
    if body.count(start) != 1 or body.count(end) != 1 or body.index(start) > body.index(end):
        line = body[: body.find(start)].count("\n") + 1 if start in body else 1
        print(printable(f"{readme}:{line}: -: needs the markers {start} and then {end}, once each, around the dictionary; "
                        "the dictionary was not written"), file=sys.stderr)
        return 1
    head, rest = body.split(start, 1)
    _, tail = rest.split(end, 1)
    new = f"{head}{start}\n{text}\n{end}{tail}"
    if new == body:
        print(f"{printable(readme)}: data dictionary unchanged (it matches the schema)")
        return 0
    try:
        atomic_write(readme, new.encode("utf-8"))
    except OSError as exc:
        print(printable(f"{readme}:1: -: cannot be written ({exc.strerror or exc}); it is unchanged"), file=sys.stderr)
        return 1
    print(f"{printable(readme)}: data dictionary updated from the schema")
    return 0


def _execute(args) -> int:
    from .execute import execute_notebook

    args.base = _base(args.base)

    import time

    from .summary import progress

    t0 = time.monotonic()
    rc = execute_notebook(
        Path(args.notebook), Path(args.output), data_dir=args.data, as_of=args.as_of or "", base=args.base or "", timeout=args.timeout,
        story_dir=args.story or "",
    )
    if rc == 0:
        print(progress(args.notebook, time.monotonic() - t0), flush=True)
    return rc


def _base(base: str) -> str:
    """The notebook runs in notebooks/: a directory BASE is passed as a path that works there."""
    return str(Path(base).resolve()) if base and Path(base).is_dir() else (base or "")


def _html(args) -> int:
    from .output import write_html

    return write_html([Path(p) for p in args.notebooks], Path(args.output), data_dir=Path(args.data), as_of=args.as_of or "",
                      base=None if args.base is None else _base(args.base), story_dir=Path(args.story) if args.story else None)


def _prepare(args) -> int:
    from .guard import prepare

    return prepare(args.build, args.data, args.as_of, args.base, args.timeout, args.jobs, args.sources, args.dry_run == "yes",
                   args.site, args.site_url, args.site_required == "yes")


def _publish(args) -> int:
    from .folder import PAIR
    from .guard import publish

    try:
        publish(Path(args.build), PAIR if args.only == "both" else ("briefing.html",))
    except OSError as exc:
        print(f"{exc}" if isinstance(exc, FileNotFoundError) and exc.args and not exc.filename else f"cannot publish into {args.build}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


def _publish_site(args) -> int:
    from ..data.problems import printable
    from .params import site_problems
    from .site import SiteError, publish

    problems = site_problems(args.site, args.site_url, args.build, args.data, args.sources, args.base, required=True)
    if problems:
        print(*problems, f"{len(problems)} problem(s) found; nothing was published.", sep="\n", file=sys.stderr)
        return 2
    try:
        print(publish(Path(args.site), Path(args.build), args.site_url + ("" if not args.site_url or args.site_url.endswith("/") else "/")))
    except SiteError as exc:
        print(printable(str(exc)), file=sys.stderr)
        return 1
    except OSError as exc:
        print(printable(f"SITE={args.site}: {exc.filename or ''}: {exc.strerror or exc}; the site is as it was"), file=sys.stderr)
        return 1
    return 0


def _locked(args) -> int:
    from .lock import run_locked

    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not argv:
        print("python -m briefing locked: no command given (locked FILE -- COMMAND ...)", file=sys.stderr)
        return 2
    return run_locked(Path(args.lock), argv)


def _clean(args) -> int:
    from .guard import clean

    return clean(args.build, args.data, args.sources)


def _pdf(args) -> int:
    from .output import write_pdf

    return write_pdf(Path(args.html), Path(args.output))


def _summary(args) -> int:
    from .folder import PAIR
    from .summary import summary

    missing = [n for n in PAIR if not (Path(args.build) / n).is_file()]
    if missing:
        from ..data.problems import printable

        print(printable(f"BUILD:1: build: '{args.build}' holds no {' and no '.join(missing)}; nothing was built there (run make BUILD=...)"),
              file=sys.stderr)
        return 1
    print(summary(Path(args.build), args.started))
    return 0


def main(argv: list[str] | None = None) -> int:
    from ..drawing.notebooks import fast_nbformat

    fast_nbformat()
    parser = argparse.ArgumentParser(prog="python -m briefing")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check the data against the schema")
    p.add_argument("--data", default=str(DATA_DIR))
    p.add_argument("--as-of", default="")
    p.add_argument("--base", default="", help="also check that this base edition (directory or git revision) loads")
    p.set_defaults(func=_validate)

    p = sub.add_parser("story", help="validate the data once and write the computed story into BUILD/story (the story stage)")
    p.add_argument("--data", default=str(DATA_DIR))
    p.add_argument("--as-of", default="")
    p.add_argument("--base", default="", help="the earlier edition to compare with (directory or git revision)")
    p.add_argument("--out", required=True, help="the stage's folder, BUILD/story")
    p.set_defaults(func=_story)

    p = sub.add_parser("verify-quotes", help="check every quote against the source texts")
    p.add_argument("--data", default=str(DATA_DIR))
    p.add_argument("--sources", default="")
    p.set_defaults(func=_verify_quotes)

    p = sub.add_parser("dictionary", help="print the data dictionary (Markdown)")
    p.add_argument("--data", default=str(DATA_DIR))
    p.add_argument("--readme", default="", help="rewrite the dictionary section of this README")
    p.set_defaults(func=_dictionary)

    p = sub.add_parser("execute", help="run one notebook with papermill")
    p.add_argument("notebook")
    p.add_argument("output")
    p.add_argument("--data", default=str(DATA_DIR))
    p.add_argument("--as-of", default="")
    p.add_argument("--base", default="")
    p.add_argument("--timeout", type=int, default=300)
    p.add_argument("--story", default="", help="the story stage (BUILD/story) the notebook reads instead of computing the story again")
    p.set_defaults(func=_execute)

    p = sub.add_parser("html", help="render executed notebooks into one HTML briefing")
    p.add_argument("output")
    p.add_argument("notebooks", nargs="+")
    p.add_argument("--data", default=str(DATA_DIR))
    p.add_argument("--as-of", default="")
    p.add_argument("--base", default=None, help="the BASE the notebooks were executed with (checked when given)")
    p.add_argument("--story", default="", help="the story stage (BUILD/story) the notebooks read: the page's metadata is its")
    p.set_defaults(func=_html)

    p = sub.add_parser("pdf", help="render the HTML briefing to PDF")
    p.add_argument("html")
    p.add_argument("output")
    p.set_defaults(func=_pdf)

    p = sub.add_parser("summary", help="what a build wrote: files, sizes, pages, edition, time taken")
    p.add_argument("--build", default="build")
    p.add_argument("--started", type=float, default=None, help="when the build began (seconds since the epoch)")
    p.set_defaults(func=_summary)

    p = sub.add_parser("prepare", help="(make) check Make's variables and the data, lock BUILD, record the parameters")
    for name, default in (("build", "build"), ("data", "data"), ("as-of", ""), ("base", ""), ("timeout", "300"), ("jobs", "1"), ("sources", ""),
                          ("dry-run", ""), ("site", ""), ("site-url", ""), ("site-required", "")):
        p.add_argument(f"--{name}", default=default)
    p.set_defaults(func=_prepare)

    p = sub.add_parser("publish", help="(make) publish BUILD/.pending's HTML and PDF together")
    p.add_argument("--build", default="build")
    p.add_argument("--only", choices=["both", "html"], default="both")
    p.set_defaults(func=_publish)

    p = sub.add_parser("publish-site", help="(make publish) add BUILD's edition to the static site SITE, with its index and feed")
    for name, default in (("site", ""), ("site-url", ""), ("build", "build"), ("data", str(DATA_DIR)), ("sources", ""), ("base", "")):
        p.add_argument(f"--{name}", default=default)
    p.set_defaults(func=_publish_site)

    p = sub.add_parser("locked", help="(make) run a command under an exclusive lock on a file, waiting for another holder")
    p.add_argument("lock")
    p.add_argument("argv", nargs=argparse.REMAINDER)
    p.set_defaults(func=_locked)

    p = sub.add_parser("clean", help="remove what builds wrote into a build folder (refuses anything else, and a folder being built)")
    p.add_argument("--build", default="build")
    p.add_argument("--data", default="", help="the data folder, which BUILD may not be, hold or lie inside")
    p.add_argument("--sources", default="", help="the source texts' folder, likewise")
    p.set_defaults(func=_clean)

    args = parser.parse_args(argv)
    if getattr(args, "data", None) == str(DATA_DIR) and CHECKOUT is None and not DATA_DIR.is_dir():
        print(f"no data directory here ({DATA_DIR}): the installed package carries no data; pass --data path/to/data "
              "(a folder with datapackage.json and its CSVs)", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print(f"python -m briefing {args.command}: interrupted; nothing was published, the last complete edition is unchanged", file=sys.stderr)
        return 130
