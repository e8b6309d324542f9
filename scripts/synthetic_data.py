#!/usr/bin/env python3
"""Write a large, valid, synthetic data package for scale tests and benchmarks.

    python scripts/synthetic_data.py OUT_DIR [--events 10000] [--figures 2000] [--relationships 300]
                                             [--parties 100] [--metrics 50] [--seed 1]

The package is the real one (datapackage.json and sources.csv copied from data/, and the real
events, figures and relationships kept, so every sentence of the notebooks still resolves)
padded with generated rows up to the requested counts: events spread over 2025, figures over
about 50 metrics (the real metric keys included, mostly repeating their real values so the
charts and checks still have inputs), relationships over about 100 parties. Every value obeys
the schema and every source id exists, so `python -m briefing validate --data OUT_DIR` passes.
The quotes are invented: they are not in the source texts (verify-quotes is not meant to pass).

The same arguments give the same bytes (one seeded random.Random, no set iteration order).
Standard library only. The output is not committed: write it to a temp dir or under build/.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "data"

START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)

# Parts of invented company names: adjective x noun gives plenty of distinct parties.
_ADJ = ["Acme", "Blue", "Bright", "Cedar", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Iris", "Juniper", "Kestrel",
        "Lumen", "Maple", "Nimbus", "Onyx", "Pioneer", "Quartz", "Raven", "Summit", "Tidal", "Umber", "Vector", "Willow",
        "Xenon", "Yarrow", "Zephyr"]
_NOUN = ["Labs", "AI", "Data", "Robotics", "Systems", "Analytics", "Dynamics", "Networks", "Cloud", "Vision"]

_VERBS = ["signed a contract with", "paused work with", "announced a partnership with", "hired engineers from",
          "said it would review its work with", "expanded its data-labelling order with", "reported talks with",
          "denied a report about", "issued a statement on", "raised money from"]

# Statuses that fit each role (all values of the schema's enum).
_STATUSES = {
    "client": ["staying", "continuing as one of several vendors", "winding down", "plans to cut ties", "considering", "paused"],
    "competitor": ["gaining demand"],
    "new provider": ["gaining demand"],
    "investor": ["investing", "staying"],
}
_ROLES = ["client"] * 10 + ["competitor"] * 5 + ["new provider"] * 2 + ["investor"] * 3

# Units for invented metrics, with the scales that make sense for each.
_UNITS = [("USD", ["million", "billion"]), ("percent", ["one"]), ("count", ["one", "thousand"]), ("multiple", ["one"]),
          ("months", ["one"]), ("years", ["one"]), ("score", ["one"])]
_QUALIFIERS = ["about", "at least", "over", "nearly", "up to", "as high as", "roughly"]


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


# which way each usual status points (relationships.direction)
_DIRECTION = {"staying": "neutral", "continuing as one of several vendors": "neutral", "winding down": "away", "plans to cut ties": "away",
              "considering": "away", "paused": "away", "gaining demand": "neutral", "investing": "toward"}


def schema_enums(package: dict) -> dict[tuple[str, str], list[str]]:
    """(resource, field) -> allowed (or usual) values, read from the schema so the generator follows it."""
    out = {}
    for res in package["resources"]:
        for f in res["schema"]["fields"]:
            enum = f.get("constraints", {}).get("enum") or f.get("x-suggestions")  # closed values, or an open field's usual ones
            if enum:
                out[(res["name"], f["name"])] = list(enum)
    return out


def party_names(n: int) -> list[str]:
    names = [f"{a} {b}" for b in _NOUN for a in _ADJ]
    if n > len(names):
        names += [f"Synthetic Party {i:04d}" for i in range(n - len(names))]
    return names[:n]


def random_date(rng: random.Random, precision: str) -> dt.date:
    day = START + dt.timedelta(days=rng.randrange((END - START).days + 1))
    if precision == "week":
        day -= dt.timedelta(days=day.weekday())  # the week's first possible day (a Monday)
        day = max(day, START)
    elif precision == "month":
        day = day.replace(day=1)
    elif precision == "year":
        day = day.replace(month=1, day=1)
    return day


def source_list(rng: random.Random, source_ids: list[str]) -> str:
    k = rng.choices([1, 2, 3], weights=[70, 22, 8])[0]
    return ";".join(rng.sample(source_ids, k))


def make_events(rng, n, real, source_ids, parties, enums) -> list[dict[str, str]]:
    rows = list(real[:n])
    types, statuses = enums[("events", "event_type")], enums[("events", "status")]
    precisions = enums[("events", "date_precision")]
    weights = {"day": 70, "week": 20, "month": 7, "year": 3}
    for i in range(len(rows), n):
        precision = rng.choices(precisions, weights=[weights.get(p, 1) for p in precisions])[0]
        actor, counterparty = rng.sample(parties, 2)
        verb = rng.choice(_VERBS)
        rows.append({
            "event_id": f"ev-syn-{i:05d}",
            "date": random_date(rng, precision).isoformat(),
            "date_precision": precision,
            "date_note": "synthetic date, known only to the " + precision if precision != "day" else "",
            "actor": actor,
            "counterparty": counterparty if rng.random() < 0.8 else "",
            "event_type": rng.choice(types),
            "description": f"{actor} {verb} {counterparty} (synthetic event {i}).",
            "status": rng.choices(statuses, weights=[25, 25, 45, 5])[0] if len(statuses) == 4 else rng.choice(statuses),
            "source_ids": source_list(rng, source_ids),
            "quote": f"{actor} {verb} {counterparty}, the synthetic report {i} said",
        })
        if rows[-1]["status"] == "confirmed":  # confirmed names who said it (briefing/data/rules.py)
            rows[-1]["speaker"] = actor
    return rows


def _number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def make_figures(rng, n, n_metrics, real, source_ids, parties, enums) -> list[dict[str, str]]:
    rows = list(real[:n])
    by_metric: dict[str, list[dict[str, str]]] = {}
    for r in real:
        by_metric.setdefault(r["metric"], []).append(r)
    # Invented metrics up to n_metrics, each with one to four values sources give for it.
    templates: dict[str, list[dict[str, str]]] = dict(by_metric)
    units = dict(_UNITS)
    for j in range(max(0, n_metrics - len(by_metric))):
        entity = parties[j % len(parties)]
        unit, scales = _UNITS[j % len(_UNITS)]
        unit = unit if unit in enums[("figures", "unit")] else "count"
        scale = rng.choice(scales if unit in units else ["one"])
        metric = f"{entity.lower().replace(' ', '_')}_synthetic_{j:02d}_{unit.lower()}"
        base = round(rng.uniform(1, 70 if unit == "percent" else 95), 1)  # a share stays within 0 to 100 in every version
        versions = []
        for v in range(rng.choice([1, 1, 2, 2, 3, 4])):
            versions.append({"metric": metric, "entity": entity, "value": _number(base * (1 + 0.1 * v)), "unit": unit, "scale": scale,
                             "qualifier": rng.choice(_QUALIFIERS) if rng.random() < 0.2 else "",
                             "period": rng.choice(["", "2024", "2025"])})
        templates[metric] = versions
    metrics = list(templates)
    for i in range(len(rows), n):
        metric = metrics[i % len(metrics)]
        t = dict(rng.choice(templates[metric]))
        if metric in by_metric and rng.random() < 0.05:  # now and then a source disagrees with the others
            t["value"] = _number(float(t["value"]) * rng.choice([0.9, 1.1]))
        sid = rng.choice(source_ids)
        rows.append({
            "figure_id": f"fig-syn-{i:05d}",
            "metric": metric,
            "entity": t["entity"],
            "value": t["value"],
            "unit": t["unit"],
            "scale": t["scale"],
            "qualifier": t.get("qualifier", ""),
            "period": t.get("period", ""),
            "source_id": sid,
            "quote": f"{t['entity']} {metric.replace('_', ' ')} was {t['value']} (synthetic figure {i})",
            "note": "synthetic",
        })
    return rows


def make_relationships(rng, n, real, source_ids, parties, enums) -> list[dict[str, str]]:
    rows = list(real[:n])
    roles = {p: _ROLES[k % len(_ROLES)] for k, p in enumerate(parties)}
    evidence = enums[("relationships", "evidence")]
    allowed = set(_DIRECTION)
    i = len(rows)
    while i < n:
        party = rng.choice(parties)
        role = roles[party]
        status = rng.choice([s for s in _STATUSES[role] if s in allowed])
        day = dt.date(2025, 6, 12) + dt.timedelta(days=rng.randrange(60))
        rows.append({
            "relationship_id": f"rel-syn-{i:04d}",
            "party": party,
            "role": role,
            "status": status,
            "direction": _DIRECTION[status],
            "evidence": rng.choices(evidence, weights=[30, 55, 15])[0],
            "as_of": day.isoformat(),
            "as_of_note": "",
            "source_ids": source_list(rng, source_ids),
            "quote": f"{party} said it is {status} (synthetic relationship {i})",
        })
        if rows[-1]["evidence"] == "confirmed":  # confirmed names who said it (briefing/data/rules.py)
            rows[-1]["speaker"] = party
        i += 1
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out_dir")
    p.add_argument("--events", type=int, default=10_000)
    p.add_argument("--figures", type=int, default=2_000)
    p.add_argument("--relationships", type=int, default=300)
    p.add_argument("--parties", type=int, default=100)
    p.add_argument("--metrics", type=int, default=50)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data", default=str(REAL), help="the real data package to start from (default: data/)")
    args = p.parse_args(argv)

    real, out = Path(args.data), Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(real / "datapackage.json", out / "datapackage.json")
    for name in ("sources.csv", "statuses.csv", "checks.csv", "claims.csv", "topics.csv", "watch.csv"):
        shutil.copyfile(real / name, out / name)
    package = json.loads((real / "datapackage.json").read_text(encoding="utf-8"))
    enums = schema_enums(package)
    _, sources = read_csv(real / "sources.csv")
    source_ids = [s["source_id"] for s in sources]

    rng = random.Random(args.seed)
    real_parties = []
    for r in read_csv(real / "relationships.csv")[1]:
        if r["party"] not in real_parties:
            real_parties.append(r["party"])
    parties = [q for q in party_names(args.parties + len(real_parties)) if q not in real_parties][: max(args.parties - len(real_parties), 2)]

    ev_fields, ev_real = read_csv(real / "events.csv")
    fig_fields, fig_real = read_csv(real / "figures.csv")
    rel_fields, rel_real = read_csv(real / "relationships.csv")
    events = make_events(rng, args.events, ev_real, source_ids, parties + real_parties, enums)
    figures = make_figures(rng, args.figures, args.metrics, fig_real, source_ids, parties, enums)
    rels = make_relationships(rng, args.relationships, rel_real, source_ids, parties, enums)
    write_csv(out / "events.csv", ev_fields, events)
    write_csv(out / "figures.csv", fig_fields, figures)
    write_csv(out / "relationships.csv", rel_fields, rels)
    met_fields, met_real = read_csv(real / "metrics.csv")
    declared = {m["metric"] for m in met_real}
    invented = sorted({f["metric"] for f in figures} - declared)
    unit_of = {f["metric"]: f["unit"] for f in figures}  # one metric, one unit (metrics.csv unit)
    write_csv(out / "metrics.csv", met_fields, met_real + [{"metric": m, "label": m.replace("_", " ").capitalize() + " (synthetic)",
                                                           "description": "An invented metric of the synthetic set.", "unit": unit_of[m],
                                                           "lead": "", "key_figure": "yes"}
                                                          for m in invented])
    n_metrics = len({f["metric"] for f in figures})
    n_parties = len({r["party"] for r in rels})
    print(f"{out}: {len(events)} events, {len(figures)} figures over {n_metrics} metrics, "
          f"{len(rels)} relationships over {n_parties} parties, {len(sources)} sources (seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
