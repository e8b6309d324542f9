"""The copy desk's rules (briefing/drawing/copydesk.py, briefing/data/fmt.py prose): citations at the end of a clause,
never inside a phrase; small counts and durations in words in running text; and the checker the built editions are
scanned with (tests/test_story.py, tests/test_year_on.py), shown here to catch what an editor would strike."""

from __future__ import annotations

import re

import pytest
from conftest import DATA

from briefing.data import fmt
from briefing.data.dataset import load
from briefing.drawing import copydesk
from briefing.drawing.citations import cite
from briefing.drawing.say import say


@pytest.fixture(scope="module")
def d():
    return load(DATA)


def markers(html: str) -> list[str]:
    """The citation groups of a paragraph, each as the text it follows: '…28 years old' -> what comes before each."""
    return re.findall(r'<sup class="cite">', html)


def test_a_figure_inside_a_phrase_is_cited_at_the_end_of_its_clause(d):
    html = say(d, "Scale's founder, Alexandr Wang, {wang_age:first} old, left for Meta; Jason Droege became interim chief executive.").html
    text = copydesk.prose_blocks(html)[0]
    assert "28 years old" + copydesk.CITE_TOKEN + "," in text, text
    assert not copydesk.faults(html)


def test_a_date_is_cited_where_its_clause_ends_not_after_the_year(d):
    html = say(d, "OpenAI confirmed on {date:ev-0618-openai-confirms-to-bloomberg} that it was winding down its work with Scale, "
                  "after its chief financial officer had signalled otherwise.").html
    text = copydesk.prose_blocks(html)[0]
    assert "June 18, 2025 that" in text and "with Scale" + copydesk.CITE_TOKEN + "," in text, text
    assert not copydesk.faults(html)


def test_facts_that_share_sources_get_one_group_at_the_sentence_end(d):
    html = say(d, "Turing's chief executive told TIME his firm secured {turing_potential_contracts_usd:first} in potential contracts in "
                  "{turing_contracts_window_weeks:first}; Handshake's chief executive said demand {handshake_demand_multiple:verb} overnight.").html
    assert len(markers(html)) == 1, html
    text = copydesk.prose_blocks(html)[0]
    assert text.endswith("overnight." + copydesk.CITE_TOKEN), text
    assert "in two weeks;" in text and "demand tripled overnight" in text, "numbers in words in running text"


def test_a_source_placeholder_after_the_full_stop_joins_the_sentence_group(d):
    html = say(d, "They fear a rival could see their plans, Reuters reported, citing {competitor_concern_sources_count} sources.{src:cl-why-clients-leave}").html
    assert len(markers(html)) == 1 and "citing five sources." + copydesk.CITE_TOKEN in copydesk.prose_blocks(html)[0], html
    fact = d.fact("competitor_concern_sources_count")
    expected = cite(d, list(fact.source_ids) + d.row_sources("cl-why-clients-leave"))
    assert html.endswith(expected + "</p>"), "one group with every source of the sentence"


def test_a_value_with_a_comma_inside_never_ends_a_clause(d):
    html = say(d, "Scale announced the deal on {date:ev-0612-scale-meta-deal-announced} and Meta paid {meta_investment_usd:first}.").html
    text = copydesk.prose_blocks(html)[0]
    assert "June 12, 2025 and Meta" in text and text.endswith("." + copydesk.CITE_TOKEN), text


def test_prose_numbers_follow_newsroom_style_and_charts_keep_data_units():
    assert fmt.prose(5, "count") == "five" and fmt.prose(12, "count") == "12"
    assert fmt.prose(2, "weeks") == "two weeks" and fmt.prose(1, "weeks") == "one week" and fmt.prose(28, "years") == "28 years"
    assert fmt.prose(3, "multiple") == "threefold" and fmt.multiplied(3) == "tripled" and fmt.multiplied(2) == "doubled"
    assert fmt.prose(14.3e9, "USD") == "$14.3 billion"
    assert fmt.number(3, "multiple") == "3x" and fmt.number(2, "weeks") == "2 weeks"


@pytest.mark.parametrize("sentence", [
    'Alexandr Wang, 28 years<sup class="cite">[16]</sup> old, left.',
    'Reuters reported, citing 5<sup class="cite">[8]</sup> sources.',
    'OpenAI confirmed on June 18, 2025<sup class="cite">[3, 4]</sup> that it was leaving.',
    "One report puts Meta's investment at at least $14.8 billion.",
    "that figure does not fit the reported $29B (Scale AI's valuation after the deal).",
])
def test_the_checker_finds_what_an_editor_strikes(sentence):
    assert copydesk.faults(f"<p>{sentence}</p>", ["Scale AI's valuation after the deal"]), sentence


def test_the_checker_leaves_clean_prose_and_quotations_alone():
    clean = ('<p>Alexandr Wang, 28 years old<sup class="cite">[16]</sup>, left; the deal was done.<sup class="cite">[2]</sup> '
             'Scale said so.</p><blockquote>“that that is the the plan”</blockquote>')
    assert copydesk.faults(clean, ["Scale AI's valuation after the deal"]) == []
