"""The story layer: what the short top of the page shows, chosen by rules that live here and are unit-tested.

The page has two layers. The story leads (headline, numbers, what happened, who moves, what Scale says,
what the reporting disputes, whether the numbers add up, what to watch); the appendix keeps the full record.
Every list in the story is the top few by a rule below, and says how many more the appendix holds:

- disputes: every disagreement (figures, event versions, claims, statuses) is one *question*; questions about
  the same party are one *dispute* (one entry, whatever kind of row they come from). A dispute ranks by its
  heaviest question: failing an arithmetic check (8), a lead metric (4), a party's status or the direction it
  moves (3), the deal's own party (2), then how widely it is reported (up to 1). The story shows STORY_DISPUTES.
- check verdicts: the declared checks with an expected value first (they can pass or fail), then the rest,
  in file order; the story shows the findings only (a check that fails, or a source's value that fails it), at most
  STORY_CHECKS, one sentence each; a pass and a ratio for information are the appendix's.
- disputes in the story (story_questions): by question, not by party, each with a reader's question and a one-line
  answer; a party gets a second question among the first only when it is of another kind.
- latest: developments after the deal (briefing.lead.developments), newest first; a change of status between
  two unconfirmed accounts is not a development; at most STORY_LATEST.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ..data import fmt
from ..data.dataset import Dataset
from .checks import run_checks
from .disagreements import claim_disagreements, event_disagreements, figure_disagreements, status_disagreements
from .outlets import reporting

STORY_DISPUTES = 4
STORY_CHECKS = 4
STORY_LATEST = 4
STORY_QUOTES = 2


def top(items: list, n: int) -> tuple[list, int]:
    """The first n items and how many more there are."""
    return items[:n], max(0, len(items) - n)


def party_name(name: str) -> str:
    """'OpenAI (spokesperson)' and 'Meta; Scale AI' name OpenAI and Meta: the subject a dispute is filed under."""
    first = (name or "").split(";")[0].strip()
    return re.sub(r"\s*\(.*\)\s*$", "", first).strip()


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "item"


def independent(d: Dataset, source_ids) -> int:
    """How many independent reports a set of texts is (outlets, or the outlet a text relays; outlets.reporting)."""
    r = reporting(d, list(source_ids))
    return max(1, len(r.outlets) + r.n_credited + r.unnamed) if list(source_ids) else 0


def reports(n: int, capital: bool = False) -> str:
    """'one report', 'five reports', '12 reports' (fmt.number_word)."""
    word = f"{fmt.number_word(n)} report{'s' * (n != 1)}"
    return word[:1].upper() + word[1:] if capital else word


def _say(n: int, what: str, capital: bool = False) -> str:
    """'Three reports say 2025', 'one report says 2024'."""
    return f"{reports(n, capital)} say{'s' * (n == 1)} {what}"


# ---------------------------------------------------------------- disputes


@dataclass
class Question:
    """One disagreement, as analysis found it, with the plain sentence a reader gets."""

    kind: str  # value, period, event, claim, status, evidence
    subject: str
    sentence: str
    source_ids: list[str]
    score: float
    raw: dict = field(repr=False, default_factory=dict)
    ask: str = ""  # the reader's question, as the story puts it; empty: the point stays in the appendix
    answer: str = ""  # its answer in one line

    @property
    def anchor(self) -> str:
        """The appendix entry that holds this point (its party's: Dispute.anchor)."""
        return f"dispute-{slug(self.subject)}"


@dataclass
class Dispute:
    """Every question about one party: one entry in the appendix, at most one sentence in the story."""

    subject: str
    questions: list[Question]

    @property
    def anchor(self) -> str:
        """The entry's id; the story links to ANCHOR-entry, inside it, so a browser opens the collapsed entry."""
        return self.questions[0].anchor

    @property
    def score(self) -> float:
        return max(q.score for q in self.questions)

    @property
    def lead(self) -> Question:
        return self.questions[0]


def _failing_variants(checks: pd.DataFrame, metric: str, amount: float, unit: str) -> pd.DataFrame:
    if checks.empty:
        return checks
    rows = checks[(checks["variant_metric"] == metric) & (checks["verdict"] == "fail")]
    return rows[rows["variant"].str.contains(fmt.number(amount, unit, True), regex=False)]


def _at(value: str) -> str:
    """'at $150 million', but 'at least $120 million' (never 'at at least')."""
    return value if value.startswith("at ") else f"at {value}"


def _value_sentence(d: Dataset, dis: dict, checks: pd.DataFrame) -> tuple[str, bool]:
    major, others = dis["versions"][0], dis["versions"][1:]
    label = dis["label"] + (f" for {dis['period']}" if dis["period"] else "")
    fails = False
    if len(others) == 1:
        o = others[0]
        n = independent(d, o["source_ids"])
        text = f"{reports(n, True)} put{'s' if n == 1 else ''} {label} {_at(o['value'])} rather than {major['value']}"
        bad = _failing_variants(checks, dis["metric"], o["amount"], dis["unit"])
        if not bad.empty:
            fails = True
            chk = d.checks.set_index("check_id").loc[bad.iloc[0]["check"]] if "check_id" in d.checks else None
            expected = chk["expected"] if chk is not None else ""
            target = f"the reported {bad.iloc[0]['expected_shown']} ({d.label(expected)})" if expected else "the other reported figures"
            text += f"; that figure does not fit {target}"
    else:
        rest = " or ".join(o["value"] for o in others)
        text = f"Most reports put {label} {_at(major['value'])}; others give {rest}"
        fails = any(not _failing_variants(checks, dis["metric"], o["amount"], dis["unit"]).empty for o in others)
        if fails:
            text += "; at least one of them does not fit the other reported figures"
    return text + ".", fails


def _period_sentence(d: Dataset, dis: dict) -> str:
    parts = [f"{v['period']} in {reports(independent(d, v['source_ids']))}" for v in dis["versions"]]
    return f"Reports agree on {dis['consensus']} for {dis['label']} but not on when it applies: {' and '.join(parts)}."


def _event_title(dis: dict) -> str:
    return (dis["label"] or dis["versions"][0]["description"]).rstrip(".")


def _event_sentence(dis: dict) -> str:
    title = _event_title(dis)
    if dis["differs"] == "date":
        whens = list(dict.fromkeys(v["when"].split(" (a ")[0] for v in dis["versions"]))
        return f"Reports date one development differently ({title}): {' or '.join(whens)}."
    n = len(dis["versions"])
    return f"Reports tell one development in {n} versions ({title}); the appendix sets them side by side."


def lower_first(d: Dataset, text: str) -> str:
    """A curated phrase continued mid-sentence: its first letter lower-cased unless it starts a name (a party in the data, 'OpenAI')."""
    word = re.split(r"[\s:,;.']", text, maxsplit=1)[0]
    names = {w for n in list(d.relationships["party"]) + list(d.figures["entity"]) + list(d.events["actor"]) for w in re.split(r"[\s;()']+", n) if w}
    if not word or word in names or any(c.isupper() for c in word[1:]):
        return text
    return text[:1].lower() + text[1:]


def _claim_sentence(d: Dataset, dis: dict) -> str:
    lead = dis["lead"]["claim"].rstrip(".")
    others = [v for v in dis["versions"] if v is not dis["lead"]]
    more = f" (and {len(others) - 1} more version{'s' * (len(others) > 2)})" if len(others) > 1 else ""
    text = f"On {dis['topic']}, accounts differ: best supported, {lower_first(d, lead)}; also told, {lower_first(d, others[0]['claim'].rstrip('.'))}{more}"
    if dis.get("settled"):
        text += f"; a later account has it that {lower_first(d, dis['now'].rstrip('.'))}"
    return text + "."


SURE = {"confirmed": "on the record", "reported": "reported", "rumoured": "unattributed"}


def _status_sentence(d: Dataset, s: dict) -> str:
    """Two accounts of one moment of a party's history: 'Accounts of OpenAI from June 12, 2025 differ: ... or ...', and,
    once a later moment has settled it, where the party stands since."""
    parts = [f"{d.status_phrase(v['status'])} ({SURE.get(v['evidence'], v['evidence'])})" for v in s["versions"]]
    text = f"Accounts of {s['party']} {'on' if s['when'][:1].isupper() else 'dated'} {s['when']} {'differed' if s['settled'] else 'differ'}: {' or '.join(parts)}"
    if s["settled"]:
        now = s["now"]
        text += f"; since {now['when']}, it is {d.status_phrase(now['status'])} ({SURE.get(now['evidence'], now['evidence'])})"
    return text + "."


def _event_subject(d: Dataset, dis: dict) -> str:
    ids = {v["event_id"] for v in dis["versions"]}
    linked = d.relationships[d.relationships["event_id"].isin(ids)]
    if len(linked):
        return party_name(linked.iloc[0]["party"])
    ev = d.event(dis["event_id"])
    if ev is None:
        return "Other"
    outlets = set(d.all_sources["outlet"])
    actor = party_name(ev["actor"])
    if (actor in outlets or actor.startswith("Unnamed")) and ev.get("counterparty", ""):
        return party_name(ev["counterparty"])
    return actor


# ---------------------------------------------------------------- the reader's questions, for the story
# Each disagreement as a plain question and a one-line answer. Versions of an event on one day (one account in other
# words) and a claim topic without a reader's question (topics.csv) get none: they stay in the appendix.


def _either(texts) -> str:
    return " or ".join(dict.fromkeys(texts))


def _value_ask(d: Dataset, dis: dict, checks: pd.DataFrame) -> tuple[str, str]:
    label = lower_first(d, dis["label"]) + (f" for {dis['period']}" if dis["period"] else "")
    answers = []
    for i, v in enumerate(dis["versions"]):
        text = _say(independent(d, v["source_ids"]), v["value"], capital=not i)
        if not _failing_variants(checks, dis["metric"], v["amount"], dis["unit"]).empty:
            text += ", which does not add up with the other reported figures"
        answers.append(text)
    return f"Was {label} {_either(v['value'] for v in dis['versions'])}?", "; ".join(answers) + "."


def _period_ask(d: Dataset, dis: dict) -> tuple[str, str]:
    ask = f"Is {lower_first(d, dis['label'])} of {dis['consensus']} for {_either(v['period'] for v in dis['versions'])}?"
    return ask, "; ".join(_say(independent(d, v["source_ids"]), v["period"], capital=not i) for i, v in enumerate(dis["versions"])) + "."


def _event_ask(d: Dataset, dis: dict) -> tuple[str, str]:
    """Only a date is a reader's question about an event: versions of one day tell one account in other words, and
    what differs in them (an amount, who said it) is asked where it is a figure, a status or a claim."""
    if dis["differs"] != "date":
        return "", ""
    whens = [v["when"].split(" (a ")[0] for v in dis["versions"]]
    return (f"When was it: {lower_first(d, _event_title(dis))}, {_either(whens)}?",
            "; ".join(_say(independent(d, v["source_ids"]), w, capital=not i) for i, (v, w) in enumerate(zip(dis["versions"], whens))) + ".")


def _claim_ask(d: Dataset, dis: dict) -> tuple[str, str]:
    ask = str(d.topics.loc[dis["topic"], "question"]) if dis["topic"] in d.topics.index else ""
    if not ask:
        return "", ""
    shown, rest = dis["versions"][:2], len(dis["versions"]) - 2
    parts = [f"{(v['claim'] if not i else lower_first(d, v['claim'])).rstrip('.')} ({SURE.get(v['evidence'], v['evidence'])})" for i, v in enumerate(shown)]
    if rest > 0:
        parts.append(f"and {fmt.number_word(rest)} more account{'s' * (rest != 1)}")
    if dis.get("settled"):
        parts.append(f"a later account: {lower_first(d, dis['now'].rstrip('.'))}")
    return ask, "; ".join(parts) + "."


def _status_ask(d: Dataset, s: dict) -> tuple[str, str]:
    phrases = [d.status_phrase(v["status"]) for v in s["versions"]]
    ask = f"Was {s['party']} {_either(phrases)}?"
    if not s["settled"]:
        text = "; ".join(f"{SURE.get(v['evidence'], v['evidence'])}: {p}" for v, p in zip(s["versions"], phrases))
        return ask, text[:1].upper() + text[1:] + "."
    now = s["now"]
    return ask, (f"Accounts dated {s['when']} differed; since {now['when']}, {s['party']} {_evidence_verb(now['evidence'])} "
                 f"{d.status_phrase(now['status'])}.")


def story_questions(d: Dataset) -> list[Question]:
    """The disagreements a reader asks about, heaviest first (the rule: questions' scores), by question, not by party:
    a party's second question comes among the first only when it is of another kind (a figure and a claim), else after
    them all. Points without a reader's question stay in the appendix."""
    asked = sorted((q for q in questions(d) if q.ask), key=lambda q: -q.score)
    first, seen = [], set()
    for q in asked:
        if (q.subject, q.kind) not in seen:
            first.append(q)
            seen.add((q.subject, q.kind))
    return first + [q for q in asked if q not in first]


def questions(d: Dataset) -> list[Question]:
    """Every disagreement in the edition, of every kind, as a question with its subject, sentence and score."""
    checks = run_checks(d)
    lead_metrics = set(d.lead_metrics())
    deal_party = d.fact(d.lead_metrics()[0]).entity if d.lead_metrics() and d.fact(d.lead_metrics()[0]) else ""
    out: list[Question] = []

    def add(kind, subject, sentence, source_ids, weight, raw, asked=("", "")):
        subject = party_name(subject) or "Other"
        n = len(set(source_ids))
        score = weight + (2 if deal_party and subject == party_name(deal_party) else 0) + min(n, 10) / 10
        out.append(Question(kind, subject, sentence, sorted(set(source_ids), key=d.citation_number), score, raw, *asked))

    for dis in figure_disagreements(d):
        ids = [s for v in dis["versions"] for s in v["source_ids"]]
        if dis["kind"] == "period":
            add("period", dis["entity"], _period_sentence(d, dis), ids, 4 * (dis["metric"] in lead_metrics), dis, _period_ask(d, dis))
        else:
            sentence, fails = _value_sentence(d, dis, checks)
            add("value", dis["entity"], sentence, ids, 8 * fails + 4 * (dis["metric"] in lead_metrics), dis, _value_ask(d, dis, checks))
    for dis in event_disagreements(d):
        ids = [s for v in dis["versions"] for s in v["source_ids"]]
        subject = _event_subject(d, dis)
        linked = d.relationships["event_id"].isin({v["event_id"] for v in dis["versions"]}).any()
        add("event", subject, _event_sentence(dis), ids, 3 * linked, dis, _event_ask(d, dis))
    for dis in claim_disagreements(d):
        ids = [s for v in dis["versions"] for s in v["source_ids"]]
        asked = _claim_ask(d, dis)  # a topic the curators gave a reader's question (topics.csv) is one a reader asks
        add("claim", dis["lead"]["party"], _claim_sentence(d, dis), ids, (-1 if dis["settled"] else 0) + 3 * bool(asked[0]), dis, asked)
    for s in status_disagreements(d):
        ids = [x for st in s["steps"] for x in st["source_ids"]]
        # a disagreement about where a party stands now weighs as a status; one a later account settled is history
        add("status", s["party"], _status_sentence(d, s), ids, 1 if s["settled"] else 4, s, _status_ask(d, s))
    return out


def disputes(d: Dataset) -> list[Dispute]:
    """The questions grouped by party, heaviest first (within a dispute too)."""
    groups: dict[str, list[Question]] = {}
    for q in questions(d):
        groups.setdefault(q.subject, []).append(q)
    out = [Dispute(subject, sorted(qs, key=lambda q: -q.score)) for subject, qs in groups.items()]
    return sorted(out, key=lambda x: (-x.score, x.subject))


# ---------------------------------------------------------------- do the numbers add up


def check_verdicts(d: Dataset, res: pd.DataFrame | None = None) -> list[dict]:
    """One sentence per declared check (its current-value row), checks with an expected value first, with
    the variants that do not fit named: 'Meta's investment ÷ its stake ≈ $29.2B, close to the reported $29B ...'."""
    res = run_checks(d) if res is None else res
    if res.empty:
        return []
    out = []
    for order, (check, g) in enumerate(res.groupby("check", sort=False)):
        base = g[g["variant_metric"] == ""]
        if base.empty:
            continue
        r = base.iloc[0]
        label = r["label"].split(" (")[0]
        if r["verdict"] in ("pass", "fail"):
            how = "close to" if r["verdict"] == "pass" else "which does not match"
            text = f"{label}: {r['shown']}, {how} the reported {r['expected_shown']}"
        else:  # for information, or not computable: the result as it stands
            text = f"{label}: {r['shown']}"
        bad = g[(g["variant_metric"] != "") & (g["verdict"] == "fail")]
        if len(bad):
            vals = list(dict.fromkeys(v.split(" at ", 1)[-1].split(", as ")[0] for v in bad["variant"]))
            text += f"; the {' and '.join(vals)} {'report does' if len(vals) == 1 else 'reports do'} not fit"
        # a finding: the check fails, or a value some source gives fails it; a pass that confirms a rounding, or a
        # ratio for information, is workings for the appendix
        out.append({"check": check, "text": text + ".", "verdict": r["verdict"], "sources": r["sources"].split(";"),
                    "finding": r["verdict"] == "fail" or bool(len(bad)), "rank": (r["verdict"] not in ("pass", "fail"), order)})
    return sorted(out, key=lambda v: v["rank"])


# ---------------------------------------------------------------- latest


def _evidence_verb(evidence: str) -> str:
    return {"confirmed": "confirmed it is", "reported": "is reported to be", "rumoured": "is said to be"}.get(evidence, "is")


def story_latest(d: Dataset, deal_date: str | None) -> list[dict]:
    """The developments after the deal, as plain sentences, newest first (the rule: briefing.lead.latest),
    leaving out changes between two unconfirmed accounts."""
    from .lead import latest

    out = []
    for item in latest(d, count=50):
        if deal_date and item["date"] <= deal_date:
            continue
        if item["kind"] == "status":
            if item["evidence"] != "confirmed" and item["prev_evidence"] != "confirmed":
                continue
            item = {**item, "text": f"{item['party']} {_evidence_verb(item['evidence'])} {d.status_phrase(item['status'])}; "
                    f"earlier accounts had it {d.status_phrase(item['prev_status'])}."}
        elif item["kind"] == "figure":
            item = {**item, "text": f"{item['label']} {'rose' if item['up'] else 'fell'} to {item['value']}, from {item['previous']}."}
        out.append(item)
    return out
