"""Where sources disagree: on a figure's value or period, a party's status, an event's date, or a claim; and a reading of each in words."""

from __future__ import annotations

import pandas as pd

from ..data import fmt, rounding
from ..data.dataset import Dataset
from ..data.history import EVIDENCE_ORDER, event_window
from ..data.periods import period_key, place_figures
from .checks import qualified
from .outlets import reported_by


def figure_disagreements(d: Dataset) -> list[dict]:
    """Metrics whose sources give different values for the same period, or tie one value to different periods.

    Periods are placed by data.place_figures: different values for different periods are a series (a change over
    time), not a disagreement; a value for a period nested in another's (a day in its month) counts for the more
    precise one, the same value there at a lower precision, or another value for it.
    """
    out = []
    for metric, rows in d.figures.groupby("metric", sort=True):
        if d.metrics is not None and metric in d.metrics.index and d.metrics.loc[metric, "key_figure"] == "no":
            continue  # page furniture (metrics.csv key_figure = no) stays in the data, off the page
        rows = place_figures(rows)
        label, entity, unit = d.label(metric), rows.iloc[0]["entity"], rows.iloc[0]["unit"]
        series = {v.period: v for v in d.series(metric)}
        for period, grp in rows.groupby("slot", sort=False):
            cur = series[period]
            own = grp[grp["placed"] != "period"]
            counted = own[own["version"].notna()]
            if counted["version"].nunique() > 1:
                versions = []
                for amount, g in counted.groupby("version"):
                    exact, restated = g[g["amount"] == amount], g[g["amount"] != amount]
                    stated = [p for p in dict.fromkeys(exact["period"]) if p and p != period]
                    at_slot = (exact["placed"] != "nested").any()
                    versions.append({"value": qualified(amount, unit, exact), "amount": amount,
                                     "period": fmt.period_text(period) if at_slot or not stated else _or(fmt.period_text(p) for p in stated),
                                     "dated": bool((exact["period"] != "").any()), "precise": bool((exact["placed"] == "stated").any()),
                                     "source_ids": sorted(set(g["source_id"]), key=d.citation_number),
                                     "exact_ids": sorted(set(exact["source_id"]), key=d.citation_number),
                                     "quotes": list(dict.fromkeys(exact["quote"])), "majority": amount == cur.amount,
                                     "restated": _restatements(d, restated, unit)})
                versions.sort(key=lambda v: (not v["majority"], -len(v["source_ids"]), v["amount"]))
                out.append(_with_reporting(d, {"kind": "value", "metric": metric, "label": label, "entity": entity, "period": fmt.period_text(period),
                                               "n_sources": counted["source_id"].nunique(), "consensus": cur.text(), "unit": unit, "versions": versions,
                                               "roundings": _roundings(d, own, unit)}))
            # one value that sources tie to different periods: the majority's period, then each other reading
            for amount, dissent in grp[grp["placed"] == "period"].groupby("amount"):
                major = own[(own["amount"] == amount) & (own["placed"] != "undated")]
                parts = [(period, major)] + [(p, dissent[dissent["period"] == p]) for p in sorted(set(dissent["period"]), key=period_key)]
                versions = [{"value": qualified(amount, unit, x), "amount": amount, "period": fmt.period_text(p), "dated": True, "precise": True,
                             "source_ids": sorted(set(x["source_id"]), key=d.citation_number), "quotes": list(dict.fromkeys(x["quote"])),
                             "majority": False} for p, x in parts]
                versions.sort(key=lambda v: -len(v["source_ids"]))
                versions[0]["majority"] = len(versions[0]["source_ids"]) > len(versions[1]["source_ids"])
                out.append(_with_reporting(d, {"kind": "period", "metric": metric, "label": label, "entity": entity, "period": "",
                                               "n_sources": len({s for v in versions for s in v["source_ids"]}), "consensus": fmt.number(amount, unit),
                                               "unit": unit, "versions": versions}))
    return out


def _restatements(d: Dataset, rows: pd.DataFrame, unit: str) -> list[dict]:
    """The coarser values that restate a version (data.rounding), each as given, with its sources and quote."""
    return [{"value": qualified(a, unit, g), "source_ids": sorted(set(g["source_id"]), key=d.citation_number), "quote": g.iloc[0]["quote"]}
            for a, g in rows.groupby("amount")]


def _roundings(d: Dataset, own: pd.DataFrame, unit: str) -> list[dict]:
    """Values that are a rounding of several versions (14 beside 14.3 and 14.4): they support none of them alone."""
    amb = own[own["version"].isna()]
    out = []
    for a, g in amb.groupby("amount"):
        finest = g.sort_values("decimals", ascending=False).iloc[0] if "decimals" in g else g.iloc[0]
        of = sorted(v for v in set(own["version"].dropna()) if rounding.rounds_from(v, finest))
        out.append({"value": qualified(a, unit, g), "of": [fmt.number(v, unit) for v in of],
                    "source_ids": sorted(set(g["source_id"]), key=d.citation_number), "quote": g.iloc[0]["quote"]})
    return out


def _with_reporting(d: Dataset, dis: dict, key: str = "versions") -> dict:
    """Each version (or step) of a disagreement, and the whole, with who reported it as independent reports (reported_by)."""
    for v in dis[key]:
        v["reported_by"] = reported_by(d, v["source_ids"], v.get("quotes") or [v.get("quote", "")])
    dis["reported_by"] = reported_by(d, [s for v in dis[key] for s in v["source_ids"]])
    return dis


def _or(texts) -> str:
    return " or ".join(dict.fromkeys(texts))


def status_disagreements(d: Dataset) -> list[dict]:
    """Moments of a party's history whose accounts point different ways (data.history): two accounts of the same
    moment, neither superseding the other. A later status is the history moving on, never a disagreement; accounts of
    one moment that point the same way in other words ('considering pulling back', 'distancing itself') are one account.

    Each has the moment's accounts as `steps` (the lead first), one version per direction as `versions`, whether a later
    moment has `settled` it, and the party's status `now` (the current moment's lead).
    """
    out = []
    for h in d.status_histories():
        now = h.current.lead
        for i, m in enumerate(h.moments):
            if not m.disputed:
                continue
            steps = [{"status": r["status"], "direction": r["direction"], "evidence": r["evidence"], "as_of": r["as_of"], "when": r["when"],
                      "source_ids": r["source_list"], "quote": r["quote"], "undated": r.get("as_of_basis", "") == "undated"}
                     for _, r in m.rows.iterrows()]
            versions = []
            for direction in dict.fromkeys(st["direction"] for st in steps):
                group = [st for st in steps if st["direction"] == direction]
                versions.append({"direction": direction, "status": group[0]["status"], "evidence": group[0]["evidence"], "when": group[0]["when"],
                                 "statuses": list(dict.fromkeys(st["status"] for st in group)),
                                 "source_ids": list(dict.fromkeys(s for st in group for s in st["source_ids"]))})
            settled = i < len(h.moments) - 1
            out.append(_with_reporting(d, {"kind": "status", "party": h.key, "role": h.role, "when": m.when(), "steps": steps, "versions": versions,
                                           "settled": settled, "now": {"status": now["status"], "evidence": now["evidence"], "when": now["when"]} if settled else None}))
    return out


def event_disagreements(d: Dataset) -> list[dict]:
    """Events that sources tell in different versions (events.csv version_of): dates, weekdays, amounts, who said it."""
    ev = d.all_events
    if ev.empty:
        return []
    root = ev["version_of"].where(ev["version_of"] != "", ev["event_id"])
    out = []
    for key, g in ev.assign(_root=root).groupby("_root", sort=False):
        if len(g) < 2:
            continue
        versions = []
        for _, r in g.iterrows():
            when = fmt.event_date_text(r)
            if r["date_precision"] == "day":
                when += f" (a {fmt.weekday(r['date'])})"
            versions.append({"event_id": r["event_id"], "when": when, "date": r["date"], "description": r["description"],
                             "status": r["status"], "source_ids": r["source_list"], "quote": r["quote"], "main": r["version_of"] == ""})
        # lead with the version most sources give; ties: the main row
        versions.sort(key=lambda v: (-len(v["source_ids"]), not v["main"]))
        # the dates differ only if no day fits every version: a day inside another version's window (June 18 within
        # "between June 18 and 19") is the same date told less precisely, not a conflict
        windows = [event_window(r) for _, r in g.iterrows()]
        dates_differ = max(w[0] for w in windows) > min(w[1] for w in windows)
        out.append(_with_reporting(d, {"kind": "event", "event_id": key,
                                       "label": g[g["version_of"] == ""]["label"].iloc[0] if (g["version_of"] == "").any() else "",
                                       "differs": "date" if dates_differ else "account", "versions": versions,
                                       "n_sources": len({s for v in versions for s in v["source_ids"]})}))
    return out


def _claim_rank(v: dict) -> tuple:
    """How the briefing picks the version it leads with: surest evidence, then dated before undated, then most sources,
    then a date its text states before one worked out from the wording, then file order. Never the earliest date: on a
    topic like 'who first reported it', leading with the earliest dated row would make a claim no text makes."""
    return (EVIDENCE_ORDER.index(v["evidence"]), v["undated"], -len(v["source_ids"]), v["derived"], v["order"])


def claim_disagreements(d: Dataset) -> list[dict]:
    """Moments of a claims.csv topic's history (data.history) at which the texts give different claims: each version with
    its sources and quote, and the lead. A later claim on a topic whose answer can change is its newest word, not a
    version; topics.csv marks the topics whose answer cannot change (all their claims are one moment)."""
    out = []
    for h in d.claim_histories():
        for i, m in enumerate(h.moments):
            if not m.disputed:
                continue
            g = m.rows
            versions = []
            for claim, v in g.groupby("claim", sort=False):
                best = v.iloc[0]  # the moment's rows come surest first
                versions.append({"claim": claim, "party": best["party"], "evidence": best["evidence"], "as_of": best["as_of"], "when": best["when"],
                                 "undated": best.get("as_of_basis", "") == "undated", "derived": best.get("as_of_basis", "") == "derived",
                                 "speaker": best.get("speaker", ""),
                                 "source_ids": list(dict.fromkeys(s for lst in v["source_list"] for s in lst)), "quote": best["quote"],
                                 "note": best.get("note", ""), "order": int(v["line"].astype(int).min())})
            versions.sort(key=_claim_rank)
            out.append(_with_reporting(d, {"kind": "claim", "topic": h.key, "versions": versions, "lead": versions[0], "why": _claim_why(versions),
                                           "n_sources": len({s for v in versions for s in v["source_ids"]}), "settled": i < len(h.moments) - 1,
                                           "now": h.current.lead["claim"] if i < len(h.moments) - 1 else None}))
    return out


def _claim_why(versions: list[dict]) -> str:
    """Why the briefing leads with the first version, in words."""
    lead, second = versions[0], versions[1]
    reasons = []
    if EVIDENCE_ORDER.index(lead["evidence"]) < EVIDENCE_ORDER.index(second["evidence"]):
        reasons.append("it is on the record from the party itself" if lead["evidence"] == "confirmed"
                       else "it is attributed reporting, the others hedged or unattributed")
    if second["undated"] and not lead["undated"]:
        reasons.append("its source dates it" + (" (the others are undated commentary)" if all(v["undated"] for v in versions[1:]) else ""))
    if len(lead["source_ids"]) > len(second["source_ids"]):
        reasons.append("more sources give it")
    if not reasons and second["derived"] and not lead["derived"]:
        reasons.append("its text states when; " + ("the other's date is worked out from the wording" if len(versions) == 2
                                                    else "the others' dates are worked out from the wording or not given"))
    if not reasons:
        reasons.append("the versions are evenly matched; it comes first in the data")
    return reasons[0] if len(reasons) == 1 else ", ".join(reasons[:-1]) + "; and " + reasons[-1]


def reading(dis: dict, checks: pd.DataFrame | None = None) -> str:
    """One line on a disagreement: who reported each version, counted as independent reports ('reported by Bloomberg,
    CNBC and Reuters, relayed by 7 more': each version's reported_by), which version the briefing leads with and why,
    and (figures) whether a variant fails a check."""
    def who(v) -> str:
        return v.get("reported_by") or f"given in {_texts(len(v['source_ids']))}"

    if dis["kind"] == "claim":
        n = len(dis["versions"])
        return (f"The texts give {n} versions, {who(dis)}. "
                f"The briefing leads with \u201c{dis['lead']['claim']}\u201d ({dis['lead']['evidence']}): {dis['why']}.")
    if dis["kind"] == "event":
        lead = dis["versions"][0]
        why = ("most texts give it" if len(lead["source_ids"]) > len(dis["versions"][1]["source_ids"])
               else "as many texts give each; it is the main account in the data")
        if dis["differs"] == "date":
            others = "; ".join(f"{v['when']}, {who(v)}" for v in dis["versions"][1:])
            return f"The sources differ on when it happened: {lead['when']}, {who(lead)} (the briefing leads with it: {why}); {others}."
        return (f"The sources tell it differently; the briefing leads with the version {who(lead)} "
                f"({why}), and lists the other{'s' if len(dis['versions']) > 2 else ''} below.")
    if checks is None:
        checks = pd.DataFrame(columns=["variant_metric", "verdict", "variant"])
    if dis["kind"] == "period":
        parts = [f"{v['period']}, {who(v)}" for v in dis["versions"]]
        return f"The sources agree on {dis['consensus']} but not on when it applies: " + "; ".join(parts) + "."
    when = f" for {dis['period']}" if dis["period"] else ""
    major = dis["versions"][0]
    lines = []
    for v in dis["versions"][1:]:
        other_period = f" for {v['period']}" if v["period"] and v["period"] != dis["period"] else ""
        lines.append(f"{v['value']}{other_period}, {who(v)}")
        failing = checks[(checks["variant_metric"] == dis["metric"]) & (checks["verdict"] == "fail")]
        failing = failing[failing["variant"].str.contains(fmt.number(v["amount"], dis["unit"], True), regex=False)]
        if not failing.empty:
            lines[-1] += "; it also fails the arithmetic check below"
    head = f"{major['value']}{when}, {who(major)}"
    if len(major["source_ids"]) == max(len(v["source_ids"]) for v in dis["versions"][1:]):
        others = dis["versions"][1:]
        because = ("it is the version its source dates" if major["dated"] and not all(v["dated"] for v in others)
                   else "it is the version dated most precisely" if major.get("precise") and not all(v.get("precise") for v in others)
                   else "the earliest stated")
        head += f" (the briefing leads with it: {because})"
    return head[:1].upper() + head[1:] + "; " + "; ".join(lines) + "."


def _texts(n: int) -> str:
    return f"{fmt.number_word(n)} text{'s' * (n != 1)}"
