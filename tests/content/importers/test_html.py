"""A saved page of numbered questions: answers as Markdown, links and lists kept, page left out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.content import ContentError
from bot.content.importers import html_page
from tests.content.importers.conftest import FIXTURES, imported, load_filled, pairs

PAGE = FIXTURES / "faq.html"


def test_round_trip_gives_the_page_text_as_markdown(tmp_path: Path) -> None:
    catalogue = load_filled(imported(PAGE), tmp_path)
    assert pairs(catalogue) == [
        (
            "What does the Sample Program change for applicants?",
            "Applicants file *one* form instead of two, from the "
            "[forms page](https://example.gov/forms/sample).\n"
            "\n"
            "The agency will publish:\n"
            "\n"
            "- the form & its instructions;\n"
            "- a list of **fees**, with\n"
            "  1. the filing fee\n"
            "  2. the biometrics fee",
        ),
        (
            "Is there a fee waiver?",
            # The non-breaking space stays; the in-page link is made absolute.
            "Yes, for applicants below 150\u00a0percent of the poverty line "
            "([details](https://example.gov/news/sample-program-qa#waiver)).",
        ),
        ("When does it start?", "On April 1, 2019."),
    ]


def test_title_dates_and_address_from_the_page(tmp_path: Path) -> None:
    (source,) = load_filled(imported(PAGE), tmp_path).sources
    assert source.title == "Q&A: Example Agency Implementation of the Sample Program"
    assert (source.released, source.updated) == (dt.date(2019, 3, 3), dt.date(2019, 3, 5))
    assert source.url == "https://example.gov/news/sample-program-qa"
    assert "issuer: 'FILL IN:" in imported(PAGE)


def test_headings_question_words_and_answer_headings(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_text(
        "<title>Sample FAQ</title><h2>Question 1</h2><p>Who may apply?</p>"
        "<h3>Answer</h3><p>Anyone.</p><h4>Details</h4><p>See below.</p>"
        "<h2>Question 2</h2><p>When?</p><p>Now.</p><h2>About us</h2><p>Not an answer.</p>",
        encoding="utf-8",
    )
    page = html_page.read(path)
    assert page.title == "Sample FAQ"
    assert [(e.question, e.answer) for e in page.entries] == [
        ("Who may apply?", "Anyone.\n\n#### Details\n\nSee below."),
        ("When?", "Now."),
    ]


def test_bare_numbers_only_in_sequence(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<h1>FAQ</h1><h3>1. Which forms?</h3><p>Two:</p><p>1. the first form;</p>"
        "<p>3. not a question either.</p><h3>2. Where?</h3><p>Online.</p>",
        encoding="utf-8",
    )
    page = html_page.read(path)
    assert [(e.number, e.question) for e in page.entries] == [(1, "Which forms?"), (2, "Where?")]
    assert page.entries[0].answer == "Two:\n\n1. the first form;\n\n3. not a question either."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<html>\n<p>No questions here.</p>\n</html>\n", ":1: no numbered questions and answers"),
        ("<p>Q1. One?</p>\n<p>A1. Yes.</p>\n<p>A2. No.</p>\n", ":3: A2 after Q1"),
        ("<p>Q1. One?</p>\n<p>A1. Yes.</p>\n<p>A1. No.</p>\n", ":3: a second answer to Q1"),
        ("<p>Q1. One?</p>\n<p>A2. Yes.</p>\n", ":2: A2 after Q1"),
        ("<p>Q1. One?</p>\n<h2>Next</h2>\n", ":1: Q1 has no answer"),
        ("<p>Release Date: soon</p>\n<p>Q1. One?</p><p>Yes.</p>", ":1: cannot read the release"),
    ],
)
def test_problems_name_file_and_line(text: str, expected: str, tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        html_page.read(path)
    assert any(str(p).startswith(f"{path}{expected}") for p in caught.value.problems), str(
        caught.value
    )
