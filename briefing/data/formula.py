"""The grammar of a check's formula (checks.csv `formula`), in one place: validation and evaluation both parse with it.

    formula := term (("+" | "-") term)*
    term    := factor (("*" | "/") factor)*
    factor  := ("+" | "-") factor | number | input | "(" formula ")"
    input   := metric ["@" pin]        metric: a key of metrics.csv (lowercase letters, digits, underscores)
    pin     := YYYY | YYYY-MM | YYYY-MM-DD | same

An input without a pin takes the metric's current value (its latest period's). ``metric@2025-07`` takes the
metric's value for that period; ``metric@same`` its value for the period of the formula's first input without a pin
(so ``staff_cut_count / scale_headcount@same`` divides July's cuts by July's headcount). A pin runs to the next space,
bracket or operator other than '-': ``a@2025-07-b`` is a bad period, not a subtraction (write ``a@2025-07 - b``).

Nothing else is accepted (no powers, calls, names of anything but metrics), and a formula is bounded (MAX_CHARS
characters, MAX_TOKENS tokens, MAX_DEPTH nested brackets), so a 5,000-term formula is a one-line error, never a
RecursionError. Standard library only.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from .cells import parse_period

SAME = "same"
MAX_CHARS = 500
MAX_TOKENS = 100
MAX_DEPTH = 12
HELP = "use metric keys, numbers, + - * / and brackets; metric@YYYY-MM or metric@same pins a period"

_TOKEN = re.compile(r"\s*(?:(?P<number>\d+(?:\.\d+)?|\.\d+)|(?P<name>[a-z][a-z0-9_]*)(?:\s*@\s*(?P<pin>[A-Za-z0-9_-]*))?"
                    r"|(?P<op>[-+*/()]))")
_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


DEFAULT_TOLERANCE = 0.02  # a check's relative tolerance when checks.csv leaves it empty


def as_number(amount: float, unit: str) -> float:
    """A figure's amount as a formula reads it: a percent as a fraction (49% = 0.49)."""
    return amount / 100 if unit == "percent" else amount


class FormulaError(ValueError):
    """What is wrong with a formula, in one line a curator can act on."""


@dataclass(frozen=True)
class Input:
    """One input of a formula: a metric, and the period it is pinned to ('' for its current value, or SAME)."""

    metric: str
    pin: str = ""

    @property
    def key(self) -> str:
        """How the formula writes it, and the key of its value in evaluate(): 'scale_headcount@2025-07'."""
        return f"{self.metric}@{self.pin}" if self.pin else self.metric


@dataclass(frozen=True)
class Formula:
    text: str
    inputs: tuple[Input, ...]  # in order of first appearance, each once
    tree: tuple

    @property
    def names(self) -> list[str]:
        """The metrics the formula reads, sorted, each once."""
        return sorted({i.metric for i in self.inputs})

    @property
    def reference(self) -> Input | None:
        """The input whose period '@same' means: the first without a pin."""
        return next((i for i in self.inputs if not i.pin), None)

    def evaluate(self, values: Mapping[str, float]) -> float:
        """The result, with each input's value looked up by its key (Input.key). ZeroDivisionError as Python's."""

        def walk(node):
            kind = node[0]
            if kind == "num":
                return node[1]
            if kind == "in":
                return values[node[1].key]
            if kind == "neg":
                return -walk(node[1])
            return _OPS[kind](walk(node[1]), walk(node[2]))

        return walk(self.tree)


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:60] + "\u2026"


def _tokens(text: str) -> list[tuple[str, object, int, str]]:
    """(kind, value, position, as written): kind is 'num', 'in' (an Input) or the operator or bracket itself."""
    out, pos = [], 0
    while pos < len(text):
        if not text[pos:].strip():
            break
        m = _TOKEN.match(text, pos)
        if not m:
            bad = text[pos:].lstrip()[:1]
            raise FormulaError(f"'{_short(text)}' is not arithmetic: '{bad}' at character {len(text) - len(text[pos:].lstrip()) + 1} ({HELP})")
        start, raw = len(text) - len(text[pos:].lstrip()), m.group().strip()
        if m["number"] is not None:
            out.append(("num", float(m["number"]), start, raw))
        elif m["name"] is not None:
            pin = m["pin"]
            if pin is not None:
                if pin == "":
                    raise FormulaError(f"'{_short(text)}': '{m['name']}@' names no period (write YYYY, YYYY-MM, YYYY-MM-DD or same)")
                if pin != SAME and parse_period(pin)[1]:
                    raise FormulaError(f"'{_short(text)}': the pin '{pin}' of {m['name']} is not a period (write YYYY, YYYY-MM, YYYY-MM-DD or same)")
            out.append(("in", Input(m["name"], pin or ""), start, raw))
        else:
            out.append((m["op"], None, start, raw))
        pos = m.end()
        if len(out) > MAX_TOKENS:
            raise FormulaError(f"'{_short(text)}' is too long (more than {MAX_TOKENS} numbers, metrics and signs; split it into checks)")
    return out


@lru_cache(maxsize=512)
def parse(text: str) -> Formula:
    """The formula parsed once; FormulaError (a ValueError) with a one-line reason if it is not one."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("the formula is empty")
    if len(text) > MAX_CHARS:
        raise FormulaError(f"'{_short(text)}' is {len(text):,} characters long (at most {MAX_CHARS}; split it into checks)")
    toks = _tokens(text)
    pos = 0

    def fail(what: str) -> FormulaError:
        where = f"'{toks[pos][3]}' (character {toks[pos][2] + 1})" if pos < len(toks) else "the end"
        return FormulaError(f"'{_short(text)}' is not arithmetic: {what} at {where} ({HELP})")

    def expr(depth: int):
        nonlocal pos
        node = term(depth)
        while pos < len(toks) and toks[pos][0] in "+-":
            op = toks[pos][0]
            pos += 1
            node = (op, node, term(depth))
        return node

    def term(depth: int):
        nonlocal pos
        node = factor(depth)
        while pos < len(toks) and toks[pos][0] in ("*", "/"):
            op = toks[pos][0]
            pos += 1
            node = (op, node, factor(depth))
        return node

    def factor(depth: int):
        nonlocal pos
        if depth > MAX_DEPTH:
            raise FormulaError(f"'{_short(text)}' nests brackets or signs more than {MAX_DEPTH} deep")
        if pos >= len(toks):
            raise fail("a number or metric is missing")
        kind, value = toks[pos][:2]
        if kind in ("num", "in"):
            pos += 1
            return (kind, value)
        if kind in "+-":
            pos += 1
            inner = factor(depth + 1)
            return ("neg", inner) if kind == "-" else inner
        if kind == "(":
            pos += 1
            node = expr(depth + 1)
            if pos >= len(toks) or toks[pos][0] != ")":
                raise fail("a closing bracket is missing")
            pos += 1
            return node
        raise fail("a number or metric is missing")

    tree = expr(0)
    if pos < len(toks):
        raise fail("an operator is missing")
    inputs = tuple(dict.fromkeys(t[1] for t in toks if t[0] == "in"))
    if any(i.pin == SAME for i in inputs) and not any(not i.pin for i in inputs):
        raise FormulaError(f"'{_short(text)}': @same takes the period of an input without a pin, and every input has one")
    return Formula(text, inputs, tree)
