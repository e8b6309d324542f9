"""The shape of a data package, by version, and the one place an older package is upgraded to the current shape.

datapackage.json says which shape it is written to in the custom property "x-briefing-schema" (the Data Package's own
"version" is the data's): CURRENT for data/, an older number for an older curation (tests/fixtures/later_news is 1),
1 when absent (every package written before versions were declared). A package is validated as it declares itself
(rules.py holds an older package to the rules its schema could express); then upgrade() gives it the current shape:
each resource a later version added is an empty table with that version's columns, and each column a later version
added to a resource is an empty column. Nothing downstream asks whether a table or a column exists. A package that
declares the current version lists every resource and column below (else: a problem, naming the version to declare).
Standard library only.
"""

from __future__ import annotations

from dataclasses import replace

from .problems import Table
from .schema import Field, Resource

KEY = "x-briefing-schema"
CURRENT = 2

# What each version added: resource -> its columns added in that version (a resource new in it: all its columns).
ADDED: dict[int, dict[str, tuple[str, ...]]] = {
    2: {
        "statuses": ("supersedes",),
        "checks": ("anchor", "defines"),
        "events": ("date_until", "speaker", "version_of", "minor"),
        "relationships": ("as_of_basis", "speaker", "event_id"),
        "claims": ("claim_id", "topic", "party", "claim", "evidence", "as_of", "as_of_basis", "as_of_note", "source_ids", "quote",
                   "speaker", "note"),
        "topics": ("topic", "changes", "question", "note"),
        "watch": ("watch_id", "question", "premises"),
    },
}
NEW_RESOURCES = {2: ("claims", "topics", "watch")}


def version(package) -> int:
    """The shape the package declares (1 when it declares none); version_problem() has checked it."""
    value = package.get(KEY, 1) if isinstance(package, dict) else 1
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= CURRENT else CURRENT


def version_problem(package) -> str | None:
    """What is wrong with the declared version, or with a current-version package that lacks part of the current shape."""
    if not isinstance(package, dict):
        return None
    value = package.get(KEY, 1)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= CURRENT:
        return f"must be a whole number from 1 to {CURRENT} (the shape of the package this project reads), not {str(value)[:40]}"
    if value == 1:
        return None
    resources = package.get("resources")
    declared = {r.get("name"): {f.get("name") for f in r.get("schema", {}).get("fields", ()) if isinstance(f, dict)}
                for r in resources if isinstance(r, dict) and isinstance(r.get("schema"), dict)} if isinstance(resources, list) else {}
    missing = [f"{name}.{col}" if name in declared else name for v in range(2, value + 1) for name, cols in ADDED[v].items()
               for col in (cols if name in declared else cols[:1]) if name not in declared or col not in declared[name]]
    if missing:
        return (f"a version-{value} package lists {', '.join(missing[:6])}{' …' if len(missing) > 6 else ''}; add them, or declare the "
                f"version it is written to (an older package is upgraded at load)")
    return None


def upgrade(tables: dict[str, Table], declared: int) -> dict[str, Table]:
    """The validated tables of a package written to version `declared`, in the current shape (see the module's doc)."""
    tables = dict(tables)
    folder = next((t.path.parent for t in tables.values()), None)
    for v in range(declared + 1, CURRENT + 1):
        for name, cols in ADDED[v].items():
            table = tables.get(name)
            if table is None:
                if folder is not None and name in NEW_RESOURCES[v]:
                    res = Resource(name, f"{name}.csv", "", tuple(Field(c, "string", "") for c in cols), cols[0])
                    tables[name] = Table(res, folder / res.path, [], [])
                continue
            new = [c for c in cols if c not in table.resource.field_names]
            if new:
                res = replace(table.resource, fields=table.resource.fields + tuple(Field(c, "string", "") for c in new))
                tables[name] = replace(table, resource=res, rows=[{**row, **dict.fromkeys(new, "")} for row in table.rows])
    return tables


__all__ = ["CURRENT", "KEY", "upgrade", "version", "version_problem"]
