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
  * every date column (and AS_OF, checked by validate.check_as_of and pipeline.params) between 1990-01-01 and the
    build day (today): a date says when something was reported or happened, and nothing reported can be dated
    after the day the briefing is built; a typo such as 2028 or 1200 would re-date the edition or stretch the timeline;
  * a figure's period (x-format period) from 1990 up to the end of the year PLAN_KEY years after today: a period may
    name a coming year (a plan), within the horizon the data package declares at its top level
    (``"x-planHorizonYears": 2``, a whole number from 0 to MAX_HORIZON; 0 when absent), never 2300;
  * a unit is spelled one way: another spelling of a known unit (``%``, ``usd``, ``Percent``) is refused, so that
    every rule below reads it; a figure is in its metric's unit (metrics.csv unit), so one metric has one unit;
  * percent is a share, from 0 to 100;
  * a figure's amount (value x scale) at most 1e15 (a quadrillion), so that no chart axis overflows;
  * percent, multiple, years, months, weeks, year, rank and score take scale ``one`` only
    (``unit=percent, scale=billion`` is 4.9e+10%);
  * USD, percent and multiple figures are never 0 (they are divisors in the checks), never -0;
  * rank is a whole number from 1;
  * a list of source ids names at least one id and has no empty entry (``;`` alone cites nothing);
  * no field is longer than MAX_FIELD characters and none holds a NUL byte or other control character (C0 or C1);
  * a name (NAME_COLUMNS: a party, actor, entity, speaker, outlet, status) holds no invisible format character
    (a zero-width space makes "Goo\u200bgle" a second party that looks like Google).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from pathlib import Path, PurePosixPath

from . import jsonfile, upgrade
from .cells import parse_date, parse_number, parse_period
from .fmt import SCALE
from .problems import Problem, display_path
from .schema import line_of, unsupported

ID_PATTERN = r"[a-z0-9]+(-[a-z0-9]+)*"
DOCUMENT_PATTERN = r"[A-Za-z0-9_-][A-Za-z0-9._-]*"  # a plain file name: no folder, no leading dot
FIRST_DATE = dt.date(1990, 1, 1)
MAX_AMOUNT = 1e15
MAX_FIELD = 10_000
ONE_ONLY = {"percent", "multiple", "years", "months", "weeks", "year", "rank", "score"}
NONZERO = {"USD", "percent", "multiple"}
# The units the page formats in newsroom style, as they must be spelled, and the other spellings that mean them.
UNITS = ("USD", "percent", "count", "multiple", "years", "months", "weeks", "year", "rank", "score")
UNIT_SPELLINGS = {**{u.casefold(): u for u in UNITS}, "%": "percent", "pct": "percent", "per cent": "percent",
                  "percentage": "percent", "us$": "USD", "us dollars": "USD", "dollars": "USD", "dollar": "USD"}
PLAN_KEY = "x-planHorizonYears"
PLAN_COLUMN = ("figures", "period")  # the one period that may name a coming year
MAX_HORIZON = 10
SCALES = set(SCALE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # C0 and C1 controls (U+0085 too), DEL
NAME_COLUMNS = {"party", "actor", "counterparty", "entity", "speaker", "outlet", "credited_to", "status"}

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
    """The build day: nothing reported can be dated after it."""
    return dt.date.today()


def date_range_problem(value: dt.date) -> str | None:
    if value > last_date():
        return f"'{value.isoformat()}' is after the build day ({last_date().isoformat()}): what was reported cannot be dated later; check the year"
    if FIRST_DATE <= value:
        return None
    return f"'{value.isoformat()}' is outside the dates this briefing covers ({FIRST_DATE.isoformat()} to {last_date().isoformat()}); check the year"


def period_range_problem(text: str, horizon: int, reported: bool = False) -> str | None:
    """A figure's period: from 1990 up to the end of the year `horizon` years from now (a plan), never later; a period
    that says when something was reported (`reported`: a status's or claim's as_of, a source's published) from 1990 to
    the build day."""
    parsed, msg = parse_period(text)
    if msg:
        return None  # reported by the schema pass
    first, _ = parsed
    top = last_date().year + horizon
    if first < FIRST_DATE:
        return f"'{text}' is before {FIRST_DATE.year}, the first year this briefing covers; check the year"
    if reported and first > last_date():
        return f"'{text}' is after the build day ({last_date().isoformat()}): what was reported cannot be dated later; check the year"
    if first.year > top:
        return (f"'{text}' is beyond the plan horizon: a period may name a coming year up to {top} "
                f"({PLAN_KEY} in datapackage.json is {horizon}); check the year")
    return None


def plan_horizon(package) -> int:
    """The package's declared plan horizon in years (schema_problems has checked it); 0 when absent."""
    value = package.get(PLAN_KEY, 0) if isinstance(package, dict) else 0
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_HORIZON else 0


def canonical_unit(unit: str) -> str:
    """The one spelling of a known unit ('%' -> percent, 'usd' -> USD); any other unit as written."""
    return UNIT_SPELLINGS.get(" ".join(unit.split()).casefold(), unit)


def unit_spelling_problem(unit: str) -> str | None:
    """Another spelling of a known unit ('%', 'usd', 'Percent'): refused, so that every unit rule reads one spelling."""
    canonical = canonical_unit(unit)
    if canonical != unit:
        return f"'{unit}' is spelled {canonical} in this data (the money and percent rules read that spelling); write {canonical}"
    return None


def _invisible(value: str) -> str | None:
    ch = next((c for c in value if unicodedata.category(c) == "Cf"), None)
    if ch is None:
        return None
    name = unicodedata.name(ch, "a format character")
    shown = "".join(f"<U+{ord(c):04X}>" if unicodedata.category(c) == "Cf" else c for c in value[:80])
    return f"contains the invisible character U+{ord(ch):04X} ({name}): '{shown}' would be a different name from the one it looks like; remove it"


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
    if PLAN_KEY in package and plan_horizon(package) != package[PLAN_KEY]:
        bad(PLAN_KEY, f"must be a whole number of years from 0 to {MAX_HORIZON} (how far ahead a figure's period may name a plan), not {json.dumps(package[PLAN_KEY])[:40]}")
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
    text = spath.read_text(encoding="utf-8")
    out += [Problem(display, line_of(text, (), upgrade.KEY), upgrade.KEY, msg) for msg in [upgrade.version_problem(package)] if msg]
    return out + [Problem(display, line, where, msg) for line, where, msg in unsupported(package, text)]


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

def check_rows(tables: dict, horizon: int = 0) -> list:
    """Contract patterns and enums, ranges and combinations, on every validated row (horizon: plan_horizon)."""
    problems = []
    for name, table in tables.items():
        path = display_path(table.path)
        core = CORE.get(name, {})
        dates = [f.name for f in table.resource.fields if f.type == "date" and f.name not in core]
        periods = [f.name for f in table.resource.fields if f.format == "period"]
        for row, line in zip(table.rows, table.lines):
            def bad(col: str, msg: str, path: str = path, line: int = line) -> None:  # bound now, not at call time
                problems.append(Problem(path, line, col, msg))

            for col, value in row.items():
                if len(value) > MAX_FIELD:
                    bad(col, f"field is {len(value):,} characters long; at most {MAX_FIELD:,} are allowed (an unclosed quote, or pasted text?)")
                elif _CONTROL.search(value):
                    ch = _CONTROL.search(value).group(0)
                    bad(col, f"contains the control character U+{ord(ch):04X}" + (" (a NUL byte)" if ch == "\x00" else "") + "; remove it")
                elif col in NAME_COLUMNS and _invisible(value):
                    bad(col, _invisible(value))
            for col in dates:  # every date column has a range, not only the contract's
                d, msg = parse_date(row[col]) if row.get(col) else (None, "empty")
                if not msg and date_range_problem(d):
                    bad(col, date_range_problem(d))
            for col in periods:  # a figure's period may name a plan; any other period says when something was reported
                msg = period_range_problem(row[col], horizon if (name, col) == PLAN_COLUMN else 0, (name, col) != PLAN_COLUMN) if row.get(col) else None
                if msg:
                    bad(col, msg)
            if name in ("figures", "metrics") and row.get("unit") and unit_spelling_problem(row["unit"]):
                bad("unit", unit_spelling_problem(row["unit"]))
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
    value, scale = row.get("value", ""), row.get("scale", "")
    unit = canonical_unit(row.get("unit", ""))  # every spelling held to the rules
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
    elif unit == "percent" and not 0 <= number <= 100:
        out.append(Problem(path, line, "value", f"'{value}' is not a share: a percent figure is from 0 to 100"))
    return out


def check_units(tables: dict) -> list:
    """One metric, one unit: every figure is in the unit its metric declares (metrics.csv unit), never converted.

    Applies where the package's metrics.csv declares a unit (a package written before it is held to what it could say)."""
    metrics, figures = tables.get("metrics"), tables.get("figures")
    if metrics is None or figures is None or "unit" not in metrics.resource.field_names:
        return []
    declared = {r["metric"]: r["unit"] for r in metrics.rows}
    shown, out = display_path(figures.path), []
    for row, line in zip(figures.rows, figures.lines):
        want = declared.get(row["metric"])
        if want and row["unit"] != want:
            out.append(Problem(shown, line, "unit", f"'{row['unit']}' is not the unit of {row['metric']} ({want}, in {metrics.resource.path}): "
                               "one metric has one unit; a figure in another unit is another metric"))
    return out


def field_size_limit(text: str) -> None:
    """Let the csv module read any field the file can hold; check_rows then names an oversized one by line."""
    import csv

    csv.field_size_limit(max(131072, min(len(text) + 1, 2**31 - 1)))


__all__ = ["CORE", "apply_contract", "check_rows", "check_units", "date_range_problem", "field_size_limit", "inside", "period_range_problem",
           "plan_horizon", "schema_problems", "unit_spelling_problem"]
