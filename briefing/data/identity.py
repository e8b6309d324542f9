"""The story's identity: datapackage.json's "x-story" object. Who the story is about (the subject, its short name, the
backer: the party whose deal the story is), the deal's metric keys, the metrics the money-at-stake chart sets side by side, the role vocabulary (which
relationships.csv roles are clients, rivals and investors), the page's author, keywords and subjects, and the sentence
templates the package fills. The package names none of these itself (tests/test_story_words.py), so another story, or
this one when its centre moves, is new data, not new code.

Templates are input: only ``{name}`` fields from a fixed set per template (TEXTS), no attribute or index access, no
format spec; anything else is a validation error at load. Standard library only."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path

from . import jsonfile
from .problems import DataError, Problem, display_path

KEY = "x-story"
NAMES = ("subject", "short_name", "backer")  # strings; every template may use them
DEAL = ("investment", "stake", "valuation_before", "valuation_after")  # deal -> metric key (metrics.csv)
ROLE_KINDS = ("clients", "rivals", "investors")  # roles -> {"values": [relationships.csv roles], "heading": ...}
PAGE = ("author", "keywords", "about")  # author a string, keywords and about lists of strings

# template -> the fields it may use besides NAMES (what the code that fills it passes)
TEXTS: dict[str, tuple[str, ...]] = {
    "headline_empty": (),  # no report at all yet
    "headline_no_deal": (),  # reports, but no investment and stake yet
    "headline_deal": ("investment", "stake"),
    "headline_pulling_away": (),  # after headline_deal and ". " when a client moves away
    "nothing_reported": (),  # the dek of an edition before any report
    "nothing_reported_by": ("as_of",),  # the notice atop each notebook of such an edition
    "no_client_moving": (),  # the dek when no client has moved away
    "clients_pulling_away": (),  # By the numbers: what the count of clients moving away counts
    "clients_stand": (),  # the clients' heading while none has moved
    "moving_away": (),  # the clients chart's group heads (and, lower-cased, its title's target)
    "moving_toward": (),
    "moving_with": ("direction",),  # the title's target for any other direction
    "clients_none": (),  # the clients chart's title when none moved
    "rivals_none": ("count",),  # the rivals chart's title when none reported a gain
    "valuation_doubled": (),  # the valuation chart's titles, by what the data holds
    "valuation_times": ("ratio",),
    "valuation_after": ("valuation",),
    "valuation_only": (),
    "investment_bar": (),  # the investment's bar and its words in the valuation chart
    "new_money": (),
    "description": ("events", "figures", "sources"),  # the page's description (metadata)
    "statements_title": (),  # the appendix part with the subject's statements in full
}


@dataclass(frozen=True)
class Story:
    """x-story, validated: read names from here, never type them."""

    subject: str
    short_name: str
    backer: str  # the party whose investment the deal is
    deal: dict[str, str]
    money_at_stake: tuple[str, ...]  # the first is what the rest are set against
    roles: dict[str, tuple[str, ...]]
    role_headings: dict[str, str]
    author: str
    keywords: tuple[str, ...]
    about: tuple[str, ...]
    texts: dict[str, str]

    def text(self, name: str, **values) -> str:
        """The template `name` filled with the story's names and `values` (only the fields TEXTS allows it)."""
        fields = {"subject": self.subject, "short_name": self.short_name, "backer": self.backer, **values}
        return "".join(lit + (str(fields[f]) if f is not None else "") for lit, f, _, _ in string.Formatter().parse(self.texts[name]))


def _template_problem(template: str, allowed: tuple[str, ...]) -> str | None:
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        return f"not a template ({exc}); write a literal brace as {{{{ or }}}}"
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in allowed:
            return f"unknown field {{{field}}} (allowed: {', '.join('{' + a + '}' for a in allowed)})"
        if spec or conversion:
            return f"{{{field}}} takes no conversion or format spec"
    return None


def _line(text: str, path: list[str], value: str | None = None) -> int:
    """The line in the file's text of the last key of path (x-story's keys, outermost first), or of the string value
    under it; the line of the innermost key found when the rest is not there (a missing key: its object's line)."""
    found = text.find(f'"{KEY}"')
    if found < 0:
        return 1
    for key in path:
        m = re.compile(rf'"{re.escape(key)}"\s*:').search(text, found)
        if not m:
            break
        found = m.start()
    if value is not None and text.find(f'"{value}"', found) >= 0:
        found = text.find(f'"{value}"', found)
    return text.count("\n", 0, found) + 1


def _strings(value, nonempty: bool = True) -> bool:
    return isinstance(value, list) and (bool(value) or not nonempty) and all(isinstance(v, str) and v.strip() for v in value)


def problems(package, text: str, display: str) -> list[Problem]:
    """Every problem with x-story, one line each: a missing or mistyped key, an unknown template or template field."""
    def bad(path: list[str], msg: str) -> None:
        out.append(Problem(display, _line(text, path), ".".join([KEY, *path]), msg))

    out: list[Problem] = []
    story = package.get(KEY) if isinstance(package, dict) else None
    if not isinstance(story, dict):
        return [Problem(display, 1, KEY, "is missing: the story's identity (subject, backer, deal metrics, roles, page, texts; see README)")]
    for key in NAMES + ("author",):
        where = story if key in NAMES else story.get("page") if isinstance(story.get("page"), dict) else {}
        path = [key] if key in NAMES else ["page", key]
        if not isinstance(where.get(key), str) or not where.get(key).strip():
            bad(path, "is missing (a non-empty string)" if key not in where else "must be a non-empty string")
    for group, keys in (("deal", DEAL), ("roles", ROLE_KINDS), ("page", PAGE), ("texts", tuple(TEXTS))):
        value = story.get(group)
        if not isinstance(value, dict):
            bad([group], f"is missing (an object with {', '.join(keys)})")
            continue
        for key in keys:
            if key not in value:
                bad([group, key], "is missing")
        for key in value:
            if key not in keys:
                bad([group, key], f"unknown key (allowed: {', '.join(keys)})")
    deal = story.get("deal") if isinstance(story.get("deal"), dict) else {}
    for key in DEAL:
        if key in deal and not (isinstance(deal[key], str) and deal[key].strip()):
            bad(["deal", key], "must be a metric key (metrics.csv)")
    if not _strings(story.get("money_at_stake")):
        bad(["money_at_stake"], "must be a non-empty list of metric keys (metrics.csv), the one the rest are set against first")
    for kind, role in (story.get("roles") or {}).items() if isinstance(story.get("roles"), dict) else ():
        if kind in ROLE_KINDS and not (isinstance(role, dict) and _strings(role.get("values")) and isinstance(role.get("heading"), str)):
            bad(["roles", kind], 'must be {"values": [roles in relationships.csv], "heading": "..."}')
    page = story.get("page") if isinstance(story.get("page"), dict) else {}
    for key in ("keywords", "about"):
        if key in page and not _strings(page[key]):
            bad(["page", key], "must be a non-empty list of strings")
    texts = story.get("texts") if isinstance(story.get("texts"), dict) else {}
    for name, template in texts.items():
        if name not in TEXTS:
            continue
        msg = "must be a string" if not isinstance(template, str) else _template_problem(template, NAMES + TEXTS[name])
        if msg:
            bad(["texts", name], msg)
    return out


def metric_problems(spath: Path, metrics) -> list[Problem]:
    """x-story's metric keys (the deal's, the money at stake) that metrics.csv (a Table, or None) does not declare."""
    text = Path(spath).read_text(encoding="utf-8")
    package = jsonfile.loads(text)
    if metrics is None or problems(package, text, ""):
        return []
    declared = {row["metric"] for row in metrics.rows}
    s, out = package[KEY], []
    for path, key in [(["deal", k], s["deal"][k]) for k in DEAL] + [(["money_at_stake"], k) for k in s["money_at_stake"]]:
        if key not in declared:
            out.append(Problem(display_path(Path(spath)), _line(text, path, key), ".".join([KEY, *path]),
                               f"unknown metric '{key}' (not in {metrics.resource.path})"))
    return out


def from_package(package: dict) -> Story:
    """The Story of a package whose x-story has no problems()."""
    s = package[KEY]
    roles = s["roles"]
    return Story(subject=s["subject"], short_name=s["short_name"], backer=s["backer"], deal=dict(s["deal"]),
                 money_at_stake=tuple(s["money_at_stake"]), roles={k: tuple(roles[k]["values"]) for k in ROLE_KINDS},
                 role_headings={k: roles[k]["heading"] for k in ROLE_KINDS}, author=s["page"]["author"],
                 keywords=tuple(s["page"]["keywords"]), about=tuple(s["page"]["about"]), texts=dict(s["texts"]))


def check(spath: Path) -> list[Problem]:
    """x-story's problems in the datapackage.json at spath (the file is readable JSON: sanity.schema_problems ran first)."""
    text = Path(spath).read_text(encoding="utf-8")
    return problems(jsonfile.loads(text), text, display_path(Path(spath)))


def read(spath: Path) -> Story:
    """The story declared in the datapackage.json at spath, or DataError listing every problem with it."""
    found = check(spath)
    if found:
        raise DataError(found)
    return from_package(jsonfile.read(spath))
