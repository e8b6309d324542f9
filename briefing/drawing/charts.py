"""One function per chart of the valuation and the parties: the valuation before and after the deal, the
clients' moves, the rivals' gains, the money at stake. Each returns a Chart (chartkit.py)."""

from __future__ import annotations

import pandas as pd

from ..data import fmt
from ..data.dataset import Dataset
from ..data.history import EVIDENCE_ORDER
from ..story.ranking import independent
from .chartkit import (
    BLUE,
    BODY,
    DIRECTION_COLOURS,
    DIRECTION_HEADS,
    DIRECTION_MARKERS,
    EVIDENCE_FILL,
    EVIDENCE_PLAIN,
    GREEN,
    GREY,
    MAX_NAMES,
    MAX_ROWS,
    SMALL,
    VERMILLION,
    WIDTH,
    Chart,
    Row,
    Words,
    evidence_key,
    finish,
    labelled_bars,
    mark,
    plain,
    plt,
    rows_chart,
    span_text,
    tooltip,
    wrap,
)
from .story_blocks import quoted_words


def valuation_chart(d: Dataset) -> Chart:
    """The valuation before and after the deal, the after bar split into what Scale was worth before the money came in
    and Meta's new money: the cheque is drawn as part of the $29B it helps make, never as a third valuation beside them."""
    deal, story = d.story.deal, d.story
    pre, post, inv, stake = (d.fact(deal[k]) for k in ("valuation_before", "valuation_after", "investment", "stake"))
    inv_bar, new_money = story.text("investment_bar"), story.text("new_money")
    rows = []
    for label, fact in (("Valuation before the deal", pre), ("Valuation after the deal", post), (inv_bar, inv)):
        if fact:
            rows.append({"bar": label, "figure": fact.label, "amount_usd": fact.amount, "sources": ";".join(fact.source_ids), "metric": fact.metric})
    data = pd.DataFrame(rows, columns=["bar", "figure", "amount_usd", "sources", "metric"])
    ids = sorted({s for f in (pre, post, inv, stake) if f for s in f.source_ids}, key=d.citation_number)
    stacked = bool(post and inv and 0 < inv.amount < post.amount)  # the new money is inside the valuation after the deal
    if pre and post and pre.amount:
        mult = post.amount / pre.amount
        title = story.text("valuation_doubled") if 1.8 <= mult <= 2.2 else story.text("valuation_times", ratio=fmt.ratio(mult))
    elif post:
        title = story.text("valuation_after", valuation=post.text(short=True))
    else:
        title = story.text("valuation_only")
    stake_txt = f" for a {stake.text()} stake" if stake else ""
    subtitle = "US dollars"
    if stacked:
        subtitle += f"; the valuation after the deal includes {new_money}"
    chart = Chart("valuation", title, subtitle, "", ids, data)
    if data.empty:
        chart.empty_message = "No valuation or investment figures had been reported by this date."
        chart.alt = chart.empty_message
        return chart
    facts = {deal["valuation_before"]: pre, deal["valuation_after"]: post, deal["investment"]: inv}
    valuations = data[data["metric"] != deal["investment"]] if stacked else data
    fig, ax = plt.subplots(figsize=(WIDTH, 0.62 * len(valuations) + (0.42 if stacked else 0) + 0.2))
    fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01)
    colours = {"Valuation before the deal": GREY, "Valuation after the deal": BLUE, inv_bar: VERMILLION}
    texts = [fmt.money(r["amount_usd"], short=True) + (stake_txt if r["metric"] == deal["investment"] else "") for _, r in valuations.iterrows()]
    bars = labelled_bars(ax, list(valuations["bar"]), list(valuations["amount_usd"] / 1e9), [colours[b] for b in valuations["bar"]], texts)
    patches = {r["metric"]: bar.patches[0] for bar, (_, r) in zip(bars, valuations.iterrows())}
    if stacked:  # the investor's money as the last part of the after bar, named under it
        y = list(valuations["metric"]).index(deal["valuation_after"]) * 1.15
        rest = (post.amount - inv.amount) / 1e9
        patches[deal["investment"]] = ax.barh(y, inv.amount / 1e9, left=rest, color=VERMILLION, height=0.5).patches[0]
        ax.plot([rest, rest], [y - 0.25, y + 0.25], color="white", lw=1.2)
        x_in = rest / ax.get_xlim()[1] * WIDTH * 0.98  # where the segment starts, in inches: its words wrap in the room to its right
        lines = wrap(f"of which {new_money}: {inv.text(short=True)}{stake_txt}", WIDTH * 0.98 - x_in - 0.05, SMALL)
        ax.text(rest, y + 0.32, plain("\n".join(lines)), fontsize=SMALL, color=VERMILLION, va="top", ha="left", linespacing=1.1)
        ax.set_ylim(y + 0.45 + 0.5 * len(lines), ax.get_ylim()[1])
    for metric, patch in patches.items():
        f = facts[metric]
        label = data.set_index("metric").loc[metric, "bar"]
        mark(patch, chart, f"bar-{metric}", tooltip(f"{label}: {fmt.money(f.amount, True)}", f.source_ids, d.quote_for(metric, f.amount)))
    if stacked:
        chart.alt = (f"Bar chart. {title}. {valuations.iloc[0]['bar']} {fmt.money(valuations.iloc[0]['amount_usd'], True)}; "
                     if len(valuations) > 1 else f"Bar chart. {title}. ") + (
            f"valuation after the deal {fmt.money(post.amount, True)}, of which {new_money} {fmt.money(inv.amount, True)}{stake_txt}.")
    else:
        parts = [f"{r['bar']} {fmt.money(r['amount_usd'], True)}" for _, r in data.iterrows()]
        chart.alt = f"Bar chart. {title}. " + "; ".join(parts) + (f"; {inv_bar} bought a {stake.text()} stake." if stake else ".")
    chart.data = data.drop(columns="metric")  # readers get labels; the key stays in figures.csv
    return finish(fig, chart)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def direction_head(d: Dataset, direction: str) -> str:
    """A direction's heading in the clients chart: 'Moving away from' the subject (x-story), or chartkit's words."""
    return d.story.text(f"moving_{direction}") if direction in ("away", "toward") else DIRECTION_HEADS.get(direction, direction)


def _when(d: Dataset, r) -> str:
    """A status row's date as a reader needs it, the same in chart, prose and appendix (Dataset.status_date_text):
    undated commentary is 'as of' its source's first day."""
    day = d.status_date_text(r)
    return f"as of {day}" if r.get("as_of_basis") == "undated" else day


def shown_sources(d: Dataset, moment) -> list[str]:
    """The sources behind the status a chart shows for a party: the accounts of its latest moment that give the lead's
    status at the lead's evidence level (a hedge beside a confirmation is not counted)."""
    lead = moment.lead
    same = moment.rows[(moment.rows["status"] == lead["status"]) & (moment.rows["evidence"] == lead["evidence"])]
    return sorted({s for lst in same["source_list"] for s in lst}, key=d.citation_number)


def names(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _moves(parties: list[str], how: str) -> str:
    """'Google's move is reported', 'Microsoft's and xAI's moves are unattributed'."""
    return f"{names([p + chr(39) + 's' for p in parties])} move{'s are' if len(parties) > 1 else ' is'} {how}"


def certainty_title(d: Dataset, latest: pd.DataFrame) -> str:
    """The clients chart's finding: who confirmed a move and whose is only reported or unattributed, for the direction most
    clients moved ('Only OpenAI has confirmed it is moving away from Scale AI; Google's move is reported, xAI's unattributed')."""
    counts = latest["direction"].value_counts()
    direction = "away" if counts.get("away", 0) else counts.index[0]
    rows = latest[latest["direction"] == direction]
    by = {ev: list(rows.loc[rows["evidence"] == ev, "party"]) for ev in EVIDENCE_PLAIN}
    hedged = [(parties, EVIDENCE_PLAIN[ev]) for ev, parties in by.items() if ev != "confirmed" and parties]
    target = _lower(direction_head(d, direction)) if direction in ("away", "toward") else d.story.text("moving_with", direction=direction)
    sure = by["confirmed"]
    if sure:
        only = "Only " if hedged and len(sure) <= sum(len(p) for p, _ in hedged) else ""
        head = f"{only}{names(sure)} {'has' if len(sure) == 1 else 'have'} confirmed {'it is' if len(sure) == 1 else 'they are'} {target}"
    else:
        head = f"No client has confirmed {target}"
    tail = [_moves(p, how) for p, how in hedged[:1]] + [f"{names([x + chr(39) + 's' for x in p])} {how}" for p, how in hedged[1:]]
    return head + ("; " + ", ".join(tail) if tail else "")


def clients_chart(d: Dataset) -> Chart:
    """One row per client that changed course (Dataset.movers, the one rule for who moves): its latest status in words,
    its direction as colour and arrow, how sure the reporting is and when, what came before; every account is in the
    data table."""
    roles = list(d.story.roles["clients"])
    histories = {h.key: h for h in d.status_histories(roles)}
    latest = d.movers().copy()
    latest["_dir"] = latest["direction"].map(lambda x: list(DIRECTION_COLOURS).index(x) if x in DIRECTION_COLOURS else len(DIRECTION_COLOURS))
    latest["_ev"] = latest["evidence"].map(EVIDENCE_ORDER.index)
    latest = latest.sort_values(["_dir", "_ev", "_first", "party"], ascending=[True, True, False, True]).reset_index(drop=True)
    order = list(latest["party"])
    clients = d.relationships[d.relationships["role"].isin(roles)]
    unchanged = sorted(set(clients["party"]) - set(order))
    rel = clients[clients["party"].isin(order)]
    ids = sorted({s for lst in rel["source_list"] for s in lst}, key=d.citation_number)
    rel = rel.assign(_o=rel["party"].map(order.index)).sort_values(["_o", "_first", "relationship_id"])
    data = pd.DataFrame({
        "party": rel["party"], "status": rel["status"].map(d.status_phrase), "direction": rel["direction"], "evidence": rel["evidence"],
        "date": rel["when"], "date_from": rel["_first"], "date_until": rel["_last"],
        "dated": rel["as_of_basis"].map(lambda b: "no (commentary; the date is its source's)" if b == "undated" else "yes"),
        "shown_as_latest": rel["relationship_id"].isin(set(latest["relationship_id"])).map({True: "yes", False: ""}),
        "source_ids": rel["source_ids"],
    }).reset_index(drop=True)
    n = len(order)
    title = certainty_title(d, latest) if n else d.story.text("clients_none")
    span = span_text(rel["_first"].min(), rel["_first"].max()) if len(rel) else ""
    subtitle = f"Each client's latest status, from accounts dated {span}. {evidence_key(latest.head(MAX_ROWS)['evidence'])}; every account is in the table"
    if n > MAX_ROWS:
        subtitle += f"; the {MAX_ROWS} surest shown, {n - MAX_ROWS} more in the appendix"
    if unchanged:
        names = ", ".join(unchanged[:MAX_NAMES]) + (f" and {len(unchanged) - MAX_NAMES} others" if len(unchanged) > MAX_NAMES else "")
        subtitle += f". Also named as clients, with no move either way: {names}"
    chart = Chart("clients", title, subtitle, "", ids, data)
    if latest.empty:
        chart.empty_message = "No client had been reported changing course by this date."
        chart.alt = chart.empty_message
        return chart
    rows, parts, seen = [], [], None
    for i, r in latest.head(MAX_ROWS).iterrows():
        direction, party = r["direction"], r["party"]
        history = histories[party]
        colour = DIRECTION_COLOURS.get(direction, GREY)
        if direction != seen:
            head = direction_head(d, direction)
            rows.append(Row([Words(f"{head} ({(latest['direction'] == direction).sum()})", BODY, "bold", colour)], [], header=True))
            seen = direction
        n_src = independent(d, shown_sources(d, history.current))
        phrase = d.status_phrase(r["status"])
        sure = EVIDENCE_PLAIN.get(r["evidence"], r["evidence"])
        when = _when(d, r) + (f", {_count(n_src, 'source')}" if n_src > 1 else "")
        # how sure is the first thing read: the word leads the status, in the row's colour only when on the record
        right = [Words(phrase, lead=sure[:1].upper() + sure[1:], lead_colour=colour if r["evidence"] == "confirmed" else GREY),
                 Words(when, SMALL, colour=GREY)]
        if len(history.moments) > 1:
            e = history.moments[-2].lead
            right.append(Words(f"earlier: {d.status_phrase(e['status'])} ({EVIDENCE_PLAIN.get(e['evidence'], e['evidence'])}, {_when(d, e)})", SMALL, colour=GREY))
        accounts = rel[rel["party"] == party]
        tip = tooltip(f"{party}: {phrase} ({r['evidence']}, {_when(d, r)}); {_count(len(accounts), 'account')} in the table", r["source_list"], r["quote"])
        rows.append(Row([Words(party, BODY, "bold", max_lines=2)], right, (DIRECTION_MARKERS.get(direction, "o"), colour), f"row-{i}", tip,
                        fill=EVIDENCE_FILL.get(r["evidence"], "dotted")))
        parts.append(f"{party}: {phrase} ({r['evidence']}, {_when(d, r)})")
    chart.alt = f"Chart. {title}. Latest status per client: " + "; ".join(parts) + "." + (
        f" Also named as clients, with no move either way: {', '.join(unchanged)}." if unchanged else "")
    return rows_chart(chart, rows)


DURATIONS = ("days", "weeks", "months", "years")  # a rival's figure in one of these units is the window of its others


def _rival_facts(d: Dataset, party: str) -> list:
    """The figures a rival reported about itself (figures.csv, entity = the rival), money first, as current facts."""
    rows = d.figures[d.figures["entity"].str.casefold() == party.casefold()]
    metrics = list(dict.fromkeys(rows.sort_values("unit", key=lambda u: u != "USD", kind="stable")["metric"]))
    return [f for f in (d.fact(m) for m in metrics) if f]


def _gain_words(d: Dataset, facts: list, best) -> list[Words]:
    """What a rival said it gained, as the chart shows it: each figure with its label, a duration joined to the figure it
    is the window of ('$50M Turing's new potential contracts, in 2 weeks'), never a duration's own label; without a
    figure, the rival's own quoted words ('“tens of millions of dollars”'), else its status."""
    windows = [f for f in facts if f.unit in DURATIONS]
    amounts = [f for f in facts if f.unit not in DURATIONS] or windows[:0]
    within = f", in {windows[0].text(short=True)}" if windows and amounts else ""
    out = [Words(f.label + (f" ({f.period_text()})" if f.period else "") + (within if k == 0 else ""), lead=f.text(short=True), lead_colour=BLUE)
           for k, f in enumerate(amounts)]
    if not out:
        said = quoted_words(best["quote"])
        phrase = d.status_phrase(best["status"])
        out = ([Words(f"\u201c{said[0]}\u201d", weight="bold", colour=BLUE)] if said else []) + [Words(phrase)]
    return out


def rivals_chart(d: Dataset) -> Chart:
    """The rivals that reported gains themselves (figures of their own, or a gain on the record), each with its own figures
    or words; the rest of the rivals named are counted in one line. Every rival is in the data table."""
    roles = list(d.story.roles["rivals"])
    rel = d.relationships[d.relationships["role"].isin(roles)].copy()
    ids = {s for lst in rel["source_list"] for s in lst}
    current = {}  # each rival's latest moment (data.history): its lead is the status shown, its accounts at that level are counted
    for h in d.status_histories(roles):
        if h.key not in current or h.current.first >= current[h.key].first:
            current[h.key] = h.current
    rivals = []
    for party, grp in rel.groupby("party"):
        facts = _rival_facts(d, party)
        best = current[party].lead
        srcs = {s for lst in grp["source_list"] for s in lst} | {s for f in facts for s in f.source_ids}
        gained = bool(facts) or (best["evidence"] == "confirmed" and best["status"] not in d.listings())
        rivals.append((party, facts, best, srcs, gained))
        ids |= srcs
    n_shown = {party: independent(d, shown_sources(d, current[party])) for party, *_ in rivals}
    rivals.sort(key=lambda x: (not x[4], not x[1], EVIDENCE_ORDER.index(x[2]["evidence"]), -len(x[3]), x[0].casefold()))
    ids = sorted(ids, key=d.citation_number)
    data = pd.DataFrame([{
        "party": party, "reported": "; ".join(f"{f.label}: {f.text(short=True)}" + (f" ({f.period_text()})" if f.period else "") for f in facts),
        "status": d.status_phrase(best["status"]), "evidence": best["evidence"], "n_sources": n_shown[party],
        "source_ids": ";".join(sorted(srcs, key=d.citation_number)),
    } for party, facts, best, srcs, _ in rivals], columns=["party", "reported", "status", "evidence", "n_sources", "source_ids"])
    gainers = [x for x in rivals if x[4]]
    rest = [x[0] for x in rivals if not x[4]]
    shown = gainers[:MAX_ROWS]
    rest += [x[0] for x in gainers[MAX_ROWS:]]
    if gainers:
        title = f"{names([x[0] for x in gainers])} reported {'a gain' if len(gainers) == 1 else 'gains'} of {'its' if len(gainers) == 1 else 'their'} own"
    else:
        title = d.story.text("rivals_none", count=fmt.number_word(len(rivals)))
    others = f"{fmt.number_word(len(rest))} more rival{' is' if len(rest) == 1 else 's are'} named without one"
    if gainers and rest:
        title += f"; {others}"
    sub = "What each said it gained, in its own figures or words; under it, how sure the reporting is"
    chart = Chart("rivals", title, sub, "", ids, data)
    if not rivals:
        chart.empty_message = "No rival had been reported gaining business by this date."
        chart.alt = chart.empty_message
        return chart
    rows, parts = [], []
    for i, (party, facts, best, srcs, _) in enumerate(shown):
        phrase = d.status_phrase(best["status"])
        sure = f"{EVIDENCE_PLAIN.get(best['evidence'], best['evidence'])}, {_count(n_shown[party], 'source')}"
        gain = _gain_words(d, facts, best)
        right = gain + [Words(sure, SMALL, colour=GREY)]
        said = "; ".join(f"{w.lead} {w.text}".strip() for w in gain)
        quote_src = facts[0] if facts else None
        quote = d.figures[(d.figures["metric"] == quote_src.metric) & (d.figures["source_id"].isin(quote_src.source_ids))].iloc[0]["quote"] if quote_src else best["quote"]
        tip_ids = sorted(srcs, key=d.citation_number) if quote_src else best["source_list"]
        tip = tooltip(f"{party}: " + (said + f"; {phrase} ({best['evidence']})" if facts else f"{phrase} ({best['evidence']}, {_when(d, best)})"), tip_ids, quote)
        rows.append(Row([Words(party, BODY, "bold", max_lines=2)], right, ("o", BLUE), f"row-{i}", tip, fill=EVIDENCE_FILL.get(best["evidence"], "dotted")))
        parts.append(f"{party}: {said or phrase} ({best['evidence']})")
    if rest:  # the rest, counted and named in one line: every one is in the table
        rows.append(Row([Words(f"Also named, with no gain of their own: {names(sorted(rest, key=str.casefold))}", SMALL, colour=GREY, max_lines=4)], [], header=True))
    chart.alt = f"Chart. {title}. " + "; ".join(parts) + (f". Also named: {names(sorted(rest, key=str.casefold))}." if rest else ".")
    return rows_chart(chart, rows)


def stakes_chart(d: Dataset) -> Chart:
    """The money at stake: Google's spending with Scale AI against Scale AI's revenue (a separate chart, for the lead to
    place); its metrics are x-story's money_at_stake, the first (the revenue) what the rest are set against."""
    stakes = d.story.money_at_stake
    facts = [f for f in (d.fact(m) for m in stakes) if f and f.unit == "USD"]
    revenue = next((f for f in facts if f.metric == stakes[0]), None)
    ids = sorted({s for f in facts for s in f.source_ids}, key=d.citation_number)
    data = pd.DataFrame([{"figure": f.label, "period": f.period, "amount_usd": f.amount, "qualifier": f.qualifier, "sources": ";".join(f.source_ids)}
                         for f in facts], columns=["figure", "period", "amount_usd", "qualifier", "sources"])
    others = [f for f in facts if f is not revenue]
    if revenue and others and revenue.amount:
        top = max(others, key=lambda f: f.amount)
        differ = top.period != revenue.period  # a plan for one year against revenue for another: the title says so
        title = (f"{top.label}{f' ({top.period_text()})' if differ and top.period else ''} came to {fmt.share(top.amount / revenue.amount)} "
                 f"of {revenue.label}{f' ({revenue.period_text()})' if differ and revenue.period else ''}")
    elif others:
        top = max(others, key=lambda f: f.amount)
        title = f"{top.label}{f' ({top.period_text()})' if top.period else ''} was {top.text(short=True)}"
    else:
        title = "The money at stake"
    chart = Chart("stakes", title, "US dollars, for the years given", "", ids, data)
    if not others:
        chart.empty_message = "No figures for the money at stake had been reported by this date."
        chart.alt = chart.empty_message
        return chart
    fig, ax = plt.subplots(figsize=(WIDTH, 0.62 * len(facts) + 0.2))
    fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01)
    labels = [f.label + (f" ({f.period_text()})" if f.period else "") for f in facts]
    bars = labelled_bars(ax, labels, [f.amount / 1e6 for f in facts], [GREY if f is revenue else GREEN for f in facts], [f.text(short=True) for f in facts])
    for bar, f, label in zip(bars, facts, labels):
        mark(bar.patches[0], chart, f"bar-{f.metric}", tooltip(f"{label}: {f.text(short=True)}", f.source_ids, d.quote_for(f.metric, f.amount)))
    chart.alt = f"Bar chart. {title}. " + "; ".join(f"{label} {f.text(short=True)}" for f, label in zip(facts, labels)) + "."
    return finish(fig, chart)
