"""Issue 28 (3, 4, 8): units spelled another way, dates after the build day, digits of other scripts, C1 controls and
invisible characters in names. Each case mutates a copy of tests/fixtures/small_data and expects one
``path:line: column: message`` line, never a value of the committed data."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, read_rows, write_rows

from briefing.data import sanity
from briefing.data.cells import parse_date, parse_number, parse_period
from briefing.data.validate import validate

SMALL = ROOT / "tests" / "fixtures" / "small_data"
TODAY = dt.date.today()


@pytest.fixture
def small(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(SMALL, dest)
    return dest


def messages(data: Path, as_of: str | None = None) -> list[str]:
    return [str(p) for p in validate(data, as_of)[1]]


def set_cell(data: Path, table: str, line: int, column: str, value: str) -> None:
    path = data / f"{table}.csv"
    rows = read_rows(path)
    rows[line - 1][rows[0].index(column)] = value
    write_rows(path, rows)


def line_of(data: Path, table: str, key: str) -> int:
    return next(i for i, r in enumerate(read_rows(data / f"{table}.csv"), 1) if r[0] == key)


# --- 3. one metric, one unit; every spelling held to the money and percent rules --------------------------

# small_data lines: figures 4 = meta investment 14.8 billion USD, 6 = stake 49 percent, 8 = valuation post 29 billion USD
@pytest.mark.parametrize("spelling, canonical", [("%", "percent"), ("Percent", "percent"), ("pct", "percent"), ("usd", "USD"), ("Usd", "USD")])
def test_another_spelling_of_a_known_unit_is_refused(small: Path, spelling: str, canonical: str):
    line = 6 if canonical == "percent" else 8
    set_cell(small, "figures", line, "unit", spelling)
    got = messages(small)
    assert f"{small}/figures.csv:{line}: unit: '{spelling}' is spelled {canonical} in this data (the money and percent rules read that spelling); write {canonical}" in got


def test_percent_spelled_as_a_sign_with_billion_is_refused_as_percent(small: Path):
    set_cell(small, "figures", 6, "unit", "%")
    set_cell(small, "figures", 6, "scale", "billion")
    got = messages(small)
    assert f"{small}/figures.csv:6: scale: 'billion' cannot scale a percent figure (49 billion percent makes no sense); use scale one" in got


def test_zero_money_spelled_in_lowercase_is_refused(small: Path):
    set_cell(small, "figures", 8, "unit", "usd")
    set_cell(small, "figures", 8, "value", "0")
    got = messages(small)
    assert f"{small}/figures.csv:8: value: '0' is zero: a USD figure of nothing cannot be shown or divided by; leave the row out" in got


def test_one_row_of_a_usd_metric_in_eur_is_refused_not_converted(small: Path):
    set_cell(small, "figures", 8, "unit", "EUR")
    assert messages(small) == [(f"{small}/figures.csv:8: unit: 'EUR' is not the unit of valuation_post_usd (USD, in metrics.csv): "
                               "one metric has one unit; a figure in another unit is another metric")]


def test_a_metric_declares_one_spelling_too(small: Path):
    set_cell(small, "metrics", line_of(small, "metrics", "meta_stake_pct"), "unit", "%")
    got = messages(small)
    assert any(m.startswith(f"{small}/metrics.csv:{line_of(small, 'metrics', 'meta_stake_pct')}: unit: '%' is spelled percent") for m in got)


@pytest.mark.parametrize("value", ["4900", "100.5"])
def test_a_share_is_from_0_to_100(small: Path, value: str):
    set_cell(small, "figures", 6, "value", value)
    assert messages(small) == [f"{small}/figures.csv:6: value: '{value}' is not a share: a percent figure is from 0 to 100"]


def test_the_metric_unit_is_in_the_schema_with_a_description():
    for folder in (ROOT / "data", SMALL, ROOT / "tests" / "fixtures" / "later_news"):
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        metrics = next(r for r in package["resources"] if r["name"] == "metrics")
        unit = next(f for f in metrics["schema"]["fields"] if f["name"] == "unit")
        assert unit["constraints"]["required"] and "one unit" in unit["description"]
        assert read_rows(folder / "metrics.csv")[0].count("unit") == 1


# --- 4. nothing reported after the build day; a period within the declared plan horizon -----------------------

TOMORROW = (TODAY + dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize("table, key, column", [
    ("events", "ev-0612-scale-meta-deal-announced", "date"),
    ("relationships", "rel-google-plans-to-cut-ties-reuters", "as_of"),
    ("claims", "cl-droege-interim-ceo", "as_of"),
    ("sources", "agg-14", "known_from"),
    ("sources", "agg-14", "published"),
])
def test_what_was_reported_cannot_be_dated_after_the_build_day(small: Path, table: str, key: str, column: str):
    line = line_of(small, table, key)
    set_cell(small, table, line, column, TOMORROW)
    want = f"{small}/{table}.csv:{line}: {column}: '{TOMORROW}' is after the build day ({TODAY.isoformat()}): what was reported cannot be dated later; check the year"
    assert want in messages(small)


def test_an_event_window_cannot_end_after_the_build_day(small: Path):
    """date_until is not in the project's contract: every date column has a range all the same."""
    line = line_of(small, "events", "ev-0612-scale-meta-deal-announced")
    set_cell(small, "events", line, "date_precision", "week")
    set_cell(small, "events", line, "date_until", "2300-01-01")
    assert f"{small}/events.csv:{line}: date_until: '2300-01-01' is after the build day ({TODAY.isoformat()}): what was reported cannot be dated later; check the year" in messages(small)


def test_as_of_after_the_build_day_is_refused(small: Path):
    assert messages(small, TOMORROW) == [f"AS_OF:1: as_of: '{TOMORROW}' is after the build day ({TODAY.isoformat()}): what was reported cannot be dated later; check the year"]


def test_a_period_may_name_a_plan_within_the_declared_horizon_never_2300(small: Path):
    package = json.loads((small / "datapackage.json").read_text(encoding="utf-8"))
    assert package["x-planHorizonYears"] == 2
    set_cell(small, "figures", 2, "period", str(TODAY.year + 2))
    assert messages(small) == []
    for period in (str(TODAY.year + 3), "2300", "2300-01-01"):
        set_cell(small, "figures", 2, "period", period)
        assert messages(small) == [(f"{small}/figures.csv:2: period: '{period}' is beyond the plan horizon: a period may name a coming year up to "
                                   f"{TODAY.year + 2} (x-planHorizonYears in datapackage.json is 2); check the year")]
    set_cell(small, "figures", 2, "period", "1200")
    assert messages(small) == [f"{small}/figures.csv:2: period: '1200' is before 1990, the first year this briefing covers; check the year"]


def test_without_a_declared_horizon_a_period_stays_within_this_year(small: Path):
    package = json.loads((small / "datapackage.json").read_text(encoding="utf-8"))
    del package["x-planHorizonYears"]
    (small / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    set_cell(small, "figures", 2, "period", str(TODAY.year + 1))
    assert messages(small) == [(f"{small}/figures.csv:2: period: '{TODAY.year + 1}' is beyond the plan horizon: a period may name a coming year up to "
                               f"{TODAY.year} (x-planHorizonYears in datapackage.json is 0); check the year")]


@pytest.mark.parametrize("value", [300, -1, 2.5, "2", True])
def test_the_horizon_is_a_small_whole_number(small: Path, value):
    package = json.loads((small / "datapackage.json").read_text(encoding="utf-8"))
    package["x-planHorizonYears"] = value
    (small / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    got = messages(small)
    assert len(got) == 1 and got[0].startswith(f"{small}/datapackage.json:1: x-planHorizonYears: must be a whole number of years from 0 to {sanity.MAX_HORIZON}")


# --- 8. digits of other scripts, C1 controls, invisible characters in names --------------------------------

@pytest.mark.parametrize("text", ["\u0664\u0669", "\uff14\uff19", "4\u0669", "\u0966"])
def test_digits_of_other_scripts_are_not_numbers(text: str):
    assert parse_number(text)[0] is None


@pytest.mark.parametrize("text", ["\u0662\u0660\u0662\u0665-06-12", "\uff12\uff10\uff12\uff15-06-12"])
def test_digits_of_other_scripts_are_not_dates_or_periods(text: str):
    assert parse_date(text)[0] is None and parse_period(text[:4])[0] is None


def test_an_arabic_indic_value_is_refused_with_its_line(small: Path):
    set_cell(small, "figures", 6, "value", "\u0664\u0669")
    got = messages(small)
    assert f"{small}/figures.csv:6: value: '\u0664\u0669' is not a number (write it with the digits 0-9: other scripts' digits are not read as numbers)" in got


@pytest.mark.parametrize("ch", ["\x85", "\x9b", "\x80"])
def test_c1_controls_are_refused_like_c0(small: Path, ch: str):
    set_cell(small, "events", 3, "description", f"a{ch}b")
    assert messages(small) == [f"{small}/events.csv:3: description: contains the control character U+{ord(ch):04X}; remove it"]


@pytest.mark.parametrize("table, column, key", [("relationships", "party", "rel-google-plans-to-cut-ties-reuters"),
                                                ("figures", "entity", "fig-agg14-meta-stake"),
                                                ("events", "actor", "ev-0612-scale-meta-deal-announced")])
@pytest.mark.parametrize("ch", ["\u200b", "\u2060", "\ufeff", "\u00ad"])
def test_an_invisible_character_in_a_name_is_refused(small: Path, table: str, column: str, key: str, ch: str):
    line = line_of(small, table, key)
    name = read_rows(small / f"{table}.csv")[line - 1][read_rows(small / f"{table}.csv")[0].index(column)]
    set_cell(small, table, line, column, name[:3] + ch + name[3:])
    got = messages(small)
    assert len(got) == 1 and got[0].startswith(f"{small}/{table}.csv:{line}: {column}: contains the invisible character U+{ord(ch):04X}"), got
    assert f"'{name[:3]}<U+{ord(ch):04X}>{name[3:]}'" in got[0] and ch not in got[0]
