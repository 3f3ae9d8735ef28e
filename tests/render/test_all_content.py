"""Every entry of every content file, rendered: the official text's words all there, in order,
none added or changed, and every message one Slack accepts."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest

from bot.content import Entry, load_catalogue
from bot.render import blocks, markup
from tests.conftest import CONTENT, CVFAQ, require
from tests.render.reading import (
    answer_shown,
    check_slack_limits,
    links,
    visible_html,
    visible_markdown,
    words,
)


def entries(directory: Path) -> list[Entry]:
    found = [e for path in sorted(directory.glob("*.yaml")) for e in load_catalogue(path).entries]
    assert found, f"no content in {directory}"
    return found


def check_entry(entry: Entry) -> None:
    message = blocks.answer_message(entry, asked_by="U123", query="a question")
    check_slack_limits(message)
    assert same_words(entry, message), entry.id
    for text, url in links(message):
        assert text.strip() and url.startswith(("https://", "http://", "mailto:")), entry.id
    fallback = message["text"].replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert words(markup.plain(markup.parse(entry.answer))) in words(fallback), entry.id


def same_words(entry: Entry, message: dict) -> bool:
    """The answer as posted shows the official text: exactly, when it is plain text; its visible
    words in order, when it is written in Markdown or HTML."""
    written = markup.kind(entry.answer)
    if written == "plain":
        return answer_shown(message) == entry.answer
    official = visible_html(entry.answer) if written == "html" else visible_markdown(entry.answer)
    return words(answer_shown(message, "\n")) == words(official)


def test_every_entry_of_the_repository_content_renders_verbatim() -> None:
    checked = entries(CONTENT.parent)
    for entry in checked:
        # The release's answers are plain text: shown exactly as written, paragraphs and all.
        assert markup.kind(entry.answer) == "plain", entry.id
        check_entry(entry)


def test_every_entry_of_the_shared_content_renders_verbatim() -> None:
    require(CVFAQ)
    checked = entries(CVFAQ.parent)
    for entry in checked:
        check_entry(entry)
    kinds = {markup.kind(e.answer) for e in checked}
    assert {"plain", "markdown"} <= kinds
    with_links = [e for e in checked if "](http" in e.answer or "<a href" in e.answer]
    assert with_links and all(links(blocks.answer_message(e)) for e in with_links)


MARKDOWN = (
    "People with [certain conditions](https://example.gov/c) are at risk.\n\n"
    "- Wash **your hands** often.\n- Keep 6 feet apart.\n\n1. First\n2. Second"
)


@pytest.mark.parametrize("answer", ["Plain text.\n\nA second paragraph.", MARKDOWN])
def test_the_comparison_catches_a_lost_or_changed_character(answer: str) -> None:
    entry = dataclasses.replace(load_catalogue(CONTENT).entries[0], answer=answer)
    message = blocks.answer_message(entry)
    assert same_words(entry, message)
    texts = [
        part
        for block in message["blocks"][1:]
        if block["type"] == "rich_text"
        for part in _parts(block)
        if len(part["text"]) > 3
    ]
    assert texts
    for part in texts:
        for changed in (part["text"][1:], part["text"][:2] + "x" + part["text"][3:]):
            tampered = copy.deepcopy(message)
            original = part["text"]
            for candidate in _all_parts(tampered):
                if candidate["text"] == original:
                    candidate["text"] = changed
                    break
            assert not same_words(entry, tampered), changed


def _parts(block: dict) -> list[dict]:
    sections = [
        section
        for element in block["elements"]
        for section in (element["elements"] if element["type"] == "rich_text_list" else [element])
    ]
    return [part for section in sections for part in section["elements"]]


def _all_parts(message: dict) -> list[dict]:
    return [p for b in message["blocks"] if b["type"] == "rich_text" for p in _parts(b)]
