"""The release text: three numbering styles, page furniture dropped, dates and title kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.content import ContentError, load_catalogue
from bot.content.importers import text
from tests.conftest import CONTENT, SOURCE_TEXT, require
from tests.content.importers.conftest import FIXTURES, imported, load_filled, pairs

# The real release is written "Q1:" / "A1:"; dhs.gov writes others "Q1." / "A1.", and other
# releases "Question 1" / "Answer 1". Each style must give the 22 entries of content/qa.yaml.
STYLES = {
    "colon": lambda t: t,
    "period": lambda t: re.sub(r"(?m)^([QA])(\d+):", r"\1\2.", t),
    "words": lambda t: re.sub(
        r"(?m)^([QA])(\d+):", lambda m: f"{'Question' if m[1] == 'Q' else 'Answer'} {m[2]}", t
    ),
}


@pytest.mark.parametrize("style", STYLES)
def test_real_release_in_each_style_gives_the_content_entries(style: str, tmp_path: Path) -> None:
    source = STYLES[style](require(SOURCE_TEXT).read_text(encoding="utf-8"))
    assert style == "colon" or "Q1:" not in source  # the rewrite took
    release = tmp_path / "release.txt"
    release.write_text(source, encoding="utf-8")
    catalogue = load_filled(imported(release), tmp_path)
    ours = load_catalogue(CONTENT)
    assert [(e.id, e.number) for e in catalogue.entries] == [(f"q{n}", n) for n in range(1, 23)]
    assert pairs(catalogue) == pairs(ours)
    (source_block,) = catalogue.sources
    assert source_block.title == ours.sources[0].title
    assert source_block.released == ours.sources[0].released


def test_real_release_leaves_the_issuer_to_fill() -> None:
    release = text.read(require(SOURCE_TEXT))
    assert release.issuer is None  # "Office of the Press Secretary" alone names no issuer
    assert release.issuer_named == ("Office of the Press Secretary",)
    out = imported(SOURCE_TEXT)
    assert "issuer: 'FILL IN: write the full name of who issued it" in out
    assert "Office of the Press Secretary" in out


def test_question_style_release(tmp_path: Path) -> None:
    path = FIXTURES / "release-question-style.txt"
    catalogue = load_filled(imported(path), tmp_path)
    assert pairs(catalogue) == [
        (
            "What does the Sample Program change for applicants?",
            "Applicants file one form instead of two. The agency will publish the form on its "
            "website. A second sentence.\n\nA new paragraph of the same answer.",
        ),
        ("Is there a fee?", "No."),
        ("When does it start?", "On April 1, 2019."),
    ]
    (source,) = catalogue.sources
    assert source.title == "Q&A: Example Agency Implementation of the Sample Program"
    assert source.released.isoformat() == "2019-03-03"
    # "UPDATED: March 5, 2019 2:00 p.m. EST" runs into the office's name with no blank line.
    assert source.updated is not None and source.updated.isoformat() == "2019-03-05"
    for entry in catalogue.entries:
        for noise in ("Doc. No.", "Page 2 of 3", "- 3 -", "Topics", "Last Published", "intro"):
            assert noise not in entry.answer


def test_flags_fill_what_they_name(tmp_path: Path) -> None:
    out = imported(
        FIXTURES / "release-question-style.txt",
        id="sample-qa",
        short="sample",
        issuer="Example Agency, Office of the Press Secretary",
        url="https://example.gov/news/sample",
    )
    left = [line.split(":")[0].strip() for line in out.splitlines() if ": 'FILL IN:" in line]
    assert left == ["notice"]
    (source,) = load_filled(out, tmp_path).sources
    assert (source.id, source.short) == ("sample-qa", "sample")
    assert source.issuer == "Example Agency, Office of the Press Secretary"
    assert source.url == "https://example.gov/news/sample"


def test_release_without_a_date_line_gets_placeholders(tmp_path: Path) -> None:
    path = tmp_path / "bare.txt"
    path.write_text("Q1. Is it?\n\nA1. Yes.\n", encoding="utf-8")
    out = imported(path)
    assert "title: 'FILL IN:" in out and "released: 'FILL IN:" in out
    assert pairs(load_filled(out, tmp_path)) == [("Is it?", "Yes.")]


def test_a_question_the_other_style_would_start_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text(
        "Q1: Which form?\n\nA1: The new one.\n\nQuestion 3 of it asks for a date.\n", "utf-8"
    )
    (entry,) = text.read(path).entries
    assert entry.answer == "The new one.\n\nQuestion 3 of it asks for a date."


RELEASE = """\
Some Agency Q&A

Release Date: March 3, 2019

Q1: First?

A1: Yes.

Q2: Second?

A2: No.
"""


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("just some text\n", ":1: no numbered questions and answers found"),
        (RELEASE.replace("A2: No.", ""), ":9: Q2 has no answer"),
        (RELEASE.replace("A2: No.", "A3: No."), ":11: A3 after Q2"),
        (RELEASE.replace("A1: Yes.", "A1: Yes.\n\nA1: Again."), ":9: a second answer to Q1"),
        (RELEASE.replace("Some Agency Q&A", "A1: Early."), ":1: A1 before any question"),
        (RELEASE.replace("March 3, 2019", "Marchy 3rd"), ":3: cannot read the release date"),
        (
            RELEASE.replace("\n\nQ1", "\nUpdated: March 1, 2019\n\nQ1"),
            ":4: updated 2019-03-01 is before released 2019-03-03",
        ),
    ],
)
def test_malformed_release_names_file_and_line(source: str, expected: str, tmp_path: Path) -> None:
    path = tmp_path / "rel.txt"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        text.read(path)
    assert any(str(p).startswith(f"{path}{expected}") for p in caught.value.problems), str(
        caught.value
    )


def test_unreadable_text_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"Q1: Ok?\n\nA1: Caf\xe9.\n")
    with pytest.raises(ContentError, match=re.escape(f"{path}:3: not UTF-8 text")):
        text.read(path)
