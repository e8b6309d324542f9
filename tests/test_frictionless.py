"""The reference validator of the Data Package format (frictionless) accepts every package the
project ships or writes: data/, each fixture, and what scripts/synthetic_data.py generates.

Frictionless reads the schema (Table Schema allows a string field only the formats default, email,
uri, binary, uuid and wkt, so the project's own period rule is the custom property "x-format") and
checks every row against it: types, required, unique, patterns, enums, minimums, primary and
foreign keys. The project's own validator (briefing/data/validate.py) checks more, with its own
messages; the last tests here check it still reads the period rule, in either spelling.
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


def assert_valid(package_dir: Path) -> None:
    report = frictionless.validate(str(package_dir / "datapackage.json"))
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
