"""The reference validator of the Data Package format (frictionless) accepts every package the
project ships or writes: data/, each fixture, and what scripts/synthetic_data.py generates.

Frictionless reads the schema (Table Schema allows a string field only the formats default, email,
uri, binary, uuid and wkt, so the project's own period rule is the custom property "x-format") and
checks every row against it: types, required, unique, patterns, enums, minimums, primary and
foreign keys. The project's own validator (briefing/data/validate.py) checks more, with its own
messages; the tests below check it still reads the period rule, in either spelling, and that on every fixture
(year_on appended with scripts/add_rows.py too) and on mutations of small_data (a cell over a maximum, a missing
required cell, an enum miss, a duplicate key, ...) its verdict names the rows frictionless names.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA, ROOT, read_rows, write_rows

from briefing.data.schema import load_schema
from briefing.data.validate import validate

frictionless = pytest.importorskip("frictionless")

PACKAGES = [DATA, *sorted(p.parent for p in (ROOT / "tests" / "fixtures").glob("*/datapackage.json"))]


def errors(report) -> str:
    """frictionless's findings, one per line: resource, row, field, message."""
    lines = [f"package: {e.message}" for e in report.errors]
    for task in report.tasks:
        for e in task.errors:
            where = ", ".join(f"{k} {getattr(e, k)}" for k in ("row_number", "field_name") if getattr(e, k, None) is not None)
            lines.append(f"{task.name}{' (' + where + ')' if where else ''}: {e.message}")
    return "\n".join(lines)


# The project reads a CSV's columns by their header's names, and an optional column may be left out (every row reads it
# empty; small_data's CSVs leave out a few): frictionless does the same with schema_sync.
DETECTOR = frictionless.Detector(schema_sync=True)
pytestmark = pytest.mark.filterwarnings("ignore:The --schema-sync option is deprecated:DeprecationWarning")


def assert_valid(package_dir: Path) -> None:
    report = frictionless.validate(str(package_dir / "datapackage.json"), detector=DETECTOR)
    assert report.valid, f"frictionless finds {package_dir} invalid:\n{errors(report)}"
    assert {t.name for t in report.tasks} == {r["name"] for r in json.loads((package_dir / "datapackage.json").read_text())["resources"]}


def test_there_are_fixture_packages():
    assert len(PACKAGES) >= 3, PACKAGES  # data/, small_data, later_news


@pytest.mark.parametrize("package_dir", PACKAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_frictionless_accepts_the_package(package_dir):
    assert_valid(package_dir)


def test_frictionless_accepts_the_synthetic_package(tmp_path):
    out = tmp_path / "synthetic"
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "synthetic_data.py"), str(out), "--events", "300", "--figures", "200",
                           "--relationships", "60", "--parties", "20", "--metrics", "30"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert_valid(out)


def test_frictionless_checks_the_rows_too(tmp_path):
    """Not only the schema: a row that breaks an id pattern is an error (so the tests above mean something)."""
    data = tmp_path / "data"
    data.mkdir()
    for f in DATA.iterdir():
        (data / f.name).write_bytes(f.read_bytes())
    lines = (data / "figures.csv").read_text(encoding="utf-8").split("\n")
    lines[1] = "FIG_" + lines[1].removeprefix("fig-")
    (data / "figures.csv").write_text("\n".join(lines), encoding="utf-8")
    report = frictionless.validate(str(data / "datapackage.json"))
    assert not report.valid and "figure_id" in errors(report)


def test_the_period_rule_is_a_custom_property_not_a_format():
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    period = next(f for r in package["resources"] if r["name"] == "figures" for f in r["schema"]["fields"] if f["name"] == "period")
    assert "format" not in period and period["x-format"] == "period"
    assert load_schema(DATA / "datapackage.json")["figures"].field("period").format == "period"


@pytest.mark.parametrize("spelling", ["x-format", "legacy format"])
def test_the_project_validator_still_checks_periods(tmp_path, monkeypatch, spelling):
    """A period that is no real date gets the validator's own line, with the schema in either spelling
    (an older data directory, e.g. a BASE, says "format": "x-period")."""
    data = tmp_path / "data"
    data.mkdir()
    for f in DATA.iterdir():
        (data / f.name).write_bytes(f.read_bytes())
    if spelling == "legacy format":
        text = (data / "datapackage.json").read_text(encoding="utf-8")
        (data / "datapackage.json").write_text(text.replace('"x-format": "period"', '"format": "x-period"'), encoding="utf-8")
    rows = read_rows(data / "figures.csv")
    col = rows[0].index("period")
    line = next(n for n, row in enumerate(rows, start=1) if row and row[col] == "2024")
    rows[line - 1][col] = "2025-02-30"
    write_rows(data / "figures.csv", rows)
    monkeypatch.chdir(tmp_path)
    _, problems = validate(Path("data"))
    assert [str(p) for p in problems] == [f"data/figures.csv:{line}: period: '2025-02-30' is not a real date (expected YYYY, YYYY-MM or YYYY-MM-DD)"]


# --- agreement: the project's verdict (which rows of which file) is frictionless's --------------------------------
# On every fixture both find nothing; on each mutation below (one Table Schema constraint broken) both name the same
# rows. The project's own rules (sanity.py, rules.py) say more, never on these mutations' other rows.

YEAR_ON = ROOT / "tests" / "fixtures" / "year_on"
SMALL = ROOT / "tests" / "fixtures" / "small_data"


def bad_rows(package_dir: Path) -> tuple[set, set]:
    """(the project's, frictionless's) problems as {(file, line)}: line 1 for the header or the file itself."""
    _, problems = validate(package_dir)
    ours = {(Path(p.path).name, p.line) for p in problems}
    report = frictionless.validate(str(package_dir / "datapackage.json"), detector=DETECTOR)
    theirs = {("datapackage.json", 1) for _ in report.errors}
    paths = {r["name"]: r["path"] for r in json.loads((package_dir / "datapackage.json").read_text(encoding="utf-8"))["resources"]}
    for task in report.tasks:
        theirs |= {(paths[task.name], getattr(e, "row_number", None) or 1) for e in task.errors}
    return ours, theirs


def copy_of(src: Path, dest: Path) -> Path:
    dest.mkdir()
    for f in src.iterdir():
        (dest / f.name).write_bytes(f.read_bytes())
    return dest


def test_both_validators_accept_every_fixture(tmp_path):
    year_on = tmp_path / "year_on"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "add_rows.py"), str(DATA), str(YEAR_ON), str(year_on)], check=True, capture_output=True)
    for package_dir in [*PACKAGES, year_on]:
        assert bad_rows(package_dir) == (set(), set()), package_dir


def _cell(table: str, line: int, column: str, value: str):
    def mutate(data: Path) -> None:
        rows = read_rows(data / f"{table}.csv")
        rows[line - 1][rows[0].index(column)] = value
        write_rows(data / f"{table}.csv", rows)
    return mutate


def _constraint(resource: str, field: str, **constraints):
    def mutate(data: Path) -> None:
        package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
        res = next(r for r in package["resources"] if r["name"] == resource)
        next(f for f in res["schema"]["fields"] if f["name"] == field).setdefault("constraints", {}).update(constraints)
        (data / "datapackage.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
    return mutate


def _drop(data: Path, table: str, column: str) -> None:
    rows = read_rows(data / f"{table}.csv")
    i = rows[0].index(column)
    write_rows(data / f"{table}.csv", [r[:i] + r[i + 1:] for r in rows])


MUTATIONS = {
    "over a maximum": _constraint("figures", "value", maximum=100),  # issue 27: was silently ignored
    "under a minimum": _cell("figures", 3, "value", "-150"),
    "missing required cell": _cell("events", 4, "quote", ""),
    "enum miss": _cell("events", 3, "date_precision", "fortnight"),
    "duplicate key": _cell("figures", 5, "figure_id", "fig-agg08-meta-investment"),
    "pattern miss": _cell("events", 6, "event_type", "Report!"),
    "bad date": _cell("events", 7, "date", "2025-02-30"),
    "not a number": _cell("figures", 2, "value", "two hundred"),
    "integer written as a decimal": _cell("metrics", 3, "lead", "2.0"),
    "over a maxLength": _cell("events", 8, "event_type", "report" * 8),
    "under a minLength": _constraint("metrics", "label", minLength=36),
    "unknown foreign key": _cell("figures", 4, "source_id", "agg-99"),
    "optional column left out": lambda data: _drop(data, "sources", "credited_to"),
}


@pytest.mark.parametrize("name", MUTATIONS)
def test_both_validators_name_the_same_rows(tmp_path, monkeypatch, name):
    data = copy_of(SMALL, tmp_path / "data")
    MUTATIONS[name](data)
    monkeypatch.chdir(tmp_path)
    ours, theirs = bad_rows(Path("data"))
    assert ours == theirs and bool(ours) == (name != "optional column left out"), f"project: {sorted(ours)}\nfrictionless: {sorted(theirs)}"


def test_a_constraint_the_validator_does_not_enforce_is_refused_with_its_line(tmp_path, monkeypatch):
    data = copy_of(SMALL, tmp_path / "data")
    _constraint("figures", "value", exclusiveMinimum=0)(data)
    line = next(n for n, text in enumerate((data / "datapackage.json").read_text().splitlines(), start=1) if "exclusiveMinimum" in text)
    monkeypatch.chdir(tmp_path)
    _, problems = validate(Path("data"))
    assert [str(p) for p in problems] == [
        (f'data/datapackage.json:{line}: figures.value.constraints: "exclusiveMinimum" is not supported by this validator '
        "(it enforces required, unique, enum, pattern, minLength, maxLength, minimum, maximum)")]
