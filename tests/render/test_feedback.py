"""The vote buttons, the replies to a vote and the welcome, as pure renderings."""

from __future__ import annotations

import json

from bot.content import Catalogue
from bot.render.feedback import (
    FeedbackValue,
    feedback_block,
    suggested_entries,
    thanks_message,
    welcome_message,
)
from tests.render.reading import buttons, check_slack_limits


def test_a_vote_value_carries_the_entry_confidence_surface_and_verdict() -> None:
    value = FeedbackValue("q14", 0.987654321, "mention", False)
    encoded = value.encode()
    assert len(encoded) <= 2000
    assert FeedbackValue.decode(encoded) == FeedbackValue("q14", 0.9877, "mention", False)
    assert FeedbackValue.decode("q14") is None
    assert FeedbackValue.decode('{"e": "q14"}') is None


def test_feedback_buttons_where_the_surface_takes_them_plain_buttons_elsewhere() -> None:
    slack = feedback_block("q14", 0.9, "dm")
    assert slack["type"] == "context_actions"
    [element] = slack["elements"]
    assert element["type"] == "feedback_buttons"
    assert FeedbackValue.decode(element["positive_button"]["value"]).helpful is True
    assert FeedbackValue.decode(element["negative_button"]["value"]).helpful is False
    plain = feedback_block("q14", None, "command")
    assert plain["type"] == "actions"
    assert [json.loads(b["value"])["h"] for b in plain["elements"]] == [1, 0]
    for block in (slack, plain):
        check_slack_limits({"text": "answer", "blocks": [block]})


def test_thanks_and_alternatives(catalogue: Catalogue) -> None:
    helped = thanks_message(True)
    check_slack_limits(helped)
    assert not buttons(helped)
    others = catalogue.entries[:3]
    missed = thanks_message(False, others)
    check_slack_limits(missed)
    assert [b["value"] for b in buttons(missed)] == [e.id for e in others]
    check_slack_limits(thanks_message(False))


def test_welcome_suggests_three_entries_the_same_each_time(catalogue: Catalogue) -> None:
    chosen = suggested_entries(catalogue.entries)
    assert len(set(chosen)) == 3
    assert chosen == suggested_entries(catalogue.entries)
    assert chosen[0] == catalogue.entries[0] and chosen[-1] == catalogue.entries[-1]
    assert suggested_entries(catalogue.entries[:2]) == list(catalogue.entries[:2])
    message = welcome_message(chosen, "/qa")
    check_slack_limits(message)
    assert [b["value"] for b in buttons(message)] == [e.id for e in chosen]
    check_slack_limits(welcome_message([], "/qa"))
