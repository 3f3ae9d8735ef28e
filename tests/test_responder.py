"""The responder: one question in, one reply out, for Slack and the demo alike."""

from __future__ import annotations

import json

from bot.matching import Matcher
from bot.responder import ReplyKind, Responder, clean_query


def test_answer_is_public_and_names_the_asker(matcher: Matcher) -> None:
    reply = Responder(matcher).respond("<@UBOT> has PEP been terminated yet?", user="U42")
    assert reply.kind is ReplyKind.ANSWER and reply.public
    assert reply.entry.id in {"q14", "q15"}
    assert "Asked by <@U42>" in json.dumps(reply.message)


def test_help_list_and_decline_are_private(matcher: Matcher) -> None:
    responder = Responder(matcher, command="/ask")
    for text, kind in [
        ("", ReplyKind.HELP),
        ("help", ReplyKind.HELP),
        ("LIST", ReplyKind.LIST),
        ("when will the new headquarters building open", ReplyKind.DECLINE),
    ]:
        reply = responder.respond(text)
        assert reply.kind is kind and not reply.public
    assert "/ask list" in json.dumps(responder.respond("help").message)


def test_suggestions_offer_each_answer_once(matcher: Matcher) -> None:
    responder = Responder(matcher)
    match = matcher.match("ice priorities budget")  # declined, with the equal answers on top
    assert match.entry is None
    chosen = responder.suggestions(match)
    assert len(chosen) <= 3
    for i, a in enumerate(chosen):
        assert not any(matcher.same_answer(a, b) for b in chosen[i + 1 :])


def test_entry_reply_for_a_button(matcher: Matcher) -> None:
    responder = Responder(matcher)
    assert responder.entry_reply("q7", user="U1").entry.id == "q7"
    assert responder.entry_reply("q99") is None


def test_clean_query_strips_mentions() -> None:
    assert clean_query("<@U123ABC>   what is 287g <@U9|bob> ?") == "what is 287g ?"
