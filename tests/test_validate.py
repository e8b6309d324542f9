"""Unit tests of the validator and the quote checker: each asserts the exact line a user sees.

Every message is `path:line: column: message`, with the line a text editor shows. The tests
run from the parent of a copy of data/ and pass DATA=data, so the paths read as they do for a
user who types `make DATA=data`.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import DATA, PY, ROOT, SOURCES, read_rows, write_rows

from briefing.data.cells import parse_date, parse_number
from briefing.data.problems import DataError
from briefing.data.quotes import MAX_QUOTE_WORDS, verify_quotes
from briefing.data.schema import load_schema
from briefing.data.texts import normalise, split_items
from briefing.data.validate import check_table, validate, validated_tables

EVENTS_COLUMNS = "event_id, date, date_precision, date_until, date_note, actor, counterparty, event_type, description, label, status, source_ids, quote, speaker, version_of, minor"
FIGURES_COLUMNS = "figure_id, metric, entity, value, unit, scale, qualifier, period, source_id, quote, note"
EVENT_STATUSES = "announced, confirmed, reported, denied"


# --- helpers: small, explicit mutations of a copy of data/ ----------------------------------



def set_field(data: Path, table: str, line: int, column: str, value: str) -> str:
    """Set one cell (by editor line; the data has no multi-line fields) and return the old value."""
    path = data / f"{table}.csv"
    rows = read_rows(path)
    i = rows[0].index(column)
    old, rows[line - 1][i] = rows[line - 1][i], value
    write_rows(path, rows)
    return old


def get_field(data: Path, table: str, line: int, column: str) -> str:
    rows = read_rows(data / f"{table}.csv")
    return rows[line - 1][rows[0].index(column)]


def line_of(data: Path, table: str, row_id: str) -> int:
    for n, row in enumerate(read_rows(data / f"{table}.csv"), start=1):
        if row[0] == row_id:
            return n
    raise LookupError(row_id)


def edit_lines(path: Path, edit) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    edit(lines)
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture
def data(data_copy: Path, monkeypatch) -> Path:
    """The copy of data/, seen from its parent: validate(Path('data')) names files data/x.csv."""
    monkeypatch.chdir(data_copy.parent)
    return Path("data")


def messages(data_dir, as_of: str | None = None) -> list[str]:
    _, problems = validate(Path(data_dir), as_of)
    return [str(p) for p in problems]


def resource(name: str):
    return load_schema(DATA / "datapackage.json")[name]


# --- parse_date / parse_number ------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2025-06-12", "2025-06-12"),
        ("2024-02-29", "2024-02-29"),
        ("2025-13-01", "'2025-13-01' is not a real date (no such day; expected YYYY-MM-DD)"),
        ("2025-02-30", "'2025-02-30' is not a real date (no such day; expected YYYY-MM-DD)"),
        ("June 12", "'June 12' is not a date (expected YYYY-MM-DD)"),
        ("2025-6-1", "'2025-6-1' is not a date (expected YYYY-MM-DD)"),
        ("12/06/2025", "'12/06/2025' is not a date (expected YYYY-MM-DD)"),
        ("tomorrow", "'tomorrow' is not a date (expected YYYY-MM-DD)"),
    ],
    ids=["iso", "leap-day", "month-13", "feb-30", "in-words", "not-zero-padded", "slashes", "tomorrow"],
)
def test_parse_date(text, expected):
    date, reason = parse_date(text)
    if reason is None:
        assert date.isoformat() == expected
    else:
        assert date is None and reason == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("14.3", 14.3),
        ("0", 0.0),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("-5", -5.0),  # a number; the minimum is the schema's business (check_table)
        ("14,3", "'14,3' is not a number (use a dot for decimals, e.g. 14.3)"),
        ("1,000", "'1,000' is not a number (no thousands separators: write 1000, or use a dot if the comma marks decimals)"),
        ("$14.3B", "'$14.3B' is not a plain number (write the number only, e.g. 14.3, with unit and scale in their own columns)"),
        ("14.3 billion", "'14.3 billion' is not a plain number (write the number only, e.g. 14.3, with unit and scale in their own columns)"),
        ("49%", "'49%' is not a plain number (write the number only, e.g. 14.3, with unit and scale in their own columns)"),
        ("abc", "'abc' is not a number"),
        ("", "'' is not a number"),
        ("inf", "'inf' is not a finite number"),
        ("-inf", "'-inf' is not a finite number"),
        ("nan", "'nan' is not a finite number"),
        ("NaN", "'NaN' is not a finite number"),
        ("1e400", "'1e400' is not a finite number"),
    ],
    ids=["decimal", "zero", "leading-dot", "exponent", "negative", "decimal-comma", "thousands-comma", "dollar-and-B",
         "billion-in-words", "percent-sign", "abc", "empty", "inf", "minus-inf", "nan", "NaN", "overflow"],
)
def test_parse_number(text, expected):
    value, reason = parse_number(text)
    if isinstance(expected, float):
        assert (value, reason) == (expected, None)
    else:
        assert (value, reason) == (None, expected)


# --- whole files ----------------------------------------------------------------------------


def test_the_included_data_is_valid():
    tables, problems = validate(DATA)
    assert problems == []
    assert set(tables) == {"sources", "metrics", "statuses", "checks", "events", "figures", "relationships", "claims", "topics", "watch"}


def test_missing_file(data):
    (data / "figures.csv").unlink()
    assert messages(data) == ["data/figures.csv:1: -: file is missing (expected figures.csv in data)"]


def test_missing_file_check_table_alone(tmp_path):
    table, problems = check_table(resource("events"), tmp_path / "events.csv")
    assert table is None
    assert [str(p) for p in problems] == [f"{tmp_path}/events.csv:1: -: file is missing (expected events.csv in {tmp_path})"]


@pytest.mark.parametrize("content", ["", "\n\n", "\ufeff", "  \r\n"], ids=["zero-bytes", "blank-lines", "bom-only", "whitespace-crlf"])
def test_empty_file(data, content):
    (data / "events.csv").write_text(content, encoding="utf-8")
    assert messages(data) == [
        "data/events.csv:1: -: file is empty (expected a header row: " + EVENTS_COLUMNS.replace(", ", ",") + ")"
    ]


def test_header_only(data):
    path = data / "relationships.csv"
    path.write_text(path.read_text(encoding="utf-8").split("\n")[0] + "\n", encoding="utf-8")
    assert messages(data) == ["data/relationships.csv:1: -: file has a header but no rows"]


def test_missing_column(data):
    path = data / "figures.csv"
    rows = read_rows(path)
    i = rows[0].index("unit")
    write_rows(path, [r[:i] + r[i + 1:] for r in rows])
    assert messages(data) == ["data/figures.csv:1: unit: column is missing from the header"]


def test_extra_column(data):
    path = data / "figures.csv"
    write_rows(path, [r + (["currency"] if n == 0 else ["USD"]) for n, r in enumerate(read_rows(path))])
    assert messages(data) == [f"data/figures.csv:1: currency: unknown column (allowed: {FIGURES_COLUMNS})"]


def test_blank_column_name(data):
    path = data / "figures.csv"
    write_rows(path, [r + [""] for r in read_rows(path)])  # a trailing comma on every line
    assert messages(data) == [f"data/figures.csv:1: (blank): unknown column (allowed: {FIGURES_COLUMNS})"]


def test_renamed_column(data):
    path = data / "figures.csv"
    rows = read_rows(path)
    rows[0][rows[0].index("source_id")] = "source"
    write_rows(path, rows)
    assert messages(data) == [
        f"data/figures.csv:1: source: unknown column (allowed: {FIGURES_COLUMNS})",
        "data/figures.csv:1: source_id: column is missing from the header",
    ]


def test_duplicated_column(data):
    path = data / "events.csv"
    rows = read_rows(path)
    i = rows[0].index("quote")
    write_rows(path, [r + [r[i]] for r in rows])
    assert messages(data) == ["data/events.csv:1: quote: column appears twice in the header"]


def test_header_names_are_trimmed_but_case_matters(data):
    path = data / "events.csv"
    edit_lines(path, lambda lines: lines.__setitem__(0, lines[0].replace("event_id,date,", " event_id , Date,", 1)))
    assert messages(data) == [
        f"data/events.csv:1: Date: unknown column (allowed: {EVENTS_COLUMNS})",
        "data/events.csv:1: date: column is missing from the header",
    ]


def test_missing_schema(data):
    (data / "datapackage.json").unlink()
    assert messages(data) == ["data/datapackage.json:1: -: schema file is missing (every data directory needs its datapackage.json)"]


# --- fields -------------------------------------------------------------------------------


def test_blank_required_field(data):
    set_field(data, "events", 3, "actor", "  ")
    assert messages(data) == ["data/events.csv:3: actor: required field is empty"]


@pytest.mark.parametrize(
    "table, column, value, expected",
    [
        ("events", "date", "2025-13-01", "'2025-13-01' is not a real date (no such day; expected YYYY-MM-DD)"),
        ("events", "date", "2025-02-30", "'2025-02-30' is not a real date (no such day; expected YYYY-MM-DD)"),
        ("relationships", "as_of", "June 12", "'June 12' is not a period (expected YYYY, YYYY-MM or YYYY-MM-DD)"),
        ("relationships", "as_of", "2025-13", "'2025-13' is not a real month (expected YYYY, YYYY-MM or YYYY-MM-DD)"),
        ("sources", "published", "2025-6-18", "'2025-6-18' is not a period (expected YYYY, YYYY-MM or YYYY-MM-DD)"),
        ("figures", "value", "14,3", "'14,3' is not a number (use a dot for decimals, e.g. 14.3)"),
        ("figures", "value", "$14.3B", "'$14.3B' is not a plain number (write the number only, e.g. 14.3, with unit and scale in their own columns)"),
        ("figures", "value", "abc", "'abc' is not a number"),
        ("figures", "value", "-5", "'-5' is negative; amounts are never below 0 (put a decline in the metric name)"),
        ("figures", "value", "inf", "'inf' is not a finite number"),
        ("figures", "value", "nan", "'nan' is not a finite number"),
        ("sources", "item", "1.5", "'1.5' is not a whole number"),
        ("sources", "item", "0", "'0' is below the minimum of 1"),
        ("events", "status", "rumoured", f"'rumoured' is not allowed (expected one of: {EVENT_STATUSES})"),
        ("figures", "unit", "<b>TB</b>", "'<b>TB</b>' is not a short unit (letters, digits, %, spaces, '/', '.' and '-', starting with a letter or %; e.g. USD, percent, TB)"),
        ("events", "event_id", "Ev-Foo", "'Ev-Foo' is not a valid key (lowercase letters and digits joined by '-')"),
    ],
    ids=["date-month-13", "date-feb-30", "date-in-words", "month-13", "date-not-padded", "value-decimal-comma", "value-dollar-B", "value-abc",
         "value-negative", "value-inf", "value-nan", "item-not-whole", "item-zero", "status-not-allowed", "unit-markup", "id-pattern"],
)
def test_bad_value(data, table, column, value, expected):
    line = 4 if table == "sources" else 5  # sources line 4 is agg-01, an aggregator item
    old = set_field(data, table, line, column, value)
    # a broken event id also leaves the statuses that rest on that event pointing at nothing
    echoes = [f"data/relationships.csv:{n}: event_id: unknown event_id '{old}' (not in events.csv)"
              for n, r in enumerate(read_rows(data / "relationships.csv"), 1) if n > 1 and column == "event_id" and old in r]
    assert messages(data) == sorted([f"data/{table}.csv:{line}: {column}: {expected}"] + echoes)


def test_values_are_trimmed(data):
    set_field(data, "figures", 5, "value", " 100 ")
    set_field(data, "events", 3, "status", " reported ")
    assert messages(data) == []


def test_duplicate_id_names_the_first_line(data):
    first = get_field(data, "events", 3, "event_id")
    set_field(data, "events", 9, "event_id", first)
    assert messages(data) == [f"data/events.csv:9: event_id: duplicate id '{first}' (first used on line 3)"]


def test_unknown_source_id_in_figures(data):
    set_field(data, "figures", 5, "source_id", "agg-99")
    assert messages(data) == ["data/figures.csv:5: source_id: unknown source_id 'agg-99' (not in sources.csv)"]


def test_unknown_source_id_in_an_events_list(data):
    set_field(data, "events", 5, "source_ids", "agg-03; agg-99 ;agg-summary")
    assert messages(data) == ["data/events.csv:5: source_ids: unknown source_id 'agg-99' (not in sources.csv)"]


def test_removed_source_is_reported_at_every_use(data):
    line = line_of(data, "sources", "agg-03")
    rows = read_rows(data / "sources.csv")
    del rows[line - 1]
    write_rows(data / "sources.csv", rows)
    got = messages(data)
    assert got and all("unknown source_id 'agg-03' (not in sources.csv)" in m for m in got)
    assert {m.split(":")[0] for m in got} >= {"data/events.csv"}


# --- encodings, line endings, CSV structure --------------------------------------------------


def _tables_as_rows(data_dir) -> dict[str, list[dict[str, str]]]:
    tables, problems = validate(Path(data_dir))
    assert [str(p) for p in problems] == []
    return {name: t.rows for name, t in tables.items()}


@pytest.mark.parametrize("bom, crlf", [(True, False), (False, True), (True, True)], ids=["utf8-bom", "crlf", "bom-and-crlf"])
def test_bom_and_crlf_are_accepted_quietly(data, bom, crlf):
    plain = _tables_as_rows(data)
    for path in data.glob("*.csv"):
        raw = path.read_bytes()
        if crlf:
            raw = raw.replace(b"\n", b"\r\n")
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + raw)
    assert _tables_as_rows(data) == plain


def test_bom_and_crlf_keep_line_numbers(data):
    set_field(data, "events", 6, "status", "rumoured")
    path = data / "events.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert messages(data) == [f"data/events.csv:6: status: 'rumoured' is not allowed (expected one of: {EVENT_STATUSES})"]


def test_latin1_bytes_name_the_line(data):
    path = data / "events.csv"
    lines = path.read_bytes().split(b"\n")
    assert b"Scale" in lines[3]
    lines[3] = lines[3].replace(b"Scale", "Scal\u00e9".encode("latin-1"), 1)
    path.write_bytes(b"\n".join(lines))
    assert messages(data) == ["data/events.csv:4: -: file is not UTF-8 (byte 0xE9); save it as UTF-8"]


def test_latin1_does_not_hide_other_files_problems(data):
    path = data / "sources.csv"
    line = line_of(data, "sources", "doc-003")
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = lines[line - 1].replace("Meta\u2019s".encode(), b"Meta\x92s", 1)  # a Windows-1252 apostrophe
    path.write_bytes(b"\n".join(lines))
    set_field(data, "figures", 5, "value", "abc")
    # sources.csv cannot be read, so ids are not checked against it: no flood of unknown-source lines
    assert messages(data) == [
        "data/figures.csv:5: value: 'abc' is not a number",
        f"data/sources.csv:{line}: -: file is not UTF-8 (byte 0x92); save it as UTF-8",
    ]


def test_row_with_too_many_fields(data):
    # An unquoted decimal comma splits the value in two: 100 -> 14,3
    n = next(i for i, line in enumerate((data / "figures.csv").read_text(encoding="utf-8").split("\n")) if ",100," in line)
    edit_lines(data / "figures.csv", lambda lines: lines.__setitem__(n, lines[n].replace(",100,", ",14,3,", 1)))
    assert messages(data) == [f"data/figures.csv:{n + 1}: -: row has 12 fields but the header has 11 (check commas and quotes)"]


def test_row_with_too_few_fields(data):
    edit_lines(data / "figures.csv", lambda lines: lines.__setitem__(4, lines[4].rsplit(",", 1)[0]))
    assert messages(data) == ["data/figures.csv:5: -: row has 10 fields but the header has 11 (check commas and quotes)"]


def test_multiline_field_keeps_editor_line_numbers(data):
    # Row 2 (line 3) gets a description over three lines; the row that was on line 6 is now on line 8.
    set_field(data, "events", 3, "description", "first line\nsecond line\nthird line")
    set_field(data, "events", 6, "status", "rumoured")
    set_field(data, "events", 7, "date", "June 12")
    path = data / "events.csv"
    assert path.read_text(encoding="utf-8").split("\n")[7].startswith(get_field(data, "events", 6, "event_id") + ",")
    assert messages(data) == [
        f"data/events.csv:8: status: 'rumoured' is not allowed (expected one of: {EVENT_STATUSES})",
        "data/events.csv:9: date: 'June 12' is not a date (expected YYYY-MM-DD)",
    ]
    tables, _ = validate(data)  # the tables come back even when there are problems
    assert tables["events"].rows[1]["description"] == "first line\nsecond line\nthird line"


def test_multiline_field_with_crlf(data):
    set_field(data, "events", 3, "description", "first line\nsecond line")
    set_field(data, "events", 6, "status", "rumoured")
    path = data / "events.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert messages(data) == [f"data/events.csv:7: status: 'rumoured' is not allowed (expected one of: {EVENT_STATUSES})"]


def test_blank_lines_are_skipped_and_counted(data):
    edit_lines(data / "events.csv", lambda lines: lines.insert(2, ""))
    set_field(data, "events", 6, "status", "rumoured")
    assert messages(data) == [f"data/events.csv:6: status: 'rumoured' is not allowed (expected one of: {EVENT_STATUSES})"]


# --- every problem at once ----------------------------------------------------------------


def test_all_problems_are_reported_at_once_and_sorted(data):
    set_field(data, "relationships", 4, "as_of", "June 12")
    set_field(data, "figures", 9, "value", "$14.3B")
    set_field(data, "figures", 5, "source_id", "agg-99")
    set_field(data, "figures", 5, "unit", "<i>")
    set_field(data, "events", 12, "date", "2025-02-30")
    set_field(data, "events", 3, "status", "rumoured")
    set_field(data, "events", 3, "actor", "")
    set_field(data, "sources", 4, "known_from", "2025-13-01")
    (data / "relationships.csv").write_bytes((data / "relationships.csv").read_bytes().replace(b"\n", b"\r\n"))
    assert messages(data, "2025-6-1") == [
        "AS_OF:1: as_of: '2025-6-1' is not a date (expected YYYY-MM-DD)",
        "data/events.csv:3: actor: required field is empty",
        f"data/events.csv:3: status: 'rumoured' is not allowed (expected one of: {EVENT_STATUSES})",
        "data/events.csv:12: date: '2025-02-30' is not a real date (no such day; expected YYYY-MM-DD)",
        "data/figures.csv:5: source_id: unknown source_id 'agg-99' (not in sources.csv)",
        "data/figures.csv:5: unit: '<i>' is not a short unit (letters, digits, %, spaces, '/', '.' and '-', starting with a letter or %; e.g. USD, percent, TB)",
        "data/figures.csv:9: value: '$14.3B' is not a plain number (write the number only, e.g. 14.3, with unit and scale in their own columns)",
        "data/relationships.csv:4: as_of: 'June 12' is not a period (expected YYYY, YYYY-MM or YYYY-MM-DD)",
        "data/sources.csv:4: known_from: '2025-13-01' is not a real date (no such day; expected YYYY-MM-DD)",
    ]


def test_validated_tables_raises_with_every_problem(data):
    set_field(data, "events", 3, "status", "rumoured")
    set_field(data, "figures", 5, "value", "-5")
    with pytest.raises(DataError) as info:
        validated_tables(data)
    assert str(info.value) == (
        "2 problems in the data:\n"
        f"data/events.csv:3: status: 'rumoured' is not allowed (expected one of: {EVENT_STATUSES})\n"
        "data/figures.csv:5: value: '-5' is negative; amounts are never below 0 (put a decline in the metric name)"
    )


# --- AS_OF and DATA -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of, expected",
    [
        ("2025-6-1", "AS_OF:1: as_of: '2025-6-1' is not a date (expected YYYY-MM-DD)"),
        ("tomorrow", "AS_OF:1: as_of: 'tomorrow' is not a date (expected YYYY-MM-DD)"),
        ("2025-06-31", "AS_OF:1: as_of: '2025-06-31' is not a real date (no such day; expected YYYY-MM-DD)"),
    ],
    ids=["not-zero-padded", "tomorrow", "june-31"],
)
def test_bad_as_of(as_of, expected):
    assert messages(DATA, as_of) == [expected]


def test_good_as_of():
    assert messages(DATA, "2025-06-18") == []
    assert messages(DATA, "") == []


def test_data_dir_missing(tmp_path):
    missing = tmp_path / "nowhere"
    assert messages(missing) == [f"{missing}:1: -: data directory not found (check DATA=)"]


def test_data_dir_missing_and_bad_as_of(tmp_path):
    missing = tmp_path / "nowhere"
    assert messages(missing, "tomorrow") == [
        "AS_OF:1: as_of: 'tomorrow' is not a date (expected YYYY-MM-DD)",
        f"{missing}:1: -: data directory not found (check DATA=)",
    ]


# --- the command Make runs ----------------------------------------------------------------


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "briefing", "validate", *args], check=False, cwd=cwd, capture_output=True, text=True, timeout=60)


def test_cli_prints_every_problem_and_a_summary(data_copy):
    set_field(data_copy, "events", 3, "status", "rumoured")
    set_field(data_copy, "figures", 5, "value", "14,3")
    proc = _cli("--data", "data", "--as-of", "tomorrow", cwd=data_copy.parent)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "AS_OF:1: as_of: 'tomorrow' is not a date (expected YYYY-MM-DD)",
        f"data/events.csv:3: status: 'rumoured' is not allowed (expected one of: {EVENT_STATUSES})",
        "data/figures.csv:5: value: '14,3' is not a number (use a dot for decimals, e.g. 14.3)",
        "3 problem(s) found; nothing was built.",
    ]


def test_cli_missing_data_dir():
    proc = _cli("--data", "/definitely/not/here")
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "/definitely/not/here:1: -: data directory not found (check DATA=)",
        "1 problem(s) found; nothing was built.",
    ]


def test_cli_valid_data():
    proc = _cli("--data", "data", "--as-of", "")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "data: valid\n", "")


# --- the quote checker --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Meta\u2019s  stake", "Meta's stake"),
        ("\u201cneutral\u201d partners", '"neutral" partners'),
        ("\u2018winding down\u2019", "'winding down'"),
        ("  tens of\nmillions\t of dollars ", "tens of millions of dollars"),
        ("$14.3\u00a0billion", "$14.3 billion"),
        ("Meta\u2032s", "Meta's"),
        ("OpenAI -- Scale", "OpenAI -- Scale"),  # dashes are not normalised
        ("Scale AI", "Scale AI"),
    ],
    ids=["curly-apostrophe", "curly-double-quotes", "curly-single-quotes", "whitespace", "no-break-space", "prime", "dashes-kept", "plain"],
)
def test_normalise(text, expected):
    assert normalise(text) == expected


def test_normalise_keeps_case_and_dashes_apart():
    assert normalise("Scale") != normalise("scale")
    assert normalise("\u2014") != normalise("--")


def test_split_items_synthetic():
    lines = [
        "3 Sources", "[1]", "Headline one", "Body one.", "[2]", "Headline two", "Body two.", "Share", "Copy Link",
        "The summary.", "More summary.", "Unrelated story", "5 Sources", "Another unrelated story", "2 Sources",
    ]
    text = "\n".join(lines)
    assert split_items(text) == {
        "1": "Headline one\nBody one.",
        "2": "Headline two\nBody two.",
        "summary": "The summary.\nMore summary.",
    }


@pytest.mark.skipif(not SOURCES.is_dir(), reason="source collection ../shared/sources not present")
def test_split_items_aggregator():
    items = split_items((SOURCES / "002_eebf30dae9df01f8.txt").read_text(encoding="utf-8"))
    assert set(items) == {str(n) for n in range(1, 15)} | {"summary"}
    assert "signing bonuses as high as $100 million" in items["4"]
    assert "signing bonuses as high as $100 million" not in items["5"]
    assert all(not v.startswith("[") for v in items.values())


needs_sources = pytest.mark.skipif(not SOURCES.is_dir(), reason="source collection ../shared/sources not present")


def quote_messages(data_dir) -> list[str]:
    tables, problems = validate(Path(data_dir))
    assert [str(p) for p in problems] == []
    return [str(p) for p in verify_quotes(tables, SOURCES)]


@needs_sources
def test_every_included_quote_is_found():
    tables, _ = validate(DATA)
    assert verify_quotes(tables, SOURCES) == []


@needs_sources
def test_quote_not_in_its_source(data):
    line = line_of(data, "events", "ev-june-scale-spokesperson-no-voting-power")
    set_field(data, "events", line, "quote", "Meta will not have any voting rights at the company, a Scale AI spokesperson told CNBC")
    assert quote_messages(data) == [
        f"data/events.csv:{line}: quote: quote not found verbatim in its item of agg-04: 'Meta will not have any voting rights at the company, a Scale'"
    ]


@needs_sources
def test_quote_not_in_a_document_source(data):
    line = next(n for n, r in enumerate(read_rows(data / "figures.csv"), 1) if n > 1 and r[8].startswith("doc-"))
    sid = get_field(data, "figures", line, "source_id")
    value = get_field(data, "figures", line, "value")
    quote = f"a made-up sentence with {value} in it"
    set_field(data, "figures", line, "quote", quote)
    assert quote_messages(data) == [f"data/figures.csv:{line}: quote: quote not found verbatim in the text of {sid}: '{quote}'"]


@needs_sources
def test_quote_from_the_wrong_aggregator_item(data):
    # The quote is in item [4] (agg-04), and elsewhere in the same document, but not in item [5].
    line = line_of(data, "figures", "fig-agg04-altman-signing-bonus")
    assert get_field(data, "figures", line, "source_id") == "agg-04"
    quote = get_field(data, "figures", line, "quote")
    assert normalise(quote) in normalise((SOURCES / "002_eebf30dae9df01f8.txt").read_text(encoding="utf-8"))
    set_field(data, "figures", line, "source_id", "agg-05")
    assert quote_messages(data) == [f"data/figures.csv:{line}: quote: quote not found verbatim in its item of agg-05: '{quote}'"]


@needs_sources
def test_quote_attributed_by_the_first_of_several_sources(data):
    # events.source_ids: the quote must come from the first source listed
    line = line_of(data, "events", "ev-june-scale-spokesperson-no-voting-power")
    quote = get_field(data, "events", line, "quote")
    set_field(data, "events", line, "source_ids", "agg-05;agg-04")
    assert quote_messages(data) == [f"data/events.csv:{line}: quote: quote not found verbatim in its item of agg-05: '{quote[:60]}'"]


@needs_sources
def test_curly_and_straight_quotes_are_equal(data):
    line = line_of(data, "events", "ev-0608-rivals-influx-of-interest")
    quote = get_field(data, "events", line, "quote")
    assert "Scale AI's" in quote and '"neutral"' in quote
    set_field(data, "events", line, "quote", quote.replace("'", "\u2019").replace('"neutral"', "\u201cneutral\u201d").replace(" ", "  "))
    assert quote_messages(data) == []


@needs_sources
def test_value_not_in_its_quote(data):
    line = line_of(data, "figures", "fig-agg04-altman-signing-bonus")
    set_field(data, "figures", line, "value", "150")
    assert quote_messages(data) == [f"data/figures.csv:{line}: value: value 150 does not appear in its quote"]


@needs_sources
def test_quote_too_long(data):
    source = normalise(split_items((SOURCES / "002_eebf30dae9df01f8.txt").read_text(encoding="utf-8"))["4"])
    start = source.index("OpenAI CEO Sam Altman said")
    words = source[start:].split()
    quote = " ".join(words[: words.index("million") + 1])  # ... signing bonuses as high as $100 million
    n = len(quote.split())
    assert n > MAX_QUOTE_WORDS
    line = line_of(data, "figures", "fig-agg04-altman-signing-bonus")
    set_field(data, "figures", line, "quote", quote)
    assert quote_messages(data) == [f"data/figures.csv:{line}: quote: quote has {n} words; keep it under {MAX_QUOTE_WORDS}"]


@needs_sources
def test_headline_not_in_its_document(data):
    line = line_of(data, "sources", "doc-001")
    document = get_field(data, "sources", line, "document")
    set_field(data, "sources", line, "headline", "OpenAI Cuts All Ties with Scale AI")
    assert quote_messages(data) == [f"data/sources.csv:{line}: headline: headline not found verbatim in {document}"]


@needs_sources
def test_missing_source_document(data, tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    for f in SOURCES.iterdir():
        if f.name != "001_4373e6166a8514e4.txt":
            (sources / f.name).write_bytes(f.read_bytes())
    tables, _ = validate(data)
    got = [str(p) for p in verify_quotes(tables, sources)]
    expected_tail = f": quote: document '001_4373e6166a8514e4.txt' of doc-001 not found in {sources}"
    assert got and all(m.endswith(expected_tail) for m in got)


def test_unclosed_quote_that_swallows_a_row_is_reported(data):
    """An opening quote without its closing one must not make the next row silently vanish."""
    path = data / "figures.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    n = next(i for i, line in enumerate(lines[1:], start=1) if '"' not in line and '"' not in lines[i + 1])
    cells = lines[n].split(",")
    cells[9] = '"' + cells[9]  # the quote column opens a quote that never closes on this line
    lines[n] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")
    msgs = messages(data)
    assert msgs, "a swallowed row must never pass silently"
    assert any(m.startswith(f"{path}:{n + 1}: ") for m in msgs), msgs


def test_swallowed_row_with_matching_field_count_is_reported(tmp_path):
    """'1,"x' then two rows: the reader makes one 3-field record of three lines; that must not pass."""
    from briefing.data.schema import Field, Resource

    res = Resource("t", "t.csv", "", (Field("a", "string", ""), Field("b", "string", ""), Field("c", "string", "")), "a")
    path = tmp_path / "t.csv"
    path.write_text('a,b,c\n1,"x\n2,y,z\n3,w",k\n', encoding="utf-8")
    _, problems = check_table(res, path)
    assert [(p.line, p.column) for p in problems] == [(2, "b")]
    assert "unclosed quote" in problems[0].message
