"""The timeline chart: the events by date (windows as windows), grouped by month or year when there are many. Returns a Chart (chartkit.py)."""

from __future__ import annotations

import pandas as pd

from ..data import fmt
from ..data.dataset import Dataset
from .chartkit import BODY, GREY, SMALL, STATUS_COLOURS, WIDTH, Chart, finish, line_height, mark, plain, plt, span_text, tooltip, wrap

STATUS_RANK = {"announced": 0, "confirmed": 1, "reported": 2, "denied": 3}
MAX_LABELLED = 5  # per date (or month, year): the events whose curated label names them on the chart
MIN_NAMED = 2  # a date with fewer labelled events also names its most widely reported others; the rest are counted
MAX_GROUPS = 24  # above this many dates the timeline groups by month, then by year


def event_label(r: pd.Series) -> str:
    """An event's words on the chart: its curated label, else its description (wrapped and cut to two lines)."""
    return r.get("label") or r["description"]


def _key_events(grp: pd.DataFrame) -> pd.DataFrame:
    """The events of a date most worth naming: curated labels first, then the most widely reported, then the surest."""
    return grp.assign(_l=grp["label"] == "", _n=-grp["source_list"].map(len), _s=grp["status"].map(STATUS_RANK)).sort_values(
        ["_l", "_n", "_s", "event_id"]).drop(columns=["_l", "_n", "_s"])


def _until(r) -> str:
    """An event's last possible day (ISO): its date for a day, else date_until, else the end of its week, month or year."""
    start, precision = pd.Timestamp(r["date"]), r["date_precision"]
    given = r.get("date_until") or ""
    if precision == "day":
        return r["date"]
    if given:
        return given
    end = {"week": start + pd.Timedelta(days=6), "month": start + pd.offsets.MonthEnd(0), "year": start + pd.offsets.YearEnd(0)}.get(precision, start)
    return f"{end:%Y-%m-%d}"


def timeline_order(events: pd.DataFrame) -> pd.DataFrame:
    """Events in reading order: by first possible day; a day before a window or month starting that day; windows by their end.
    Within one day (or one window) the data's own order: what a party announced comes before what was reported or said
    about it that day (events.csv status: announced, confirmed, reported, denied), then the order of the file's rows."""
    if events.empty:
        return events.copy()
    ev = events.assign(_until=[_until(r) for _, r in events.iterrows()], _ranged=events["date_precision"] != "day",
                       _act=events["status"].map(STATUS_RANK).fillna(len(STATUS_RANK)),
                       _row=pd.to_numeric(events["line"], errors="coerce") if "line" in events else range(len(events)))
    return ev.sort_values(["date", "_ranged", "_until", "_act", "_row", "event_id"]).drop(columns=["_ranged", "_act", "_row"]).reset_index(drop=True)


def _in_order(key: pd.DataFrame, grp: pd.DataFrame) -> pd.DataFrame:
    """The chosen events of a date, put back in reading order (timeline_order) for the chart."""
    return key.assign(_pos=key.index.map(list(grp.index).index)).sort_values("_pos").drop(columns="_pos")


def _timeline_span(ev: pd.DataFrame) -> str:
    """'from June 8 to 18, 2025'; 'in June 2025' when the first event is dated only to the month the last falls in."""
    first, last = ev.iloc[0], ev.loc[ev["date"].idxmax()]
    if first["date_precision"] in ("month", "year"):
        lo = fmt.date_text(first["date"], first["date_precision"])
        if fmt.date_text(last["date"], first["date_precision"]) == lo:
            return f"in {lo}"
        return f"from {lo} to {fmt.date_text(last['date'])}"
    return f"from {span_text(first['date'], last['date'])}"


def _dates_text(groups: list[str], level: str) -> str:
    """'June 12, 2025'; 'June 12 and 18, 2025'; 'June 12 and July 3, 2025'; months and years as named."""
    if level != "day":
        texts = [fmt.period_text(g) for g in groups]
        return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]
    days = [pd.Timestamp(g) for g in groups]
    if len(days) == 1:
        return fmt.date_text(groups[0])
    if len({x.year for x in days}) > 1:
        return ", ".join(fmt.date_text(g) for g in groups[:-1]) + " and " + fmt.date_text(groups[-1])
    parts, month = [], None
    for x in days:
        parts.append(f"{x.day}" if x.month == month else f"{x:%B} {x.day}")
        month = x.month
    return ", ".join(parts[:-1]) + " and " + parts[-1] + f", {days[0].year}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def timeline_chart(d: Dataset, more_where: str = "in the list below") -> Chart:
    """Events in date order, down the page: each date (a day, a window, a month) with its key events named,
    the rest counted (more_where: where the reader finds them); long gaps compressed and said. The busiest day counts
    only events dated to that day."""
    ev = timeline_order(d.events)
    ids = sorted({s for lst in ev["source_list"] for s in lst}, key=d.citation_number)
    cols = ["date", "date_precision", *(["date_until"] if d.all_events["date_until"].ne("").any() else []), "actor", "event_type", "status", "source_ids", "description"]
    data = ev[cols].copy() if not ev.empty else d.events[[c for c in cols if c in d.events]]
    if ev.empty:
        chart = Chart("timeline", "No events yet", "", "No events had been reported by this date.", ids, data)
        chart.empty_message = chart.alt
        return chart
    data.insert(0, "when", [fmt.event_date_text(r) for _, r in ev.iterrows()])
    ev["d"] = pd.to_datetime(ev["date"])
    ranged = ev["date_precision"] != "day"
    # a group is a day, or the windows of days (a month, a year) that start on one day: one dated June 12 to 18 is not
    # June 12; windows starting the same day are listed together under the widest, each with its own dates in its tooltip
    ev["group"] = ev["date"].where(~ranged, ev["date"] + "/" + ev["date_precision"].where(ev["date_precision"].isin(["month", "year"]), "window"))
    level = "day"
    if ev["group"].nunique() > MAX_GROUPS:
        level = "month" if ev["d"].dt.to_period("M").nunique() <= MAX_GROUPS else "year"
        ev["group"] = ev["d"].dt.strftime("%Y-%m" if level == "month" else "%Y")
        if level == "month":  # an event dated only to a year is not in January
            ev.loc[ev["date_precision"] == "year", "group"] = ev["d"].dt.strftime("%Y") + "/year"
    groups = list(dict.fromkeys(ev["group"]))  # reading order (timeline_order)
    exact = ev[ev["date_precision"] == "day"] if level == "day" else ev[~ev["group"].str.contains("/")]
    counts = exact.groupby("group").size()
    n_all = f"{len(ev):,} event{'s' if len(ev) != 1 else ''}"
    title = f"{n_all} {_timeline_span(ev)}"
    if len(counts) and counts.max() > 1:
        top = sorted(counts[counts == counts.max()].index)
        if len(top) == 1:
            title += f"; the busiest {level} was {_dates_text(top, level)}, with {counts.max():,}"
        elif len(top) == 2:
            title += f"; the busiest {level}s were {_dates_text(top, level)}, with {counts.max():,} each"
        # three or more tied: no day stands out, and the title says nothing it cannot
    sub = ("Key events named in date order, the others counted; colour shows whether an event was announced, confirmed or only reported; "
           "a hollow mark, one dated only to a window of days, a month or a year")
    if level != "day":
        sub = f"Events by {level} ({len(ev):,} in all, too many to show one by one); " + sub
    chart = Chart("timeline", title, sub, "", ids, data)

    def heading(group: str, grp: pd.DataFrame) -> str:
        if "/" in group and level == "day":
            kind = group.split("/")[1]
            return _capital(fmt.date_text(grp.iloc[0]["date"], "week", grp["_until"].max()) if kind == "window" else fmt.date_text(grp.iloc[0]["date"], kind))
        if "/" in group:
            return group.split("/")[0]
        return fmt.date_text(group) if level == "day" else fmt.period_text(group)

    # lay the chart out as rows, top to bottom: a date line, its key events, "+N more", and a break line across a long gap
    rows, prev = [], None
    for group in groups:
        grp = ev[ev["group"] == group]
        first = grp["d"].min()
        if prev is not None and (first - prev).days > 31:
            months = round((first - prev).days / 30.4)
            rows.append(("gap", f"\u2026 {months} month{'s' if months != 1 else ''} later" if months < 24 else f"\u2026 {months // 12} years later", None))
        prev = max(prev, grp["d"].max()) if prev is not None else grp["d"].max()
        when = heading(group, grp)
        rows.append(("date", f"{when}: {len(grp)} events" if len(grp) > 1 else when, None))
        key = _key_events(grp)
        n_named = max(min(int((grp["label"] != "").sum()), MAX_LABELLED), min(len(grp), MIN_NAMED))
        for _, r in _in_order(key.head(n_named), grp).iterrows():
            rows.append(("event", "\n".join(wrap(event_label(r), WIDTH - 0.3, BODY, max_lines=2)), r))
        if len(grp) > n_named:
            rows.append(("more", f"+ {len(grp) - n_named:,} more ({more_where})", key.iloc[n_named:]))
    line = line_height(BODY)
    # row heights in inches: a line of text and a little air; a date line gets more above it, to start its group
    heights = [line * (1 + text.count("\n")) + 0.06 if kind == "event" else line + 0.05 if kind == "more" else line + 0.14 for kind, text, _ in rows]
    total = sum(heights)
    fig, ax = plt.subplots(figsize=(WIDTH, total + 0.1))
    fig.subplots_adjust(left=0, right=1, top=1, bottom=0)
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(total, 0)
    ax.axis("off")
    x_line, x_text, y = 0.13, 0.3, 0.0
    statuses = set()
    for i, ((kind, text, r), h) in enumerate(zip(rows, heights)):
        mid = y + h / 2
        if kind == "date":
            ax.text(0, mid + 0.04, plain(text), fontsize=BODY, fontweight="bold", va="center")
        elif kind == "gap":
            ax.plot([x_line, x_line], [y + 0.03, y + h - 0.03], color=GREY, lw=1.2, ls=(0, (1, 2)))
            ax.text(x_text, mid, plain(text), fontsize=SMALL, style="italic", color=GREY, va="center")
        elif kind == "event":
            colour = STATUS_COLOURS.get(r["status"], GREY)
            statuses.add(r["status"])
            hollow = r["date_precision"] != "day"
            pts = ax.scatter([x_line], [mid], s=40, zorder=3, linewidths=1.5, edgecolors=colour, facecolors="white" if hollow else colour, clip_on=False)
            ax.text(x_text, mid, plain(text), fontsize=BODY, va="center", linespacing=1.15)
            mark(pts, chart, f"ev-{r['event_id']}", tooltip(f"{fmt.event_date_text(r)}: {r['actor']}, {r['event_type']} ({r['status']})", r["source_list"], r["quote"]))
        else:  # "more"
            t = ax.text(x_text, mid, plain(text), fontsize=SMALL, color=GREY, va="center")
            names = "; ".join(f"{fmt.event_date_text(x)}: {event_label(x)}" for _, x in r.head(6).iterrows()) + (" \u2026" if len(r) > 6 else "")
            srcs = sorted({s for lst in r["source_list"] for s in lst}, key=d.citation_number)
            mark(t, chart, f"more-{i}", tooltip(f"{len(r):,} more event{'s' if len(r) != 1 else ''}: {names}", srcs, r.iloc[0]["quote"]))
        if kind in ("event", "more", "date") and i + 1 < len(rows) and rows[i + 1][0] in ("event", "more"):
            ax.plot([x_line, x_line], [mid, y + h + heights[i + 1] / 2], color="#cccccc", lw=1, zorder=1)
        y += h
    handles = [plt.Line2D([], [], marker="o", ls="", color=STATUS_COLOURS[s], label=s, markersize=7) for s in STATUS_COLOURS if s in statuses]
    if handles:
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=len(handles), frameon=False, fontsize=SMALL, handletextpad=0.2,
                  borderaxespad=0.2, columnspacing=1.2)
    counts_txt = ", ".join(f"{(ev['status'] == s).sum()} {s}" for s in STATUS_COLOURS if (ev["status"] == s).any())
    named = "; ".join(f"{fmt.event_date_text(r)}: {event_label(r)}" for kind, _, r in rows if kind == "event")
    chart.alt = f"Timeline. {title}. Of these, {counts_txt}. Named on the chart: {named}. The full list of events follows the chart."
    return finish(fig, chart)
