"""Asked whether the documents still hold, the bot gives their notices, marked as its own note."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.content import Catalogue
from bot.currency import asks_currency
from bot.matching import Matcher
from bot.render.blocks import escape, notice_message
from bot.responder import ReplyKind, Responder


@pytest.mark.parametrize(
    "query",
    [
        "is this still in effect?",
        "Is this current?",
        "was this revoked?",
        "has the order been revoked?",
        "are these answers still valid",
        "is the memo still in force today?",
        "Is this Q&A up to date?",
    ],
)
def test_questions_about_the_document_itself(query: str) -> None:
    assert asks_currency(query)


@pytest.mark.parametrize(
    "query",
    [
        "is PEP still in effect?",
        "are the enforcement priorities still in effect",
        "is 287(g) current",
        "what is in effect",
        "is this program still running",
        "was DACA revoked?",
    ],
)
def test_questions_about_something_inside_it_go_to_the_matcher(query: str) -> None:
    assert not asks_currency(query)


def test_the_reply_is_each_source_notice_not_an_answer(matcher: Matcher) -> None:
    reply = Responder(matcher).respond("<@UBOT> is this still in effect?")
    assert reply.kind is ReplyKind.NOTICE and not reply.public and reply.entry is None
    [source] = matcher.catalogue.sources
    assert source.notice
    text = "\n".join(b["text"]["text"] for b in reply.message["blocks"] if b["type"] == "section")
    assert escape(source.notice) in text
    [context] = [b for b in reply.message["blocks"] if b["type"] == "context"]
    assert "not official text" in context["elements"][0]["text"]


def test_many_documents_without_notices_are_summed_up(catalogue: Catalogue) -> None:
    base = catalogue.entries[0]
    entries = tuple(
        dataclasses.replace(
            base,
            id=f"e{i}",
            source=base.source.model_copy(
                update={"id": f"s{i}", "notice": None, "released": dt.date(2020, 1, 1 + i)}
            ),
        )
        for i in range(25)
    )
    message = notice_message(Catalogue(entries=entries).sources)
    [section] = [b for b in message["blocks"] if b["type"] == "section"]
    assert (
        "25 other documents (released January 1, 2020 to January 25, 2020)"
        in (section["text"]["text"])
    )
