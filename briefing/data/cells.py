"""Reading one cell: a date, a period or a number, each with the reason when it is not one. Standard library only.

Digits are ASCII 0-9 only, as Table Schema reads them: Python's \\d, int() and float() also take
Arabic-Indic (\u0663) and full-width (\uff13) digits, which would pass for numbers here and be
refused by every other tool.
"""

from __future__ import annotations

import datetime as dt
import math
import re


def parse_date(text: str) -> tuple[dt.date | None, str | None]:
    """Return (date, None) or (None, reason) for a YYYY-MM-DD string."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return None, f"'{text}' is not a date (expected YYYY-MM-DD)"
    try:
        return dt.date.fromisoformat(text), None
    except ValueError:
        return None, f"'{text}' is not a real date (no such day; expected YYYY-MM-DD)"


def parse_period(text: str) -> tuple[tuple[dt.date, str] | None, str | None]:
    """Return ((first day, precision), None) or (None, reason) for YYYY, YYYY-MM or YYYY-MM-DD."""
    m = re.fullmatch(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?", text)
    if not m:
        return None, f"'{text}' is not a period (expected YYYY, YYYY-MM or YYYY-MM-DD)"
    year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    try:
        first = dt.date(year, month, day)
    except ValueError:
        return None, f"'{text}' is not a real {'date' if m[3] else 'month'} (expected YYYY, YYYY-MM or YYYY-MM-DD)"
    return (first, "day" if m[3] else "month" if m[2] else "year"), None


def parse_number(text: str) -> tuple[float | None, str | None]:
    """Return (number, None) or (None, reason); plain decimals only."""
    if not text.isascii():
        return None, f"'{text}' is not a number (write it with the digits 0-9: other scripts' digits are not read as numbers)"
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+", text):
        return None, f"'{text}' is not a number (no thousands separators: write {text.replace(',', '')}, or use a dot if the comma marks decimals)"
    if re.fullmatch(r"-?\d+,\d+", text):
        return None, f"'{text}' is not a number (use a dot for decimals, e.g. {text.replace(',', '.')})"
    if re.search(r"[$€£%]|\d\s*[kKmMbB]n?$|billion|million", text):
        return None, f"'{text}' is not a plain number (write the number only, e.g. 14.3, with unit and scale in their own columns)"
    if not re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", text):
        if text.lower().strip("+-") in {"inf", "infinity", "nan"}:
            return None, f"'{text}' is not a finite number"
        return None, f"'{text}' is not a number"
    value = float(text)
    if not math.isfinite(value):
        return None, f"'{text}' is not a finite number"
    return value, None
