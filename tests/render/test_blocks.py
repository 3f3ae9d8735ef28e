"""Block Kit rendering: official text whole and unaltered, user text never live markup."""

from __future__ import annotations

import dataclasses
import json

from hypothesis import given
from hypothesis import strategies as st

from bot.content import Catalogue
from bot.render import blocks


def _plain_sections(message: dict) -> list[str]:
    return [
        b["text"]["text"]
        for b in message["blocks"]
        if b["type"] == "section" and b["text"]["type"] == "plain_text"
    ]


def test_answer_is_quoted_whole_as_plain_text(catalogue: Catalogue) -> None:
    for entry in catalogue.entries:
        message = blocks.answer_message(entry)
        assert "".join(_plain_sections(message)) == entry.answer
        assert entry.answer in message["text"]


def test_long_answer_is_split_never_cut(catalogue: Catalogue) -> None:
    entry = catalogue.get("q17")
    long_answer = "\n\n".join([entry.answer] * 12)  # about 9,000 characters
    message = blocks.answer_message(dataclasses.replace(entry, answer=long_answer))
    sections = _plain_sections(message)
    assert len(sections) > 3
    assert all(len(s) <= 3000 for s in sections)
    assert "".join(sections) == long_answer


@given(st.text(max_size=9000), st.integers(min_value=50, max_value=3000))
def test_split_text_loses_nothing(text: str, limit: int) -> None:
    chunks = blocks.split_text(text, limit)
    assert "".join(chunks) == text
    assert all(len(c) <= limit for c in chunks)


def test_citation_and_notice(catalogue: Catalogue) -> None:
    message = blocks.answer_message(catalogue.get("q14"), asked_by="U123ABC", query="pep?")
    context = json.dumps([b for b in message["blocks"] if b["type"] == "context"])
    assert "U.S. Department of Homeland Security, Office of the Press Secretary" in context
    assert "<https://www.dhs.gov/news/2017/02/21/qa-dhs-implementation" in context
    assert "Released February 21, 2017" in context
    assert "Historical guidance from February 21, 2017." in context
    assert "Asked by <@U123ABC>" in context
    assert message["blocks"][0]["text"]["text"].startswith("*Q14: When is the Priority")


def test_user_text_cannot_ping_or_restyle(catalogue: Catalogue) -> None:
    query = "<!channel> <!here|here> <!everyone> <@U999> *bold* `code` & <https://evil.example|x>"
    for message in (
        blocks.answer_message(catalogue.get("q1"), asked_by="U1", query=query),
        blocks.decline_message(query, [catalogue.get("q2")]),
    ):
        payload = json.dumps(message)
        for live in ("<!channel>", "<!here", "<!everyone>", "<@U999>", "<https://evil"):
            assert live not in payload
        assert "&lt;!channel&gt;" in payload
        assert "`code`" not in payload
        assert "*bold*" not in payload


def test_asked_by_accepts_only_a_user_id(catalogue: Catalogue) -> None:
    message = blocks.answer_message(catalogue.get("q1"), asked_by="U1> <!channel", query="x")
    assert "<!channel" not in json.dumps(message)


def test_decline_offers_at_most_three_buttons(catalogue: Catalogue) -> None:
    entries = list(catalogue.entries[:5])
    message = blocks.decline_message("sanctuary funding", entries, command="/ask")
    (actions,) = [b for b in message["blocks"] if b["type"] == "actions"]
    assert [e["value"] for e in actions["elements"]] == ["q1", "q2", "q3"]
    assert all(len(e["text"]["text"]) <= 75 for e in actions["elements"])
    assert all(e["action_id"].startswith(blocks.SUGGEST_ACTION_PREFIX) for e in actions["elements"])
    assert "`/ask list`" in json.dumps(message)
    assert "No official answer found for “sanctuary funding”." in message["text"]


def test_text_is_escaped_once_in_blocks_and_fallback(catalogue: Catalogue) -> None:
    entry = dataclasses.replace(catalogue.get("q14"), question="Is PEP < S-Comm & why?")
    decline = blocks.decline_message("a & b <c>", [entry])
    answer = blocks.answer_message(entry, "U1", "a & b <c>")
    for message in (decline, answer):
        everything = message["text"] + json.dumps(message["blocks"], ensure_ascii=False)
        assert "a &amp; b &lt;c&gt;" in everything
        assert "&amp;amp;" not in everything and "&amp;lt;" not in everything
        assert "<c>" not in everything
    assert "Q14: Is PEP &lt; S-Comm &amp; why?" in decline["text"]
    assert "Q14: Is PEP &lt; S-Comm &amp; why?" in answer["text"]
