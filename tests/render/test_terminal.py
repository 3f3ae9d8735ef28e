"""The terminal form of messages, and the demo, where a typed number presses a shown button."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

from bot.content import Catalogue, load_catalogue
from bot.demo import run_demo
from bot.matching import Candidate, Match, Matcher, Semantics
from bot.render import blocks, terminal
from bot.settings import load_settings


def test_rich_text_reads_as_written_with_links_and_bullets(catalogue: Catalogue) -> None:
    answer = (
        "See [the guidance](https://x.gov/g) & more:\n\n"
        "- one *two*\n  - nested\n- three\n\n"
        "4. four\n5. five\n\n"
        "Literal * and _ and <5 years> stay."
    )
    entry = dataclasses.replace(catalogue.get("q14"), answer=answer)
    shown = terminal.render(blocks.answer_message(entry))
    assert shown.startswith(f"Q14: {entry.question}\n\n")
    assert (
        "See the guidance (https://x.gov/g) & more:\n"
        "• one two\n"
        "  ◦ nested\n"
        "• three\n"
        "4. four\n"
        "5. five\n"
        "Literal * and _ and <5 years> stay.\n"
    ) in shown
    assert "⚠ Historical guidance from February 21, 2017." in shown
    assert "Archived copy (https://web.archive.org/web/20170221/https://www.dhs.gov/" in shown


def test_buttons_are_numbered_in_order(catalogue: Catalogue) -> None:
    message = blocks.decline_message("x", [catalogue.get("q14"), catalogue.get("q8")])
    shown = terminal.render(message)
    assert f"Q14: {catalogue.get('q14').question}\n  [1] Post Q14" in shown
    assert f"Q8: {catalogue.get('q8').question}\n  [2] Post Q8" in shown
    assert [b["value"] for b in terminal.buttons(message)] == ["q14", "q8"]


class Declining(Matcher):
    """Declines questions about sanctuary cities with three fixed candidates."""

    def match(self, query: str) -> Match:
        if "sanctuary" not in query:
            return super().match(query)
        ids = ("q14", "q15", "q8")
        found = tuple(Candidate(self.catalogue.get(i), 0.5 - n / 10) for n, i in enumerate(ids))
        return Match(query, None, 0.5, found)


def demo(matcher: Matcher, typed: str) -> str:
    out = io.StringIO()
    assert run_demo(load_settings(), matcher, io.StringIO(typed), out) == 0
    return out.getvalue()


def test_demo_presses_a_suggestion_by_its_number(
    catalogue: Catalogue, semantics: Semantics
) -> None:
    out = demo(Declining(catalogue, semantics), "sanctuary money\n2\n")
    offer, pressed = out.split("you> 2\n")
    assert "  [1] Post Q14\n" in offer and "  [2] Post Q8\n" in offer
    assert "(Type 1-2 to press a button; Q14 asks for question 14.)" in offer
    assert pressed.startswith(f"qabot (in channel)>\nQ8: {catalogue.get('q8').question}\n")
    assert catalogue.get("q8").answer in pressed.splitlines()


def test_demo_numbers_after_buttons_and_q14_always(
    catalogue: Catalogue, semantics: Semantics
) -> None:
    matcher = Declining(catalogue, semantics)
    out = demo(matcher, "sanctuary money\n7\nQ14\n14\n")
    _, offer, wrong, asked, bare = out.split("you> ")
    assert "[2] Post Q8" in offer
    # A number no button has is not taken for a question while buttons are shown.
    assert "There is no button [7]." in wrong
    assert "Q14: When is the Priority" not in wrong
    # "Q14" always asks for question 14; after an answer (no buttons) a bare 14 asks too.
    assert "Q14: When is the Priority Enforcement Program (PEP) being terminated?" in asked
    assert "Q14: When is the Priority Enforcement Program (PEP) being terminated?" in bare


def test_demo_more_button_shows_the_next_page(tmp_path: Path, semantics: Semantics) -> None:
    entries = "".join(
        f"  - id: e{n}\n    number: {n}\n    question: Is question {n} about topic {n}?\n"
        f"    answer: Answer {n}.\n"
        for n in range(1, 31)
    )
    path = tmp_path / "many.yaml"
    path.write_text(
        "sources:\n- id: many\n  title: Many questions\n  issuer: Example Agency\n"
        f"  released: 2020-01-02\n  entries:\n{entries}",
        encoding="utf-8",
    )
    out = demo(Matcher(load_catalogue(path), semantics), "/qa list\n1\n")
    first, second = out.split("you> 1\n")
    assert "Q25 Is question 25" in first and "Q26 " not in first
    assert "  [1] More" in first
    assert "Q26 Is question 26 about topic 26?" in second and "Q30 " in second
