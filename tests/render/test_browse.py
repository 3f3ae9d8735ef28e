"""Help, lists and "Which Q14?": examples from what is loaded, pages within Slack's limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.content import Catalogue, load_catalogue
from bot.render import browse
from bot.render.blocks import SUGGEST_ACTION_PREFIX
from tests.content.synthetic import source, write
from tests.render.reading import check_slack_limits


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    """40 documents, one of them with 130 questions and a notice, all with a Q1."""
    folder = tmp_path_factory.mktemp("crowded")
    big = source("big", 130, notice="Superseded in 2021. See the current page.")
    write(folder / "a.yaml", big, *(source(f"doc{n:02d}", 3) for n in range(39)))
    return load_catalogue(folder / "a.yaml")


def _follow(message: dict, next_page) -> list[dict]:
    """The message and every page its "More" buttons lead to."""
    pages = [message]
    while button := _more(pages[-1]):
        pages.append(next_page(browse.page_value(button["value"])))
        assert len(pages) < 100
    return pages


def _more(message: dict) -> dict | None:
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == browse.MORE_ACTION:
                return element
    return None


def test_documents_page_through_every_document_once(crowded: Catalogue) -> None:
    def next_page(value: tuple[str | None, int]) -> dict:
        short, page = value
        assert short is None
        return browse.documents_message(crowded, "/qa", page)

    pages = _follow(browse.index_message(crowded, "/qa"), next_page)
    assert len(pages) == 3
    shown = [
        line.split("*")[1]
        for page in pages
        for block in page["blocks"]
        if block["type"] == "section"
        for line in [block["text"]["text"]]
        if line.startswith("*") and "documents loaded" not in line
    ]
    assert shown == [d.short for d in crowded.documents]
    for page in pages:
        check_slack_limits(page)


def test_one_document_pages_through_every_question_once(crowded: Catalogue) -> None:
    document = crowded.document("big")
    assert document is not None

    def next_page(value: tuple[str | None, int]) -> dict:
        assert value[0] == "big"
        return browse.list_message(document, "/qa", value[1])

    pages = _follow(browse.list_message(document, "/qa"), next_page)
    assert len(pages) == 6
    text = "\n".join(p["text"] for p in pages)
    assert [line.split(":")[0] for line in text.splitlines()] == [e.label for e in document.entries]
    for page in pages:
        check_slack_limits(page)
        assert "Superseded in 2021." in json.dumps(page)  # the notice is on every page


def test_which_number_offers_each_document_s_entry(crowded: Catalogue) -> None:
    entries = crowded.numbered(1)
    message = browse.which_message(1, entries, crowded.documents)
    check_slack_limits(message)
    buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert len(buttons) == 25  # Slack's most per actions block; 40 documents have a Q1
    assert [b["value"] for b in buttons] == [e.id for e in entries[:25]]
    assert all(b["action_id"].startswith(SUGGEST_ACTION_PREFIX) for b in buttons)
    assert message["text"].startswith("Which Q1? big Q1; doc00 Q1;")


def test_help_takes_its_examples_from_the_loaded_content(tmp_path: Path) -> None:
    one = load_catalogue(write(tmp_path / "one.yaml", source("solo", 3)))
    text = json.dumps(browse.help_message("/ask", one))
    assert "`/ask What does solo say about topic 1?`" in text
    assert "`/ask 3` or `/ask Q3`" in text
    assert "PEP" not in text and "list solo" not in text  # one document: no names to type
    check_slack_limits(browse.help_message("/ask", one))


def test_help_names_documents_when_several_are_loaded(crowded: Catalogue) -> None:
    message = browse.help_message("/qa", crowded)
    check_slack_limits(message)
    text = json.dumps(message)
    assert "`/qa big 14` picks the document" in text and "`/qa list big`" in text
    assert "and 25 more: `/qa list`" in text


@pytest.mark.parametrize(
    ("value", "wanted"),
    [
        ("docs:2", (None, 2)),
        ("list:big:1", ("big", 1)),
        ("list:a-b:10", ("a-b", 10)),
        ("list::1", None),
        ("docs:x", None),
        ("other:1", None),
        ("", None),
    ],
)
def test_more_button_values(value: str, wanted: tuple[str | None, int] | None) -> None:
    assert browse.page_value(value) == wanted
