"""Each rule in one place, read from the code and the schemas: one formula grammar, one set of schema constraints.

A second formula parser (eval, exec, compile, the ast module, an operator table) anywhere in the package but
briefing/data/formula.py fails here: two grammars drift (validate once accepted what the evaluator refused). Every
constraint any schema in the project uses is one the validator enforces, each one it says it enforces does fail a
cell that breaks it, and a schema with a constraint it does not know is refused with its line, never ignored.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from conftest import DATA, ROOT

from briefing.data.schema import CONSTRAINTS
from briefing.data.upgrade import CURRENT, KEY
from briefing.data.validate import validate

PACKAGE = ROOT / "briefing"
FORMULA = PACKAGE / "data" / "formula.py"
SCHEMAS = [DATA / "datapackage.json", *sorted((ROOT / "tests" / "fixtures").glob("*/datapackage.json"))]
EVALUATORS = {"eval", "exec", "compile", "__import__"}


def evaluators(path: Path) -> list[str]:
    """What in a module could evaluate a formula a second way, as 'line: what'."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in EVALUATORS:
            out.append(f"{node.lineno}: {node.func.id}()")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            out += [f"{node.lineno}: import {n}" for n in names if n.split(".")[0] in ("ast", "operator")]
    return out


def test_one_formula_parser():
    found = {str(p.relative_to(ROOT)): evaluators(p) for p in sorted(PACKAGE.rglob("*.py")) if p != FORMULA}
    assert not {k: v for k, v in found.items() if v}, "a formula is parsed in briefing/data/formula.py only"
    assert evaluators(FORMULA), "the check reads formula.py's own evaluator (its operator table)"


def test_the_check_finds_a_second_parser(tmp_path):
    rogue = tmp_path / "rogue.py"
    rogue.write_text("import ast\n\ndef value(text):\n    return eval(compile(ast.parse(text, mode='eval'), '', 'eval'))\n")
    assert evaluators(rogue) == ["1: import ast", "4: eval()", "4: compile()"]


def used_constraints() -> set[str]:
    return {key for path in SCHEMAS for res in json.loads(path.read_text(encoding="utf-8"))["resources"]
            for f in res["schema"]["fields"] for key in f.get("constraints", {})}


def test_every_constraint_the_schemas_use_is_enforced():
    assert used_constraints() <= set(CONSTRAINTS), used_constraints() - set(CONSTRAINTS)


# one cell per constraint that breaks it (resource, field, constraint value, line, cell)
BREAKS = {
    "required": ("metrics", "description", True, 3, ""),
    "unique": ("metrics", "label", True, 3, "Meta's investment in Scale AI"),
    "enum": ("metrics", "key_figure", ["yes", "no"], 3, "maybe"),
    "pattern": ("metrics", "label", "[A-Z].*", 3, "lower case"),
    "minLength": ("metrics", "label", 5, 3, "Meta"),
    "maxLength": ("metrics", "label", 80, 3, "A label " * 11),
    "minimum": ("metrics", "lead", 2, 2, "1"),
    "maximum": ("metrics", "lead", 50, 3, "51"),
}


def test_every_enforced_constraint_has_a_breaking_case():
    assert set(BREAKS) == set(CONSTRAINTS)


def _package(small: Path) -> dict:
    return json.loads((small / "datapackage.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("constraint", sorted(BREAKS))
def test_each_enforced_constraint_fails_a_cell(small, monkeypatch, constraint):
    from conftest import set_cell

    resource, field, value, line, cell = BREAKS[constraint]
    package = _package(small)
    spec = next(f for r in package["resources"] if r["name"] == resource for f in r["schema"]["fields"] if f["name"] == field)
    spec.setdefault("constraints", {})[constraint] = value
    (small / "datapackage.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
    set_cell(small, resource, line, field, cell)
    monkeypatch.chdir(small.parent)
    _, problems = validate(Path("data"))
    assert [(p.path, p.line, p.column) for p in problems] == [(f"data/{resource}.csv", line, field)], [str(p) for p in problems]


@pytest.mark.parametrize("where, key", [("constraints", "frobnicate"), ("constraints", "exclusiveMaximum"), ("field", "bareNumber"),
                                        ("field", "format")])
def test_a_schema_property_the_validator_does_not_enforce_is_refused(small, monkeypatch, where, key):
    package = _package(small)
    spec = next(f for r in package["resources"] if r["name"] == "figures" for f in r["schema"]["fields"] if f["name"] == "value")
    (spec.setdefault("constraints", {}) if where == "constraints" else spec)[key] = "email" if key == "format" else False
    (small / "datapackage.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
    line = next(n for n, text in enumerate((small / "datapackage.json").read_text().splitlines(), start=1) if f'"{key}"' in text
                and n > 1 + (small / "datapackage.json").read_text().split('"name": "figures"')[0].count("\n"))
    monkeypatch.chdir(small.parent)
    _, problems = validate(Path("data"))
    assert [str(p) for p in problems][:1] and all(f"data/datapackage.json:{line}: figures.value" in str(p) for p in problems), [str(p) for p in problems]
    assert f'"{key if key != "format" else "email"}" is not supported' in str(problems[0])


# --- the schema's version and its one upgrade ----------------------------------------------------------------------

def test_the_projects_schema_is_the_current_version_and_small_data_is_a_copy():
    project = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    assert project[KEY] == CURRENT and "version" not in project  # the Data Package's own version is the data's
    small = ROOT / "tests" / "fixtures" / "small_data" / "datapackage.json"
    assert small.read_text(encoding="utf-8") == (DATA / "datapackage.json").read_text(encoding="utf-8"), (
        "tests/fixtures/small_data/datapackage.json is a copy of data/datapackage.json: cp data/datapackage.json tests/fixtures/small_data/")


def test_later_news_is_an_older_version_that_loads_in_the_current_shape():
    from briefing.data.dataset import load
    from briefing.data.schema import load_schema
    from briefing.data.upgrade import ADDED

    older = json.loads((ROOT / "tests" / "fixtures" / "later_news" / "datapackage.json").read_text(encoding="utf-8"))
    assert older[KEY] < CURRENT
    current, before = load_schema(DATA / "datapackage.json"), load_schema(ROOT / "tests" / "fixtures" / "later_news" / "datapackage.json")
    added = {name: tuple(c for c in res.field_names if name not in before or c not in before[name].field_names) for name, res in current.items()}
    assert {k: v for k, v in added.items() if v} == {k: v for v_ in range(older[KEY] + 1, CURRENT + 1) for k, v in ADDED[v_].items()}, (
        "upgrade.ADDED lists what each version added to data/datapackage.json")
    d = load(ROOT / "tests" / "fixtures" / "later_news")
    for name in ("claims", "topics", "watch"):
        assert getattr(d, name).empty
    assert {"speaker", "version_of", "date_until"} <= set(d.all_events.columns)


def test_a_current_version_package_without_part_of_the_shape_is_refused(small, monkeypatch):
    package = _package(small)
    package["resources"] = [r for r in package["resources"] if r["name"] != "watch"]
    (small / "datapackage.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
    monkeypatch.chdir(small.parent)
    _, problems = validate(Path("data"))
    assert [str(p) for p in problems] == [(f"data/datapackage.json:12: {KEY}: a version-2 package lists watch; add them, or declare the version it is "
                                          "written to (an older package is upgraded at load)")]


def test_unknown_x_properties_are_kept_and_ignored(small, monkeypatch):
    package = _package(small)
    package["x-notes"] = {"name": "anything", "parties": ["A"]}
    (small / "datapackage.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
    monkeypatch.chdir(small.parent)
    assert validate(Path("data"))[1] == []
