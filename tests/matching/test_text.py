"""Normalisation: the same words however people type them."""

from __future__ import annotations

import pytest

from bot.matching.text import normalise, stem, terms


@pytest.mark.parametrize(
    "text", ["287(g)", "287g", "287 (g)", "287-g", "287 g", "287(G)", "２８７(g)"]
)
def test_section_287g_has_one_form(text: str) -> None:
    assert normalise(text) == "287g"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Has PEP ended, then?", "has pep ended then"),
        ("hire the 10,000 agents", "hire the 10000 agents"),
        ("the 10k new hires", "the 10000 new hires"),
        ("ICE’s job", "ice job"),
        ("U.S. Attorney's Office", "us attorney office"),
        ("<!channel> hey <@U123ABC> there", "hey there"),
        ("see <https://example.org|the release>", "see the release"),
        (":wave: hello :rocket:", "hello"),
        ("ＤＡＣＡ", "daca"),
        ("", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_stems_join_word_forms() -> None:
    assert stem("priorities") == stem("prioritize") == stem("priority")
    assert stem("removal") == stem("removable")
    # A detainer is a legal instrument, not the act of detaining: kept apart on purpose.
    assert stem("detainers") != stem("detain")


def test_terms_drop_stopwords() -> None:
    assert terms("What is the Priority Enforcement Program?") == [
        stem("priority"),
        "enforc",
        "program",
    ]
    assert terms("hey, thanks so much!") == ["much"]
