"""One grammar for a check's formula (briefing/data/formula.py): whatever `make validate` accepts, the build evaluates.

Formulas are generated (seeded, so a failure repeats) from the grammar's pieces and from what it refuses: powers,
floor division, modulo, unary signs, deep brackets, thousands of terms, calls, names that are not metrics. Each one
either parses (and then evaluates to a number, or Python's ZeroDivisionError) or is refused with one line; never
another exception, never a RecursionError. Then the same formulas go through the validator and the story's checks on a
copy of tests/fixtures/small_data: each accepted row runs; each refused one is `checks.csv:LINE: formula: ...`.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from conftest import append_rows

from briefing.data import formula
from briefing.data.dataset import load
from briefing.data.validate import validate
from briefing.story.checks import run_checks

METRICS = ("meta_investment_usd", "meta_stake_pct", "valuation_post_usd")
ATOMS = (*METRICS, "2", "0.5", ".25", "100", "meta_stake_pct@2025", "valuation_post_usd@same", "0")
OPERATORS = ("+", "-", "*", "/", "**", "//", "%")


def generated(rng: random.Random, depth: int = 0) -> str:
    """A formula-like text: mostly the grammar, sometimes an operator or shape it refuses."""
    roll = rng.random()
    if depth > 4 or roll < 0.3:
        return rng.choice(ATOMS)
    if roll < 0.45:
        return "-" * rng.randint(1, 3) + generated(rng, depth + 1)
    if roll < 0.6:
        return "(" + generated(rng, depth + 1) + ")"
    return f"{generated(rng, depth + 1)} {rng.choice(OPERATORS)} {generated(rng, depth + 1)}"


def corpus() -> list[str]:
    rng = random.Random(27)
    texts = [generated(rng) for _ in range(1500)]
    texts += ["-a + b", "a ** 2", "a // b", "a % b", "abs(a)", "a.b", "__import__('os')", "a @ 2025-07", "a@2025-13",
              "1e3 * a", "a b", "()", "", "   "]
    texts += ["(" * n + "a" + ")" * n for n in (5, 12, 13, 50, 3000)]
    texts += ["-" * n + "a" for n in (1, 12, 13, 5000)]
    texts += [" + ".join(["a"] * n) for n in (10, 50, 51, 2000, 5000)]
    texts += [" * ".join(["2"] * n) for n in (60, 4000)]
    return texts


def test_whatever_parses_evaluates_and_nothing_else_escapes():
    accepted = refused = 0
    for text in corpus():
        try:
            parsed = formula.parse(text)
        except formula.FormulaError as exc:
            assert "\n" not in str(exc) and len(str(exc)) < 400, text
            refused += 1
            continue
        accepted += 1
        values = {i.key: 1.5 + n for n, i in enumerate(parsed.inputs)}
        try:
            result = parsed.evaluate(values)
        except ZeroDivisionError:
            continue
        assert isinstance(result, float), (text, result)
    assert accepted > 300 and refused > 300, (accepted, refused)  # the corpus exercises both sides


@pytest.mark.parametrize("text", ["-a + b", "a ** 2", "a // b", "a % b"])
def test_the_issues_formulas_are_refused_or_evaluated(text):
    """Issue 27: validate said 'valid' to these and the build then died in a notebook."""
    try:
        parsed = formula.parse(text)
    except formula.FormulaError:
        return
    assert parsed.evaluate({"a": 2.0, "b": 4.0}) == 2.0  # -a + b, the one of them the grammar takes


def test_a_formula_is_parsed_once():
    formula.parse.cache_clear()
    for _ in range(3):
        formula.parse("meta_investment_usd / meta_stake_pct")
    assert formula.parse.cache_info().misses == 1


def test_what_validate_accepts_the_story_evaluates(tmp_path, monkeypatch):
    """End to end on a copy of small_data: every generated formula is a checks.csv row; the validator refuses some with
    their line, and the story's checks compute every row it accepts (no exception from a notebook)."""
    data = tmp_path / "data"
    src = Path(__file__).parent / "fixtures" / "small_data"
    data.mkdir()
    for f in src.iterdir():
        (data / f.name).write_bytes(f.read_bytes())
    issue = [f"meta_stake_pct {op} 2" for op in ("**", "//", "%")]
    texts = [t for t in dict.fromkeys(corpus()) if t.strip() and len(t) < 300][:120] + issue + ["-meta_stake_pct + valuation_post_usd"]
    first = append_rows(data / "checks.csv", [{"check_id": f"gen-{n}", "label": f"Generated {n}", "formula": t, "show": "ratio"}
                                             for n, t in enumerate(texts)])
    monkeypatch.chdir(tmp_path)
    _, problems = validate(Path("data"))
    assert problems, "the corpus has formulas the grammar refuses"
    assert all(str(p).startswith("data/checks.csv:") and p.column == "formula" for p in problems), [str(p) for p in problems[:5]]
    refused = {p.line for p in problems}
    assert {first + texts.index(t) for t in issue} <= refused
    keep = [t for n, t in enumerate(texts) if first + n not in refused]
    assert len(keep) > 20
    rows = (data / "checks.csv").read_text(encoding="utf-8").split("\n")
    (data / "checks.csv").write_text("\n".join(r for n, r in enumerate(rows, start=1) if n not in refused), encoding="utf-8")
    d = load(Path("data"))
    results = run_checks(d)
    assert {f"gen-{texts.index(t)}" for t in keep} <= set(results["check"])
