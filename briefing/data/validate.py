"""Row-level validation of the curated CSVs against the schema.

Every problem is reported at once, one per line, as ``path:line: column: message``
with the line number a text editor shows. Only the standard library is used so that
``make validate`` stays fast.
"""

from __future__ import annotations

import csv
import io
import re
import signal
import threading
import time
from pathlib import Path

from . import formula, identity, jsonfile, sanity, upgrade
from .cells import parse_date, parse_number, parse_period
from .paths import SCHEMA_NAME
from .problems import DataError, Problem, Table, display_path
from .rules import check_rules
from .schema import Resource, load_schema, schema_path

BOM = "\ufeff"
PATTERN_SECONDS = 2.0  # what a pattern from the data may take over all the cells of its column


class _TooLong(Exception):
    pass


class DataPattern:
    """A column's pattern from the data (datapackage.json), matched against each of its cells within PATTERN_SECONDS in
    all: a pattern can backtrack for hours (`(a+)+$` on forty a's and a '!'), and the data is input. The bound is
    a timer signal, which Python's re engine heeds mid-match; off the main thread (no signals there) it is unbounded."""

    def __init__(self, pattern: str):
        self.pattern, self.left, self.gave_up = pattern, PATTERN_SECONDS, False

    def fullmatch(self, value: str) -> bool | None:
        """Whether value matches the whole pattern; None once the column's time is spent (gave_up is then True)."""
        if self.gave_up:
            return None
        if threading.current_thread() is not threading.main_thread():
            return re.fullmatch(self.pattern, value) is not None

        def stop(signum, frame):
            raise _TooLong

        before, start = signal.signal(signal.SIGALRM, stop), time.monotonic()
        try:
            signal.setitimer(signal.ITIMER_REAL, max(self.left, 0.001))
            return re.fullmatch(self.pattern, value) is not None
        except _TooLong:
            self.gave_up = True
            return None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, before)
            self.left -= time.monotonic() - start


def _pattern_message(f, value: str) -> str:
    """A pattern mismatch in words: what shape the column takes."""
    if f.name == "unit":
        return f"'{value}' is not a short unit (letters, digits, %, spaces, '/', '.' and '-', starting with a letter or %; e.g. USD, percent, TB)"
    if f.suggestions or f.name in ("status", "event_type", "qualifier"):
        return (f"'{value}' is not a short phrase (lowercase letters, digits, spaces and , ' & / -"
                f"{'; e.g. ' + ', '.join(f.suggestions[:4]) if f.suggestions else ''})")
    if f.name == "document":
        return f"'{value}' is not a plain file name (letters, digits, '.', '_' and '-'; no folders, no leading dot)"
    if f.name.endswith("_id") or f.name == "metric":
        sep = "_" if f.name == "metric" else "-"
        return f"'{value}' is not a valid key (lowercase letters and digits joined by '{sep}')"
    return f"'{value}' does not match the pattern {f.pattern}"


def cell_problem(f, value: str, pattern: DataPattern | None) -> str | None:
    """What breaks the schema in one non-empty cell: its type, then each constraint its field declares (schema.CONSTRAINTS)."""
    if f.type == "date":
        return parse_date(value)[1]
    if f.type in ("number", "integer"):
        number, msg = parse_number(value)
        if msg is None and f.type == "integer" and not re.fullmatch(r"-?[0-9]+", value):
            msg = f"'{value}' is not a whole number" + (f" (write {int(number)})" if number == int(number) else "")
        if msg is None and f.minimum is not None and number < f.minimum:
            if f.minimum == 0:
                msg = f"'{value}' is negative; amounts are never below 0 (put a decline in the metric name)"
            else:
                msg = f"'{value}' is below the minimum of {f.minimum:g}"
        if msg is None and f.maximum is not None and number > f.maximum:
            msg = f"'{value}' is above the maximum of {f.maximum:g}"
        return msg
    if f.enum and value not in f.enum:
        return f"'{value}' is not allowed (expected one of: {', '.join(f.enum)})"
    if f.max_length and len(value) > f.max_length:
        return f"'{value[:40]}…' is {len(value)} characters long (at most {f.max_length})"
    if f.min_length and len(value) < f.min_length:
        return f"'{value}' is {len(value)} characters long (at least {f.min_length})"
    if f.format == "period" and parse_period(value)[1]:
        return parse_period(value)[1]
    if pattern is not None and not pattern.gave_up and not (matched := pattern.fullmatch(value)):
        return _pattern_message(f, value) if matched is False else (
            f"pattern {f.pattern!r} took too long (more than {PATTERN_SECONDS:g} s for this column; it backtracks) on "
            f"'{value[:40]}'; simplify it in {SCHEMA_NAME} (the column's later cells are not checked against it)")
    return None


def read_text(path: Path, display: str) -> tuple[str | None, list[Problem]]:
    """Read a CSV as UTF-8, accepting a BOM and CRLF quietly; explain anything else."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        byte = raw[exc.start]
        return None, [
            Problem(display, line, "-", f"file is not UTF-8 (byte 0x{byte:02X}); save it as UTF-8")
        ]
    if text.startswith(BOM):
        text = text[1:]
    return text, []


def check_table(resource: Resource, path: Path) -> tuple[Table | None, list[Problem]]:
    """Validate one CSV on its own (types, required, enums, patterns, unique keys)."""
    display = display_path(path)
    if not path.is_file():
        return None, [Problem(display, 1, "-", f"file is missing (expected {resource.path} in {display_path(path.parent)})")]
    text, problems = read_text(path, display)
    if text is None:
        return None, problems
    if not text.strip():
        return None, [Problem(display, 1, "-", f"file is empty (expected a header row: {','.join(resource.field_names)})")]

    sanity.field_size_limit(text)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        return None, [Problem(display, reader.line_num or 1, "-", f"cannot be read as CSV ({exc})")]
    expected = resource.field_names
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(Problem(display, 1, name, "column appears twice in the header"))
        elif name not in expected:
            problems.append(Problem(display, 1, name or "(blank)", f"unknown column (allowed: {', '.join(expected)})"))
        seen.add(name)
    missing_optional = []
    for name in expected:
        if name not in seen:
            if resource.field(name).required:
                problems.append(Problem(display, 1, name, "column is missing from the header"))
            else:
                missing_optional.append(name)  # an optional column may be left out: every row reads it as empty
    if problems:
        return None, problems

    rows: list[dict[str, str]] = []
    lines: list[int] = []
    patterns = {f.name: DataPattern(f.pattern) for f in resource.fields if f.pattern}
    first_seen: dict[str, dict[str, int]] = {f.name: {} for f in resource.fields if f.unique}
    line = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(display, line, "-", f"cannot be read as CSV ({exc})"))
            break
        start, line = line, reader.line_num + 1
        if not record or all(not cell.strip() for cell in record):
            continue  # blank line
        if len(record) != len(header):
            problems.append(
                Problem(display, start, "-", f"row has {len(record)} fields but the header has {len(header)} (check commas and quotes)")
            )
            continue
        row = {name: cell.strip() for name, cell in zip(header, record)}
        row.update(dict.fromkeys(missing_optional, ""))
        for name, cell in row.items():
            # an unclosed quote makes one field run on and swallow the rows after it
            if "\n" in cell and any(line.count(",") >= len(header) - 1 for line in cell.splitlines()[1:]):
                problems.append(Problem(display, start, name, "field runs over several lines and takes in what looks like another row (an unclosed quote?)"))
        for f in resource.fields:
            value = row[f.name]
            msg = cell_problem(f, value, patterns[f.name] if f.pattern else None) if value else "required field is empty" if f.required else None
            if msg is None and value and f.unique:
                if value in first_seen[f.name]:
                    msg = f"duplicate id '{value}' (first used on line {first_seen[f.name][value]})"
                else:
                    first_seen[f.name][value] = start
            if msg:
                problems.append(Problem(display, start, f.name, msg))
        rows.append(row)
        lines.append(start)
    if not rows and resource.name in sanity.CORE:  # a dictionary (watch.csv, topics.csv) may hold nothing yet
        problems.append(Problem(display, 1, "-", "file has a header but no rows"))
    return Table(resource, path, rows, lines), problems


def check_foreign_keys(tables: dict[str, Table]) -> list[Problem]:
    """Every referenced id (e.g. each source_id) must exist in the referenced file."""
    problems = []
    for table in tables.values():
        for fk in table.resource.foreign_keys:
            target = tables.get(fk.resource)
            if target is None:
                continue
            known = {r[fk.target] for r in target.rows}
            for row, line in zip(table.rows, table.lines):
                value = row[fk.field]
                ids = [v.strip() for v in value.split(fk.separator)] if fk.separator else [value]
                for ref in ids:
                    if ref and ref not in known:
                        problems.append(
                            Problem(display_path(table.path), line, fk.field, f"unknown {fk.target} '{ref}' (not in {target.resource.path})")
                        )
    return problems


def check_formulas(tables: dict[str, Table]) -> list[Problem]:
    """Each declared check's formula parses (briefing/data/formula.py: arithmetic, periods pinned as YYYY, YYYY-MM,
    YYYY-MM-DD or same) over metrics that metrics.csv declares."""
    checks, metrics = tables.get("checks"), tables.get("metrics")
    if checks is None or metrics is None:
        return []
    known = {r["metric"] for r in metrics.rows}
    problems = []
    for row, line in zip(checks.rows, checks.lines):
        try:
            parsed = formula.parse(row["formula"])
        except formula.FormulaError as exc:
            problems.append(Problem(display_path(checks.path), line, "formula", str(exc)))
            continue
        for name in parsed.names:
            if name not in known:
                problems.append(Problem(display_path(checks.path), line, "formula", f"unknown metric '{name}' (not in {metrics.resource.path})"))
    return problems


def vocabulary_notes(tables: dict[str, Table]) -> list[str]:
    """Notes, never errors: values of an open vocabulary that are new to it, so a typo can be spotted."""
    notes = []
    statuses = tables.get("statuses")
    known_status = {r["status"] for r in statuses.rows} if statuses else set()
    for table in tables.values():
        for f in table.resource.fields:
            usual = set(f.suggestions) or (known_status if table.resource.name == "relationships" and f.name == "status" else set())
            if not usual:
                continue
            first: dict[str, int] = {}
            for row, line in zip(table.rows, table.lines):
                if row[f.name] and row[f.name] not in usual:
                    first.setdefault(row[f.name], line)
            for value, line in first.items():
                where = ("statuses.csv has no phrase for it: add one there for the prose" if f.name == "status"
                         else "the usual ones are listed in datapackage.json")
                notes.append(f"{display_path(table.path)}:{line}: {f.name}: note: '{value}' is a new {f.name.replace('_', ' ')} ({where}); fine if intended")
    return notes


def check_as_of(as_of: str | None) -> list[Problem]:
    if not as_of:
        return []
    d, msg = parse_date(as_of)
    msg = msg or sanity.date_range_problem(d)
    return [Problem("AS_OF", 1, "as_of", msg)] if msg else []


def validate(data_dir: Path, as_of: str | None = None, rules: bool = True, checked: bool = True) -> tuple[dict[str, Table], list[Problem]]:
    """Validate every file of the data package; return the tables and all problems.

    rules=False skips the editorial rules (briefing/rules.py): only for reading a past edition as it was.
    checked=False only reads the tables (each cell parsed as its type; no check across rows, files or rules): for a step
    given data the build's story stage has validated already (its digest says so: briefing/story/stage.py).
    """
    data_dir = Path(data_dir)
    problems = check_as_of(as_of)
    if not data_dir.is_dir():
        return {}, problems + [Problem(display_path(data_dir), 1, "-", "data directory not found (check DATA=)")]
    spath = schema_path(data_dir)
    if not spath.is_file():
        return {}, problems + [Problem(display_path(spath), 1, "-", "schema file is missing (every data directory needs its datapackage.json)")]
    if not sanity.inside(data_dir, SCHEMA_NAME):
        return {}, problems + [Problem(display_path(spath), 1, "-", "schema file is a link leading out of the data directory; "
                                       "it is not read (copy the file into the data directory)")]
    shape = sanity.schema_problems(spath, display_path(spath))
    if shape:
        return {}, problems + shape
    package = jsonfile.read(spath)
    try:
        resources = load_schema(spath)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return {}, problems + [Problem(display_path(spath), 1, "-", f"schema is not valid: {exc}")]
    problems += identity.check(spath)  # the story's identity (x-story): its keys and its templates
    resources, contract = sanity.apply_contract(data_dir, resources, display_path(spath))
    problems += contract
    tables: dict[str, Table] = {}
    for res in resources.values():
        table, table_problems = check_table(res, data_dir / res.path)
        problems += table_problems
        if table is not None:
            tables[res.name] = table
    if checked:
        problems += check_foreign_keys(tables)
        problems += check_formulas(tables)
        problems += identity.metric_problems(spath, tables.get("metrics"))
        problems += sanity.check_rows(tables, sanity.plan_horizon(package))
        problems += sanity.check_units(tables)
    if rules and checked and not problems:  # once the structure holds: a rule's message on a broken row would only echo the problem above
        problems += check_rules(tables)
    problems = list({(p.path, p.line, p.column): p for p in reversed(problems)}.values())[::-1]  # one per cell: the first
    tables = upgrade.upgrade(tables, upgrade.version(package))  # validated as declared, read in the current shape
    return tables, sorted(problems, key=lambda p: (p.path, p.line, p.column))


def validated_tables(data_dir: Path, as_of: str | None = None, rules: bool = True, checked: bool = True) -> dict[str, Table]:
    """The tables, or DataError listing every problem."""
    tables, problems = validate(data_dir, as_of, rules, checked)
    if problems:
        raise DataError(problems)
    return tables
