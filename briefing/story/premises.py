"""What a present-tense sentence rests on, checked against this edition's data.

A notebook passes a sentence to ``say`` as a tuple: the sentence, then its premises, e.g.
``("Whether Google actually leaves ...", "status:Google=plans to cut ties")``. A premise that no
longer holds withholds the sentence; the build prints one ``stale:`` line for it, so the editor
knows what to rewrite. The kinds:

- ``status:PARTY=STATUS``  the party's latest status (any role) is still STATUS
- ``direction:PARTY=DIR``  the party's latest status still points DIR (away, toward, neutral)
- ``evidence:PARTY=LEVEL`` the party's latest status still rests on LEVEL (confirmed, reported, rumoured);
  ``!=`` instead of ``=`` for "anything but" (e.g. ``evidence:xAI!=confirmed``)
- ``latest:EVENT_ID``      the event is still the newest of its kind (its event_type)
- ``figure:METRIC``        the metric has no newer value: one period only
- ``figure:METRIC=PERIOD`` the metric's current value is still the one for PERIOD (empty: undated);
  ``figure:METRIC=@OTHER``: for the period of OTHER's current value (two figures of one year, like for like)
- ``until:YYYY-MM-DD``     the edition is current to that day or earlier (an item that expires)
"""

from __future__ import annotations

from ..data.dataset import Dataset

STALE_MIME = "application/vnd.scale-briefing.stale+json"  # carried in a notebook's outputs, never rendered


def check(d: Dataset, premise: str) -> str | None:
    """None if the premise holds in this edition, else why not, in words."""
    kind, _, rest = premise.partition(":")
    key, eq, want = rest.partition("=")
    negate = key.endswith("!")
    key, want = key.removesuffix("!").strip(), want.strip()
    if kind in ("status", "direction", "evidence"):
        latest = d.latest_status()
        row = latest[latest["party"] == key]
        if row.empty:
            return f"{key} has no status in this edition"
        have = row.iloc[0][kind]
        if (have != want) if negate else (have == want):
            return None
        return f"{key}'s latest {kind} is now \u2018{have}\u2019 (written for {'anything but ' if negate else ''}\u2018{want}\u2019)"
    if kind == "latest":
        ev = d.event(key)
        if ev is None:
            return f"event {key} is not in this edition"
        same = d.events[d.events["event_type"] == ev["event_type"]]
        newer = same[same["date"] > ev["date"]]
        if newer.empty:
            return None
        n = newer.sort_values("date").iloc[-1]
        return f"a newer {ev['event_type']} ({n['date']}: {n['description']}) has superseded {key}"
    if kind == "figure":
        series = d.series(key)
        if not series:
            return f"{d.label(key)} is not in this edition"
        if not eq:
            return None if len(series) == 1 else f"{d.label(key)} has a newer value ({series[-1].text()} for {series[-1].period_text()})"
        cur = series[-1]
        if want.startswith("@"):  # figure:METRIC=@OTHER: the same period as OTHER's current value (like for like)
            other = d.fact(want[1:])
            want = other.period if other else "(no value)"
        if cur.period == want:
            return None
        return f"{d.label(key)}'s current value is now the one for {cur.period_text() or 'no stated period'} ({cur.text()})"
    if kind == "until":
        from .lead import edition_date

        today = edition_date(d)
        return None if today and today <= key else f"the edition is current to {today}, after {key}, when this expires"
    raise ValueError(f"unknown premise '{premise}' (expected status:, direction:, evidence:, latest:, figure: or until:)")


def stale_lines(notebook: str, nb) -> list[str]:
    """The `stale:` lines for an executed notebook: every sentence its say() calls withheld, and why."""
    out = []
    for cell in nb.cells:
        for output in cell.get("outputs", ()):
            for item in output.get("data", {}).get(STALE_MIME, ()):
                out.append(f"stale: {notebook}: \u201c{item['sentence']}\u201d \u2014 {item['reason']}")
    return out
