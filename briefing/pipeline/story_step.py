"""The story step (`python -m briefing story`): validate the data once, load BASE once, compute the story once and
write it as data into BUILD/story/ (briefing/story/stage.py says what each file holds). Written into a temporary
folder beside it and renamed into place: a reader sees the previous complete stage or the new one."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from html import unescape
from pathlib import Path

import pandas as pd

from .. import __version__
from ..data.dataset import load
from ..data.package import data_digest
from ..data.problems import DataError, Problem, printable
from ..data.validate import validate, vocabulary_notes
from ..story import lead, ranking, stage
from ..story.changes import compare, summary
from ..story.checks import run_checks
from ..story.lead import moved_on
from .folder import atomic_write


def _figures(d) -> pd.DataFrame:
    rows = []
    for metric in dict.fromkeys(d.figures["metric"]):
        f = d.fact(metric)
        if f is None:
            continue
        rows.append({"metric": metric, "label": d.label(metric), "value": f.text(), "amount": f.amount, "unit": f.unit,
                     "period": f.period, "n_sources": f.n_sources, "disputed": f.disputed, "source_ids": ";".join(f.source_ids)})
    return pd.DataFrame(rows, columns=["metric", "label", "value", "amount", "unit", "period", "n_sources", "disputed", "source_ids"])


def _histories(d, claims: bool) -> pd.DataFrame:
    rows = []
    for h in (d.claim_histories() if claims else d.status_histories()):
        for i, m in enumerate(h.moments):
            for _, r in m.rows.iterrows():
                row = {"party": h.key, "role": h.role} if not claims else {"topic": h.key}
                row.update({"moment": i + 1, "when": m.when(), "first": m.first, "last": m.last,
                            "disputed": m.disputed, "party_said" if claims else "status": r["party"] if claims else r["status"],
                            "evidence": r["evidence"], "source_ids": r["source_ids"], "quote": r["quote"]})
                if claims:
                    row["claim"] = r["claim"]
                rows.append(row)
    return pd.DataFrame(rows)


def _disputes(d) -> pd.DataFrame:
    rows = [{"subject": q.subject, "kind": q.kind, "question": q.ask, "answer": q.answer, "sentence": q.sentence, "score": q.score,
             "source_ids": ";".join(q.source_ids)} for q in ranking.questions(d)]
    return pd.DataFrame(rows, columns=["subject", "kind", "question", "answer", "sentence", "score", "source_ids"])


def _latest(d) -> pd.DataFrame:
    rows = [{"date": i["date"], "when": i.get("when", ""), "kind": i["kind"], "text": i["text"], "weight": i["weight"],
             "source_ids": ";".join(i.get("source_ids", []) or [])} for i in lead.latest(d)]
    return pd.DataFrame(rows, columns=["date", "when", "kind", "text", "weight", "source_ids"])


def compute(data_dir: Path, as_of: str, base: str, base_given: str) -> tuple[dict, dict[str, str]]:
    """(edition.json's content, {file name: text}) for the stage; DataError when the data or BASE does not load."""
    from ..data.previous import load_base
    from ..drawing.citations import plain_ids
    from ..drawing.page import page_meta
    from ..drawing.record import base_name

    d = load(data_dir, as_of, checked=False)  # write_stage has just validated it: the one validation of the build
    old = None
    if base:
        try:
            old = load_base(base, Path(data_dir), as_of or None)
        except DataError as exc:
            raise DataError([Problem(f"BASE={base_given}: {p.path}", p.line, p.column, p.message) for p in exc.problems]) from None
        except ValueError as exc:
            raise DataError([Problem("BASE", 1, "base", str(exc).removeprefix(f"BASE={base_given}: "))]) from None
    headline, dek = lead.headline(d), lead.dek(d)
    d.remember("headline", headline)
    d.remember("dek", dek)
    checks = run_checks(d)
    changes = compare(old, d) if old is not None else None
    tables = {"checks.csv": checks, "figures.csv": _figures(d), "histories.csv": _histories(d, False), "claims.csv": _histories(d, True),
              "disputes.csv": _disputes(d), "latest.csv": _latest(d)}
    page = {**page_meta(d, headline, "unknown"), "budget": "later" if moved_on(d) else "deal"}
    page.pop("colophon")  # names the git revision: the html step writes it, for the page as built
    plain = [_plain_text(plain_ids(d, c["text"])) for c in summary(changes)] if changes else []
    edition = {
        "format": stage.FORMAT, "headline": headline, "dek": dek, "edition": page["edition_date"], "edition_text": page["edition_line"],
        "as_of": d.as_of or "", "base": base_name(base) if base else "", "budget": page["budget"], "title": page["title"],
        "description": page["description"], "author": page["author"], "keywords": page["keywords"], "generator": f"scale-briefing {__version__}",
        "data_modified": page["data_modified"], "data_digest": data_digest(Path(data_dir)), "what_changed": plain,
        "changes_count": len(changes) if changes is not None else None, "page": page,
        "columns": {name: stage.frame_types(df) for name, df in tables.items()}, "files": list(stage.FILES),
    }
    files = {name: stage.frame_csv(df) for name, df in tables.items()}
    files["changes.json"] = json.dumps(changes or [], ensure_ascii=False, indent=1, default=list) + "\n"
    files[stage.EDITION] = json.dumps(edition, ensure_ascii=False, indent=1) + "\n"
    return edition, files


def _plain_text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def write_stage(data_dir: Path, as_of: str, base: str, base_given: str, out: Path) -> int:
    """Validate, compute and write the stage into out; one line per problem on stderr and 1 when the data is not good."""
    tables, problems = validate(Path(data_dir), as_of)
    for note in vocabulary_notes(tables):
        print(printable(note), file=sys.stderr)
    if not problems:
        try:
            edition, files = compute(Path(data_dir), as_of, base, base_given)
        except DataError as exc:
            problems = exc.problems
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) found; nothing was built.", file=sys.stderr)
        return 1
    out = Path(out)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        for name, text in files.items():
            atomic_write(tmp / name, text.encode("utf-8"))
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        if out.exists():
            out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        print(printable(f"{out}:1: -: cannot be written ({exc.strerror or exc}); the last stage is unchanged"), file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{data_dir}: valid")
    print(f"story stage: {len(files)} files in {out} ({edition['headline']})")
    return 0
