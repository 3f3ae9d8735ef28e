"""Slack's suggested prompts, as a pure rendering of the welcome's questions."""

from __future__ import annotations

from pathlib import Path

from bot.content import Catalogue, load_catalogue
from bot.render.feedback import suggested_entries
from bot.render.prompts import suggested_prompts
from tests.content.synthetic import source, write

MAX_PROMPTS = 4  # Slack's documented limit
TITLE_LIMIT = 75  # the bot's own, a button's length


def test_prompts_ask_the_welcomes_questions_whole(catalogue: Catalogue) -> None:
    chosen = suggested_entries(catalogue.entries)
    prompts = suggested_prompts(chosen)
    assert [p["message"] for p in prompts] == [e.question for e in chosen]
    assert all(1 <= len(p["title"]) <= TITLE_LIMIT for p in prompts)
    assert [p["title"] for p in prompts][:2] == [e.question for e in chosen][:2]  # short ones
    # Q22 has 86 characters: its title is cut after a word and says so; its message is whole.
    long = prompts[2]
    assert long["message"] == chosen[2].question and len(long["message"]) > TITLE_LIMIT
    assert long["title"] == "Do these memoranda affect recipients of Deferred Action for Childhood…"


def test_no_more_than_four_prompts(catalogue: Catalogue) -> None:
    prompts = suggested_prompts(catalogue.entries)
    assert len(prompts) == MAX_PROMPTS
    assert [p["message"] for p in prompts] == [e.question for e in catalogue.entries[:4]]
    assert suggested_prompts([]) == []


def test_a_question_over_lines_or_over_a_messages_length(tmp_path: Path) -> None:
    block = source("long", 2)
    block["entries"][0]["question"] = "Which forms\nare needed?"
    block["entries"][1]["question"] = "Is there " + "a very long clause and " * 200 + "a fee?"
    entries = load_catalogue(write(tmp_path / "long.yaml", block)).entries
    lines, huge = suggested_prompts(entries)
    # A title is one line; the message is the question as written.
    assert lines == {"title": "Which forms are needed?", "message": "Which forms\nare needed?"}
    # Over Slack's 4,000 characters of a message, the question is asked by its number instead
    # of being cut: the matcher looks the label up exactly.
    assert len(entries[1].question) > 4000
    assert huge["message"] == entries[1].label == "Q2"
    assert huge["title"].endswith("…") and len(huge["title"]) <= TITLE_LIMIT
    assert entries[1].question.startswith(huge["title"][:-1])
