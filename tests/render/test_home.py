"""The Home tab and its modals: valid Block Kit within Slack's limits, however much is loaded."""

from __future__ import annotations

import dataclasses
import datetime as dt

from bot.content import Catalogue
from bot.content.documents import documents
from bot.render.blocks import answer_message
from bot.render.browse import example_question
from bot.render.home import (
    ENTRY_BLOCK,
    MAX_VIEW_BLOCKS,
    QUEUE_ADD_ACTION,
    Asked,
    Queued,
    answer_modal,
    entry_options,
    home_view,
    phrasing_modal,
    search_modal,
)
from tests.render.reading import check_view


def many_documents(catalogue: Catalogue, copies: int) -> Catalogue:
    """The shipped entries loaded ``copies`` times over, each copy a document of its own."""
    entries = []
    for n in range(copies):
        for entry in catalogue.entries:
            source = entry.source.model_copy(
                update={"id": f"{entry.source.id}-{n}", "short": f"doc{n}", "notice": "Old. " * 40}
            )
            entries.append(dataclasses.replace(entry, id=f"{entry.id}-{n}", source=source))
    loaded, docs = documents(entries)
    return Catalogue(entries=loaded, documents=docs)


def queued(count: int) -> list[Queued]:
    when = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    return [Queued(f"question {n}", f"Question number {n}?", n + 1, when) for n in range(count)]


def test_a_home_view_with_everything_keeps_to_100_blocks(catalogue: Catalogue) -> None:
    big = many_documents(catalogue, 20)
    asked = [Asked(e, 50 - i) for i, e in enumerate(big.entries[:30])]
    view = home_view(big, asked, queued(60))
    check_view(view)
    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS
    assert any(
        b.get("elements", [{}])[0].get("action_id") == QUEUE_ADD_ACTION
        for b in view["blocks"]
        if b["type"] == "actions"
    )


def test_the_home_view_without_a_queue_or_history(catalogue: Catalogue) -> None:
    view = home_view(catalogue, [], None)
    check_view(view)
    assert not [b for b in view["blocks"] if b["type"] == "actions"]


def test_the_phrasing_modal_lists_a_small_catalogue_and_asks_for_a_large_one(
    catalogue: Catalogue,
) -> None:
    item = queued(1)[0]
    small = phrasing_modal(item, catalogue)
    check_view(small)
    [select] = [b["element"] for b in small["blocks"] if b.get("block_id") == ENTRY_BLOCK]
    assert select["type"] == "static_select"
    assert [o["value"] for o in select["options"]] == [e.id for e in catalogue.entries]

    big = many_documents(catalogue, 6)
    assert len(big) > 100
    large = phrasing_modal(item, big)
    check_view(large)
    [select] = [b["element"] for b in large["blocks"] if b.get("block_id") == ENTRY_BLOCK]
    assert select["type"] == "external_select"
    options = entry_options(big, "")
    assert sum(len(g["options"]) for g in options["option_groups"]) == 100
    found = entry_options(big, "doc3 q14")
    assert [o["value"] for g in found["option_groups"] for o in g["options"]] == ["q14-3"]


def test_search_modals_are_valid(catalogue: Catalogue) -> None:
    check_view(search_modal())
    for entry in catalogue.entries:
        check_view(answer_modal(answer_message(entry, "U123", "a question")))


def test_the_search_box_takes_its_example_from_the_content(catalogue: Catalogue) -> None:
    example = example_question(catalogue.entries)
    box = search_modal(example)
    check_view(box)
    assert box["blocks"][0]["element"]["placeholder"]["text"] == f"e.g. {example}"
    long = search_modal("x" * 200)
    assert long["blocks"][0]["element"]["placeholder"]["text"] == "Ask in your own words"
