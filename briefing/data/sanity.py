"""What the schema cannot say: the project's own contract for core columns, the shape of the schema
file itself, paths that stay inside DATA, and values that parse but make no sense.

validate.validate() calls the three entry points below; each returns Problems as
``path:line: column: message``. Only the standard library is used.

The contract (CORE) is the project's, not the data's: a data directory's datapackage.json may add
columns, descriptions and suggestions, make a core column stricter (its own pattern, a higher
minimum), but cannot change a core column's type, drop its requirement or loosen its id pattern,
since the notebooks rely on them (a ``known_from`` typed as a plain string would let any text
through as a date).

Ranges, and why:
  * dates (and AS_OF, checked by validate.check_as_of) between 1990-01-01 and two years after today: the story is from 2025, and a
    typo such as 2300 or 1200 would re-date the edition or stretch the timeline;
  * a figure's amount (value x scale) at most 1e15 (a quadrillion), so that no chart axis overflows;
  * percent, multiple, years, months, weeks, year, rank and score take scale ``one`` only
    (``unit=percent, scale=billion`` is 4.9e+10%);
  * USD, percent and multiple figures are never 0 (they are divisors in the checks), never -0;
  * rank is a whole number from 1;
  * a list of source ids names at least one id and has no empty entry (``;`` alone cites nothing);
  * no field is longer than MAX_FIELD characters and none holds a NUL byte or other control character.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path, PurePosixPath

from . import jsonfile
from .cells import parse_date, parse_number, parse_period
from .fmt import SCALE
from .problems import Problem, display_path

ID_PATTERN = r"[a-z0-9]+(-[a-z0-9]+)*"
DOCUMENT_PATTERN = r"[A-Za-z0-9_-][A-Za-z0-9._-]*"  # a plain file name: no folder, no leading dot
FIRST_DATE = dt.date(1990, 1, 1)
MAX_AMOUNT = 1e15
MAX_FIELD = 10_000
ONE_ONLY = {"percent", "multiple", "years", "months", "weeks", "year", "rank", "score"}
NONZERO = {"USD", "percent", "multiple"}
SCALES = set(SCALE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# resource -> column -> (type, required, unique, pattern, enum)
CORE: dict[str, dict[str, tuple]] = {
    "sources": {
        "source_id": ("string", True, True, ID_PATTERN, None),
        "document": ("string", True, False, DOCUMENT_PATTERN, None),
        "item": ("integer", False, False, None, None),
        "published": ("period", False, False, None, None),
        "known_from": ("date", True, False, None, None),
    },
    "events": {
        "event_id": ("string", True, True, ID_PATTERN, None),
        "date": ("date", True, False, None, None),
        "date_precision": ("string", True, False, None, ("day", "week", "month", "year")),
        "source_ids": ("string", True, False, None, None),
        "quote": ("string", True, False, None, None),
    },
    "figures": {
        "figure_id": ("string", True, True, ID_PATTERN, None),
        "metric": ("string", True, False, r"[a-z0-9]+(_[a-z0-9]+)*", None),
        "value": ("number", True, False, None, None),
        "unit": ("string", True, False, None, None),
        "scale": ("string", True, False, None, tuple(sorted(SCALES))),
        "source_id": ("string", True, False, None, None),
        "quote": ("string", True, False, None, None),
    },
    "relationships": {
        "relationship_id": ("string", True, True, ID_PATTERN, None),
        "party": ("string", True, False, None, None),
        "evidence": ("string", True, False, None, ("confirmed", "reported", "rumoured")),
        "as_of": ("period", True, False, None, None),
        "source_ids": ("string", True, False, None, None),
        "quote": ("string", True, False, None, None),
    },
}
MINIMUM = {("figures", "value"): 0, ("sources", "item"): 1}
LIST_COLUMNS = {"events": "source_ids", "relationships": "source_ids"}


def last_date() -> dt.date:
    today = dt.date.today()
    return today.replace(year=today.year + 2, day=28 if (today.month, today.day) == (2, 29) else today.day)


def date_range_problem(value: dt.date) -> str | None:
    if FIRST_DATE <= value <= last_date():
        return None
    return f"'{value.isoformat()}' is outside the dates this briefing covers ({FIRST_DATE.isoformat()} to {last_date().isoformat()}); check the year"


# --------------------------------------------------------------------------- the schema file

def schema_problems(spath: Path, display: str) -> list:
    """The shape of datapackage.json, as one line per problem, before anything relies on it."""
    try:
        package = jsonfile.read(spath)
    except UnicodeDecodeError:
        return [Problem(display, 1, "-", "schema is not UTF-8; save it as UTF-8")]
    except json.JSONDecodeError as exc:
        return [Problem(display, exc.lineno, "-", f"schema is not valid JSON: {exc.msg} (column {exc.colno})")]
    except ValueError as exc:
        return [Problem(display, 1, "-", f"schema is not valid JSON: {exc}")]
    out = []

    def bad(where: str, msg: str) -> None:
        out.append(Problem(display, 1, where, msg))

    if not isinstance(package, dict):
        return [Problem(display, 1, "-", "schema must be a JSON object with a 'resources' list")]
    resources = package.get("resources")
    if not isinstance(resources, list) or not resources:
        return [Problem(display, 1, "resources", f"must be a non-empty list of resources, not {_kind(resources)}")]
    first: dict[tuple[str, str], int] = {}  # (name or path, its value) -> the resource that has it first
    for i, res in enumerate(resources):
        at = f"resources[{i}]"
        if not isinstance(res, dict):
            bad(at, f"must be an object, not {_kind(res)}")
            continue
        for key in ("name", "path"):
            if not isinstance(res.get(key), str) or not res.get(key):
                bad(f"{at}.{key}", f"must be a non-empty string, not {_kind(res.get(key))}")
            elif (key, res[key]) in first:  # listed twice: the second would silently win
                bad(f"{at}.{key}", f"{res[key]!r} is listed twice (also resources[{first[key, res[key]]}]); list each resource once")
            else:
                first[key, res[key]] = i
        sch = res.get("schema")
        if not isinstance(sch, dict):
            bad(f"{at}.schema", f"must be an object, not {_kind(sch)}")
            continue
        fields = sch.get("fields")
        if not isinstance(fields, list) or not fields:
            bad(f"{at}.schema.fields", f"must be a non-empty list, not {_kind(fields)}")
            continue
        for j, f in enumerate(fields):
            fat = f"{at}.schema.fields[{j}]"
            if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f.get("name"):
                bad(fat, "must be an object with a non-empty 'name'")
                continue
            fat = f"{fat} ({f['name']})"
            if "type" in f and f["type"] not in ("string", "number", "integer", "date"):
                bad(f"{fat}.type", f"{f['type']!r} is not a type this project reads (string, number, integer, date)")
            if "constraints" not in f:
                continue
            c = f["constraints"]
            if not isinstance(c, dict):
                bad(f"{fat}.constraints", f"must be an object, not {_kind(c)}")
                continue
            for key in ("required", "unique"):
                if key in c and not isinstance(c[key], bool):
                    bad(f"{fat}.constraints.{key}", f"must be true or false, not {json.dumps(c[key])}")
            if "minimum" in c and (isinstance(c["minimum"], bool) or not isinstance(c["minimum"], (int, float))):
                bad(f"{fat}.constraints.minimum", f"must be a number, not {json.dumps(c['minimum'])}")
            if "enum" in c and (not isinstance(c["enum"], list) or not all(isinstance(v, str) for v in c["enum"])):
                bad(f"{fat}.constraints.enum", "must be a list of strings")
            if "pattern" in c:
                if not isinstance(c["pattern"], str):
                    bad(f"{fat}.constraints.pattern", f"must be a string, not {_kind(c['pattern'])}")
                else:
                    try:
                        re.compile(c["pattern"])
                    except re.error as exc:
                        bad(f"{fat}.constraints.pattern", f"{c['pattern']!r} is not a valid regular expression ({exc})")
        pk = sch.get("primaryKey")
        if not (isinstance(pk, str) and pk) and not (isinstance(pk, list) and pk and all(isinstance(k, str) for k in pk)):
            bad(f"{at}.schema.primaryKey", f"must be a column name, not {_kind(pk)}")
        for key in ("foreignKeys", "x-listForeignKeys"):
            fks = sch.get(key, [])
            if not isinstance(fks, list):
                bad(f"{at}.schema.{key}", f"must be a list, not {_kind(fks)}")
                continue
            for k, fk in enumerate(fks):
                ref = fk.get("reference") if isinstance(fk, dict) else None
                if not isinstance(ref, dict) or not isinstance(ref.get("resource"), str) or "fields" not in fk or "fields" not in ref:
                    bad(f"{at}.schema.{key}[{k}]", "must be an object with 'fields' and a 'reference' {resource, fields}")
    return out


def _kind(value) -> str:
    return "null" if value is None else {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(type(value), type(value).__name__)


# --------------------------------------------------------------------------- contract and paths

def inside(base: Path, rel: str) -> bool:
    """rel is a relative path that stays inside base, symlinks resolved."""
    p = PurePosixPath(rel)
    if not rel or p.is_absolute() or ".." in p.parts or "\\" in rel or "\x00" in rel:
        return False
    root = Path(base).resolve()
    try:
        (root / rel).resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def apply_contract(data_dir: Path, resources: dict, display: str) -> tuple[dict, list]:
    """The resources with the core contract laid over them, and what in the schema breaks it.

    A resource whose path leaves DATA is dropped (it is never read)."""
    from dataclasses import replace

    problems = []
    out = {}
    for name in CORE:
        if name not in resources:
            problems.append(Problem(display, 1, f"resources.{name}", f"the resource '{name}' is missing (the briefing needs {', '.join(CORE)})"))
    for name, res in resources.items():
        if not inside(data_dir, res.path):
            problems.append(Problem(display, 1, f"resources.{name}.path", f"'{res.path}' is not a file inside the data directory; resource paths are relative, without '..' or links leading out"))
            continue
        core = CORE.get(name, {})
        fields = []
        for f in res.fields:
            if f.name not in core:
                fields.append(f)
                continue
            ftype, required, unique, _pattern, enum = core[f.name]
            if ftype == "period":  # a day, month or year: a schema may declare it a date (stricter) or a period string
                ftype = f.type if f.type in ("date", "string") else "string"
            if f.type != ftype:
                problems.append(Problem(display, 1, f"{name}.{f.name}", f"type '{f.type}' would loosen the project's contract (a core column is {ftype}); it is checked as {ftype}"))
            minimum = MINIMUM.get((name, f.name))
            if minimum is not None and (f.minimum is None or f.minimum < minimum):
                f = replace(f, minimum=minimum)
            fields.append(replace(f, type=ftype, required=f.required or required, unique=f.unique or unique, enum=f.enum or (enum or ())))
        missing = [c for c in core if c not in {f.name for f in res.fields}]
        for c in missing:
            problems.append(Problem(display, 1, f"{name}.{c}", "core column is missing from the schema (the briefing needs it)"))
        out[name] = replace(res, fields=tuple(fields))
    return out, problems


# --------------------------------------------------------------------------- the rows

def check_rows(tables: dict) -> list:
    """Contract patterns and enums, ranges and combinations, on every validated row."""
    problems = []
    for name, table in tables.items():
        path = display_path(table.path)
        core = CORE.get(name, {})
        for row, line in zip(table.rows, table.lines):
            def bad(col: str, msg: str, path: str = path, line: int = line) -> None:  # bound now, not at call time
                problems.append(Problem(path, line, col, msg))

            for col, value in row.items():
                if len(value) > MAX_FIELD:
                    bad(col, f"field is {len(value):,} characters long; at most {MAX_FIELD:,} are allowed (an unclosed quote, or pasted text?)")
                elif _CONTROL.search(value):
                    ch = _CONTROL.search(value).group(0)
                    bad(col, f"contains the control character U+{ord(ch):04X}" + (" (a NUL byte)" if ch == "\x00" else "") + "; remove it")
            for col, (ftype, required, _unique, pattern, enum) in core.items():
                value = row.get(col, "")
                if not value:
                    if required:
                        bad(col, "required field is empty")
                    continue
                if ftype == "date":
                    d, msg = parse_date(value)
                    msg = msg or date_range_problem(d)
                    if msg:
                        bad(col, msg)
                elif ftype == "period":
                    parsed, msg = parse_period(value)
                    msg = msg or date_range_problem(parsed[0])
                    if msg:
                        bad(col, msg)
                elif ftype in ("number", "integer"):
                    _, msg = parse_number(value)
                    if msg:
                        bad(col, msg)
                elif pattern and not re.fullmatch(pattern, value):
                    bad(col, f"'{value[:80]}' does not match the pattern {pattern}")
                elif enum and value not in enum:
                    bad(col, f"'{value[:80]}' is not allowed (expected one of: {', '.join(enum)})")
            if name in LIST_COLUMNS:
                col = LIST_COLUMNS[name]
                parts = [p.strip() for p in row.get(col, "").split(";")]
                if row.get(col) and not any(parts):
                    bad(col, f"'{row[col]}' names no source id (write at least one, e.g. agg-03)")
                elif row.get(col) and not all(parts):
                    bad(col, f"'{row[col]}' has an empty entry between ';' separators")
            if name == "sources" and row.get("item"):
                n, _ = parse_number(row["item"])
                if n is not None and not 1 <= n <= 10_000:
                    bad("item", f"'{row['item']}' is not an item number from 1 to 10,000")
            if name == "figures":
                problems.extend(_figure_problems(row, path, line))
    return problems


def _figure_problems(row: dict, path: str, line: int) -> list:
    value, unit, scale = row.get("value", ""), row.get("unit", ""), row.get("scale", "")
    number, msg = parse_number(value) if value else (None, "empty")
    if msg:
        return []  # reported by the schema pass
    out = []
    if number == 0 and value.lstrip().startswith("-"):
        out.append(Problem(path, line, "value", f"'{value}' is negative zero; write 0"))
    if unit in ONE_ONLY and scale and scale != "one":
        out.append(Problem(path, line, "scale", f"'{scale}' cannot scale a {unit} figure ({value} {scale} {unit} makes no sense); use scale one"))
        return out
    amount = number * SCALE.get(scale, 1.0)
    if not math.isfinite(amount) or abs(amount) > MAX_AMOUNT:
        out.append(Problem(path, line, "value", f"'{value}' {scale} is beyond any figure this briefing can show (at most {MAX_AMOUNT:.0e} {unit}); check value and scale"))
    elif number == 0 and unit in NONZERO:
        out.append(Problem(path, line, "value", f"'{value}' is zero: a {unit} figure of nothing cannot be shown or divided by; leave the row out"))
    elif unit == "rank" and (number != int(number) or number < 1):
        out.append(Problem(path, line, "value", f"'{value}' is not a rank (a whole number from 1)"))
    return out


def field_size_limit(text: str) -> None:
    """Let the csv module read any field the file can hold; check_rows then names an oversized one by line."""
    import csv

    csv.field_size_limit(max(131072, min(len(text) + 1, 2**31 - 1)))


__all__ = ["CORE", "apply_contract", "check_rows", "date_range_problem", "field_size_limit", "inside", "schema_problems"]
