"""The responder: one question in, one reply out, for Slack and the demo alike."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.matching import Matcher
from bot.responder import ReplyKind, Responder, clean_query
from tests.conftest import CONTENT, Make
from tests.content.synthetic import source, write
from tests.render.reading import check_slack_limits


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


@pytest.fixture
def two_documents(tmp_path: Path) -> Path:
    shutil.copy(CONTENT, tmp_path / "qa.yaml")
    write(tmp_path / "other.yaml", source("other", 16, short="other"))
    return tmp_path


def test_a_number_two_documents_have_asks_which(two_documents: Path, make: Make) -> None:
    responder, _, _ = make(two_documents)
    for text in ("14", "Q14", "#14", "question 14?"):
        reply = responder.respond(text)
        assert reply.kind is ReplyKind.CHOOSE and not reply.public
        buttons = [
            e for b in reply.message["blocks"] if b["type"] == "actions" for e in b["elements"]
        ]
        assert [b["value"] for b in buttons] == ["other-14", "q14"]  # in file order
        check_slack_limits(reply.message)
    assert responder.respond("20").entry.id == "q20"  # only one document has a 20
    named = responder.respond("interior Q15")
    assert named.kind is ReplyKind.ANSWER and named.entry.id == "q15"
    assert named.entry.label == "interior Q15"
    assert responder.respond("other 14").entry.id == "other-14"


def test_list_shows_documents_or_one_document(two_documents: Path, make: Make) -> None:
    responder, _, _ = make(two_documents)
    documents = responder.respond("list")
    assert documents.kind is ReplyKind.LIST
    assert "2 documents loaded." in json.dumps(documents.message)
    one = responder.respond("list other")
    assert one.message["text"].splitlines()[0] == "other Q1: What does other say about topic 1?"
    unknown = responder.respond("list nothing")
    assert "No document is called “nothing”" in json.dumps(unknown.message, ensure_ascii=False)
    for reply in (documents, one, unknown):
        check_slack_limits(reply.message)
    assert responder.page("list:other:0").message == one.message
    assert responder.page("list:gone:0") is None
    assert responder.page("nonsense") is None


def test_a_number_no_document_has_says_which_numbers_there_are(
    two_documents: Path, make: Make
) -> None:
    responder, _, _ = make(two_documents)
    reply = responder.respond("Q300")
    assert reply.kind is ReplyKind.DECLINE and not reply.public
    assert reply.message["text"] == "There is no Q300: other has Q1 to Q16; interior has Q1 to Q22."
    named = responder.respond("other 20")
    assert named.message["text"] == "There is no Q20: other has Q1 to Q16."
    check_slack_limits(named.message)
