"""What changed since the last edition (BASE): exact, by row id, and in a reader's terms. The rule (also in the README):

1. **Rows, by id, in every table**: sources, events (with other sources' versions of them), figures, relationships,
   claims, and the dictionaries and editorial lists: metrics, statuses, checks, topics, watch. A row only in the new data is an **addition**, a row only
   in the old data a **removal**, a row in both whose cells differ a **correction** (each changed cell, old → new; a
   figure's value, scale, unit and qualifier read as one cell, "more than 1,000 employees"). A table or column that
   only one edition's schema has is not compared: a schema change is not an edit of every row.
2. **Reader-level lines** on top, each standing for the added or removed rows it names (so no row is listed twice):
   - *statuses*: the latest status of each party in each of its roles, per role (`Dataset.latest_status([role])`),
     old against new: a change ("Google: plans to cut ties → staying (confirmed, February 2, 2026)"), a new party or
     role, and "no longer in the data" only when none of the party's rows is left in any role ("no longer listed as
     investor" when only a role went);
   - *figures*: each metric's current value, "from → to" with its qualifiers: from the old edition's current value,
     or, for a metric new in this edition, from its own previous value ("$100 million → $500 million"); a metric is
     "no longer in the data" only when none of its figures is left;
   - *events*: each new event with its date, newest first.
   Every other added row is a line of its table's group ("another account"), every edited row a line under
   corrections, every removed row a line under removals; the dictionaries' changes are their own small group.
3. **The summary** on the page (`summary`): see its docstring.
"""

from __future__ import annotations

import re

import pandas as pd

from ..data import fmt
from ..data.dataset import Dataset, split_ids
from ..data.schema import load_schema, schema_path
from .lead import newest_first

# table: (its key, the group its additions go to); the order is the order of the groups on the page
TABLES = {"relationships": ("relationship_id", "statuses"), "events": ("event_id", "events"), "figures": ("figure_id", "figures"),
          "claims": ("claim_id", "claims"), "sources": ("source_id", "sources"),
          "metrics": ("metric", "definitions"), "statuses": ("status", "definitions"), "checks": ("check_id", "definitions"),
          "topics": ("topic", "definitions"), "watch": ("watch_id", "definitions")}
GROUPS = {"statuses": "Statuses", "events": "Events", "figures": "Figures", "claims": "Claims", "sources": "Sources",
          "definitions": "Definitions", "corrections": "Corrections to earlier rows", "removals": "Removed rows"}
SINGULAR = {"statuses": "status", "events": "event", "figures": "figure", "claims": "claim", "sources": "source",
            "definitions": "definition", "corrections": "correction to earlier rows", "removals": "removed row"}
DICTIONARIES = ("metrics", "statuses", "checks", "topics", "watch")
IGNORE = {"line", "number", "amount", "source_list"}  # derived by load(), not cells of the CSV (figures' known_from too)
FIGURE_VALUE = ("value", "scale", "unit", "qualifier")  # one cell to a reader: "more than 1,000 employees"
COLUMN_NAMES = {"source_ids": "sources", "source_id": "source", "as_of": "date", "as_of_note": "date note", "as_of_basis": "date basis",
                "date_until": "last possible day"}
SUMMARY_COUNT = 5
SUMMARY_KINDS = ("statuses", "figures", "events")


def _table(d: Dataset, name: str) -> pd.DataFrame:
    df = {"events": d.all_events, "sources": d.sources}.get(name)
    df = getattr(d, name) if df is None else df
    return pd.DataFrame() if df is None else df.reset_index(drop=True)


def _declared(d: Dataset) -> dict[str, set[str]]:
    """The tables and columns the edition's own schema declares (what the CSVs hold, not what load() derives)."""
    try:
        return {name: set(r.field_names) for name, r in load_schema(schema_path(d.data_dir)).items()}
    except (OSError, ValueError):  # not reached for a loaded edition: load() read the same schema
        return {name: set(_table(d, name).columns) - IGNORE for name in TABLES}


def row_changes(old: Dataset, new: Dataset) -> dict[str, dict]:
    """Per table, by id: {"added": rows, "removed": rows, "edited": [(old row, new row, changed columns)]}."""
    out = {}
    was, now = _declared(old), _declared(new)
    for name, (key, _) in TABLES.items():
        if name not in was or name not in now:
            continue
        a, b = (_table(d, name).set_index(key, drop=False) for d in (old, new))
        cols = [c for c in b.columns if c in was[name] & now[name] and c in a.columns]
        edited = []
        for k in a.index.intersection(b.index, sort=False):
            ra, rb = a.loc[k], b.loc[k]
            changed = [c for c in cols if str(ra[c]) != str(rb[c])]
            if name == "figures" and set(changed) & set(FIGURE_VALUE):
                changed = ["value"] + [c for c in changed if c not in FIGURE_VALUE]
            if changed:
                edited.append((ra, rb, changed))
        out[name] = {"added": b.loc[b.index.difference(a.index, sort=False)], "removed": a.loc[a.index.difference(b.index, sort=False)], "edited": edited}
    return out


def compare(old: Dataset, new: Dataset) -> list[dict]:
    """What changed from the old edition's data to the new one, most important first (the rule: the module docstring).

    Each change: group (GROUPS), change (added, removed or corrected: what happened to the rows in `ids`), rank (within
    its group, heaviest first), date, text, ids (the rows, semicolon-separated), lead (a reader-level line: a status,
    figure or event change the summary may show), and for the summary's "counts once" rule, its sources, quotes and
    the events it rests on (`rests_on`: a status's event_id; an event's own id).
    """
    rows = row_changes(old, new)
    out: list[dict] = []
    used: set[tuple[str, str]] = set()  # (table, id) of added or removed rows a reader-level line stands for

    def add(group, change, rank, text, date="", ids=(), lead=False, sources=(), quotes=(), rests_on="", weight=0.0, table=""):
        out.append({"group": group, "change": change, "rank": rank, "date": date or "", "text": text, "ids": ";".join(ids), "lead": lead,
                    "sources": tuple(sources), "quotes": tuple(quotes), "rests_on": rests_on, "weight": weight})
        used.update((table, i) for i in ids)

    if "relationships" in rows:
        _statuses(old, new, rows["relationships"], add)
    if "figures" in rows:
        _figures(old, new, rows["figures"], add)
    if "events" in rows:
        for _, r in rows["events"]["added"].iterrows():
            if not r.get("version_of", ""):
                add("events", "added", 0, f"{fmt.event_date_text(r)}: {r['description']}", r["date"], [r["event_id"]], lead=True,
                    sources=r["source_list"], quotes=[r["quote"]], rests_on=r["event_id"], weight=bool(r.get("label", "")) + len(r["source_list"]) / 100,
                    table="events")
    for name, (key, group) in TABLES.items():
        if name not in rows:
            continue
        for _, r in rows[name]["added"].iterrows():
            if (name, r[key]) not in used:
                if name in DICTIONARIES:
                    text = f"New {_noun(name)}: {_name(new, name, r)}"
                elif name == "sources":
                    dated = f", {fmt.period_text(r['published'])}" if r.get("published", "") else ""  # as precise as the text: a day or a month
                    text = f"{r['source_id']}: {r['outlet'] or r['headline'] or r['document']}{dated}"
                else:
                    text = _name(new, name, r) if name == "claims" else f"Another account: {_name(new, name, r)}"
                add(group, "added", 3, text, _row_date(name, r), [r[key]], table=name)
        for ra, rb, cols in rows[name]["edited"]:
            said = "; ".join(_edit(c, _cell(old, name, ra, c), _cell(new, name, rb, c)) for c in cols)
            add("definitions" if name in DICTIONARIES else "corrections", "corrected", 0, f"{_name(new, name, rb)}: {said}", _row_date(name, rb), [rb[key]])
        for _, r in rows[name]["removed"].iterrows():
            if (name, r[key]) not in used:
                add("definitions" if name in DICTIONARIES else "removals", "removed", 1, f"{_noun(name).capitalize()} removed: {_name(old, name, r, cite=False)}",
                    _row_date(name, r), [r[key]], table=name)
    order = list(GROUPS)
    out.sort(key=lambda c: (order.index(c["group"]), c["rank"], newest_first(c["date"]), -c["weight"], c["text"]))
    return out


def _statuses(old: Dataset, new: Dataset, rows: dict, add) -> None:
    """Each party's latest status in each of its roles, old against new (the module docstring's rule)."""
    added, removed = set(rows["added"].index), set(rows["removed"].index)
    edited = {rb["relationship_id"] for _, rb, _ in rows["edited"]}
    before, after = _latest_per_role(old), _latest_per_role(new)
    roles = pd.concat([old.relationships, new.relationships]).groupby("party")["role"].nunique().to_dict()
    left = set(new.relationships["party"])
    for key in list(after) + [k for k in before if k not in after]:
        party, role = key
        name = f"{party} as {role}" if roles.get(party, 1) > 1 else party
        a, b = before.get(key), after.get(key)
        if b is None:  # nothing left for this role: a removal, and the party is gone only if no role is left
            gone = old.relationships[(old.relationships["party"] == party) & (old.relationships["role"] == role)]
            ids = [i for i in gone["relationship_id"] if i in removed]
            what = "no longer in the data" if party not in left else f"no longer listed as {role}"
            add("statuses", "removed" if ids else "corrected", 4, f"{name if party in left else party}: {what} (last: {_status(old, a, parens=False)})",
                a["as_of"], ids, lead=True, table="relationships")
            continue
        if a is not None and (a["status"], a["evidence"]) == (b["status"], b["evidence"]):
            continue
        driver = b if (b["relationship_id"] in added | edited or a is None) else a
        rid = driver["relationship_id"]
        change = "added" if rid in added else "removed" if rid in removed else "corrected"
        if a is None:
            rank, text = 2, f"{name}: {_status(new, b)}, new in this edition"
        elif a["status"] == b["status"]:
            rank, text = 1, f"{name}: {b['status']}, {a['evidence']} \u2192 {b['evidence']} ({new.status_date_text(b)})"
        else:
            rank, text = 0, f"{name}: {a['status']} \u2192 {_status(new, b)}"
        add("statuses", change, rank, text, b["as_of"], [rid], lead=True, sources=b["source_list"], quotes=[b["quote"]], rests_on=b.get("event_id", ""),
            weight=b["direction"] != "neutral", table="relationships")


def _latest_per_role(d: Dataset) -> dict[tuple[str, str], pd.Series]:
    """(party, role): the latest status in that role, each role on its own (a party with two roles has two)."""
    out = {}
    for role in dict.fromkeys(d.relationships["role"]):
        for _, r in d.latest_status([role]).iterrows():
            out[(r["party"], role)] = r
    return out


def _figures(old: Dataset, new: Dataset, rows: dict, add) -> None:
    """Each metric's current value, old against new, "from → to" with its qualifiers (the module docstring's rule)."""
    added, gone = rows["added"], rows["removed"]
    for metric in dict.fromkeys(new.figures["metric"]):
        f, g = old.fact(metric), new.fact(metric)
        mine = added[added["metric"] == metric]
        if f is None:
            ids, prev = list(mine["figure_id"]), g.previous
            text = f"{g.label}: {_value(prev)} \u2192 {_value(g)}" if prev else f"{g.label}: {_value(g)}"
            rank = 0 if prev else 1
            text += ", new in this edition"
        elif (f.amount, f.unit, f.period, f.qualifier) != (g.amount, g.unit, g.period, g.qualifier):
            ids = list(mine[(mine["amount"] == g.amount) & mine["source_id"].isin(g.source_ids)]["figure_id"])
            rank = 0
            if (f.amount, f.unit, f.qualifier) == (g.amount, g.unit, g.qualifier):
                text = f"{g.label}: {_value(g)}, unchanged from {f.period_text() or 'the last edition'}"
            else:
                text = f"{g.label}: {_value(f)} \u2192 {_value(g)}"
        else:
            continue
        change = "added"
        if not ids:  # the value moved because a row was edited, or because the row that gave the newer value went
            edited = [rb["figure_id"] for ra, rb, _ in rows["edited"] if metric in (ra["metric"], rb["metric"])]
            change, ids = ("corrected", edited) if edited else ("removed", list(gone[gone["metric"] == metric]["figure_id"]))
        given = new.figures[(new.figures["metric"] == metric) & new.figures["source_id"].isin(g.source_ids) & (new.figures["amount"] == g.amount)]
        date = g.period if len(g.period) == 10 else min(given["known_from"], default="")
        add("figures", change, rank, text, date, ids, lead=True, sources=g.source_ids, quotes=given["quote"], table="figures")
    for metric in dict.fromkeys(old.figures["metric"]):
        if metric not in set(new.figures["metric"]):
            add("figures", "removed", 4, f"{old.label(metric)}: no longer in the data (last: {_value(old.fact(metric))})", "",
                list(gone[gone["metric"] == metric]["figure_id"]), lead=True, table="figures")


def summary(changes: list[dict], count: int = SUMMARY_COUNT) -> list[dict]:
    """The few changes the story shows (the rest are in the appendix), by one rule: SUMMARY_COUNT reader-level lines,
    taken in turn from status changes, figure updates and new events (SUMMARY_KINDS, in that order), each kind's
    heaviest first (as `compare` orders them: a change of status before a new party, a changed value before a new
    metric, the newest first); a kind that runs out leaves its turns to the others. As in the "Latest" block, a
    development counts once: a line is skipped when one already chosen, of another kind, has the same date, a shared
    source, and the same words: one quotes the other, or the status rests on the event (the event of Google's statement
    and Google's status change; the ceiling's rise and the figure "$100 million → $500 million"). Corrections, removals of
    single rows, new sources and definitions are never in the summary."""
    queues = [[c for c in changes if c["group"] == k and c["lead"]] for k in SUMMARY_KINDS]
    chosen: list[dict] = []
    while len(chosen) < count and any(queues):
        for q in queues:
            while q:
                c = q.pop(0)
                if not any(_same_development(c, x) for x in chosen):
                    chosen.append(c)
                    break
            if len(chosen) == count:
                break
    return chosen


def _same_development(a: dict, b: dict) -> bool:
    if a["group"] == b["group"] or a["date"] != b["date"] or not set(a["sources"]) & set(b["sources"]):
        return False
    if a["rests_on"] and a["rests_on"] == b["rests_on"]:
        return True
    words = [[" ".join(q.lower().split()) for q in c["quotes"] if q] for c in (a, b)]
    return any(x in y or y in x for x in words[0] for y in words[1])


def _status(d: Dataset, r: pd.Series, parens: bool = True) -> str:
    return f"{r['status']} ({r['evidence']}, {d.status_date_text(r)})" if parens else f"{r['status']}, {r['evidence']}, {d.status_date_text(r)}"


def _value(v) -> str:
    """A value as the text gives it, its hedge kept ("more than 1,000 employees"), with its period."""
    return v.text() + (f" ({v.period_text()})" if v.period else "")


def _figure_text(r: pd.Series) -> str:
    qual = f"{r['qualifier']} " if r.get("qualifier", "") else ""
    return qual + fmt.number(float(r["value"]) * fmt.SCALE.get(r["scale"], 1.0), r["unit"])


def _cell(d: Dataset, table: str, r: pd.Series, col: str) -> str:
    if table == "figures" and col == "value":
        return _figure_text(r)
    value = _unplaced(str(r[col])) if table == "watch" else str(r[col])
    if col in ("source_ids", "source_id") or (table == "sources" and col == "source_id"):
        return ", ".join(split_ids(value))
    if col in ("period", "as_of") or re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return fmt.period_text(value) if value else value  # a day, a month or a year, as precise as the text
    return value


def _edit(col: str, was: str, now: str) -> str:
    """One changed cell, old → new: "evidence changed from ‘reported’ to ‘rumoured’"; an emptied or a filled cell says so."""
    col = COLUMN_NAMES.get(col, col.replace("_", " "))
    if not was:
        return f"{col} set to \u2018{now}\u2019"
    if not now:
        return f"{col} cleared (was \u2018{was}\u2019)"
    return f"{col} changed from \u2018{was}\u2019 to \u2018{now}\u2019"


def _unplaced(text: str) -> str:
    """An editorial text without its placeholders ({src:...}: the page fills them in with citations)."""
    return re.sub(r"\{[^}]*\}", "", text)


def _noun(table: str) -> str:
    return {"relationships": "status", "events": "event", "figures": "figure", "claims": "claim", "sources": "source",
            "metrics": "metric", "statuses": "status", "checks": "check", "topics": "topic", "watch": "watch item"}[table]


DATE_COLUMN = {"relationships": "as_of", "events": "date", "claims": "as_of", "sources": "known_from"}


def _row_date(table: str, r: pd.Series) -> str:
    return r[DATE_COLUMN[table]] if table in DATE_COLUMN else ""


def _name(d: Dataset, table: str, r: pd.Series, cite: bool = True) -> str:
    """How a row reads in a list of changes. A source id in it becomes its citation number on the page ('source [19]'),
    so the words never say 'source' themselves; a removed source has no number, and reads by its outlet and document."""
    if table == "figures":
        period = f" ({fmt.period_text(r['period'])})" if r["period"] else ""
        return f"{d.label(r['metric'])}: {_figure_text(r)}{period}, from {r['source_id']}" if cite else f"{d.label(r['metric'])}: {_figure_text(r)}{period}"
    if table == "relationships":
        return f"{r['party']}: {r['status']} ({r['evidence']}, {d.status_date_text(r)})"
    if table == "events":
        return f"{fmt.event_date_text(r)}: {r['description'].rstrip('.')}"
    if table == "claims":
        return f"{r['party']} on {r['topic']}: {r['claim'].rstrip('.')} ({r['evidence']}, {d.status_date_text(r)})"
    if table == "sources":
        said = r["outlet"] or r["headline"] or r["document"]
        return f"{r['source_id']} ({said})" if cite else f"{said} ({r['document']})" if said != r["document"] else said
    if table == "metrics":
        return r["label"]
    if table == "statuses":
        return f"{r['status']} (\u2018{r['phrase']}\u2019)"
    if table == "topics":
        return f"\u2018{r['topic']}\u2019"
    if table == "watch":
        return _unplaced(r["question"]).rstrip(".")
    return r["label"]

