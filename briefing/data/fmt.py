"""One place that turns numbers and dates into newsroom text ("$14.3 billion", "$14.3B", "49%")."""

from __future__ import annotations

import datetime as dt

SCALE = {"one": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9}
_MONTHS = ["January", "February", "March", "April", "May", "June", "July",
           "August", "September", "October", "November", "December"]


def _trim(x: float) -> str:
    text = f"{x:,.1f}" if abs(x) < 100 and x != int(x) else f"{x:,.0f}"
    return text.removesuffix(".0")


def money(amount: float, short: bool = False) -> str:
    """$14.3 billion in text, $14.3B when short (charts, numbers panel)."""
    for div, word, letter in ((1e9, "billion", "B"), (1e6, "million", "M")):
        if abs(amount) >= div:
            v = amount / div
            num = f"{v:,.2f}".rstrip("0").rstrip(".") if v < 10 and round(v, 1) != v else _trim(round(v, 1))
            return f"${num}{letter}" if short else f"${num} {word}"
    return f"${amount:,.0f}"


def percent(value: float) -> str:
    return f"{value:g}%" if value == round(value, 2) else f"{value:.1f}%"


def number(value: float, unit: str, short: bool = False) -> str:
    """Format a value (already multiplied out by its scale) in its unit."""
    if unit == "USD":
        return money(value, short)
    if unit == "percent":
        return percent(value)
    if unit == "multiple":
        return f"{value:g}x"
    if unit == "year":
        return f"{value:.0f}"
    if unit in ("years", "months", "weeks"):
        word = unit if value != 1 else unit[:-1]
        return f"{value:g} {word}"
    if unit == "rank":
        n = int(value)
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    if unit == "count":
        return f"{value:,g}"
    return f"{value:,g} {unit}"  # a unit the formatter does not know: number and unit, "4 TB"


def signed_percent(value: float) -> str:
    """A difference in percent, signed, to one decimal or as many as the value carries (+10.03%): a difference that
    fails a tolerance never prints equal to it."""
    text = f"{value:+.4f}".rstrip("0")
    return (text + "0" if text.endswith(".") else text) + "%"


def tolerance(fraction: float) -> str:
    """A relative tolerance as a reader reads it: 0.1 -> ±10%, 0.025 -> ±2.5%."""
    return f"±{round(fraction * 100, 4):g}%"


_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_VERBS = {2: "doubled", 3: "tripled", 4: "quadrupled"}


def number_word(n: int) -> str:
    """Newsroom style for a whole number in running text: below ten in words ('five'; 0 is 'no'), 10 and up in figures."""
    return _WORDS[n] if 0 <= n < 10 else f"{n:,}"


def prose(value: float, unit: str) -> str:
    """A value as a sentence says it: small counts and durations in words ('five', 'two weeks'), a whole multiple as a
    factor ('threefold'); anything else as number() writes it. Charts and tables keep number()'s data units ('3x', '2 weeks')."""
    small = value == int(value) and 0 < value < 10
    if small and unit == "count":
        return number_word(int(value))
    if small and unit in ("years", "months", "weeks"):
        return f"{number_word(int(value))} {unit if value != 1 else unit[:-1]}"
    if small and unit == "multiple" and value > 1:
        return f"{number_word(int(value))}fold"
    return number(value, unit)


def multiplied(value: float) -> str:
    """A multiple as the verb a sentence wants: 'doubled', 'tripled', 'quadrupled'; else 'grew fivefold', 'grew 2.5 times'."""
    if value in _VERBS:
        return _VERBS[int(value)]
    return f"grew {prose(value, 'multiple')}" if value == int(value) and value < 10 else f"grew {value:g} times"


def ratio(value: float) -> str:
    return f"{value:.2f}x"


def share(value: float) -> str:
    """A fraction as a percentage for prose: 0.2299 -> 23%."""
    return f"{value * 100:.0f}%"


def date_text(value: str | dt.date, precision: str = "day", until: str | dt.date | None = None) -> str:
    """June 12, 2025 (day); between June 12 and 18, 2025 (week: the first and last possible days; June 12 or 13, 2025 for
    two days); June 2025 (month); 2025 (year).

    A week-precision date is the first possible day of a window, not a calendar week: it is printed as
    the window, from `date` to `until` (its last possible day; seven days if not given).
    """
    d = dt.date.fromisoformat(value) if isinstance(value, str) else value
    if precision == "year":
        return f"{d.year}"
    if precision == "month":
        return f"{_MONTHS[d.month - 1]} {d.year}"
    day = f"{_MONTHS[d.month - 1]} {d.day}, {d.year}"
    if precision != "week":
        return day
    end = (dt.date.fromisoformat(until) if isinstance(until, str) else until) if until else d + dt.timedelta(days=6)
    if end <= d:
        return day
    if end == d + dt.timedelta(days=1):  # two days: either one ('hours after' a day's announcement)
        nxt = f"{end.day}" if end.month == d.month else f"{_MONTHS[end.month - 1]} {end.day}"
        return f"{_MONTHS[d.month - 1]} {d.day} or {nxt}, {end.year}" if end.year == d.year else f"{day} or {_MONTHS[end.month - 1]} {end.day}, {end.year}"
    if end.year != d.year:
        return f"between {day} and {_MONTHS[end.month - 1]} {end.day}, {end.year}"
    start = f"{_MONTHS[d.month - 1]} {d.day}"
    stop = f"{end.day}" if end.month == d.month else f"{_MONTHS[end.month - 1]} {end.day}"
    return f"between {start} and {stop}, {d.year}"


def event_date_text(row) -> str:
    """An event's date in words, from its date, date_precision and (optional) date_until."""
    return date_text(row["date"], row["date_precision"], (row.get("date_until") if hasattr(row, "get") else None) or None)


def weekday(value: str | dt.date) -> str:
    d = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return d.strftime("%A")


def short_date(value: str | dt.date) -> str:
    d = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{_MONTHS[d.month - 1][:3]} {d.day}"


def period_text(period: str) -> str:
    """A figure's period in words: '2024', 'September 2025', 'May 6, 2026'; '' when none."""
    if not period:
        return ""
    parts = period.split("-")
    if len(parts) == 1:
        return period
    if len(parts) == 2:
        return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return date_text(period)


def on(when: str) -> str:
    """A date in words as it follows a verb: 'on June 18, 2025', 'in October 2025', 'in 2025', 'between June 12 and 15, 2025'."""
    if not when or when.startswith("between"):
        return when
    return f"on {when}" if "," in when else f"in {when}"
