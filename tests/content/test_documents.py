"""Documents: sources grouped by short name, named for typing, numbers looked up per document."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.content import load_catalogue
from bot.content.loader import ContentError
from bot.content.reference import resolve
from tests.content.synthetic import source, write


@pytest.fixture
def three(tmp_path: Path) -> Path:
    write(
        tmp_path / "a.yaml",
        source("alpha-one", 3, short="alpha"),
        source("alpha-two", 2, short="alpha", title="Another title", first_id=10),
    )
    write(tmp_path / "b.yaml", source("bravo", 4, title="Q&A: Bravo Implementation Notes"))
    write(tmp_path / "c.yaml", source("charlie", 2, title="Q&A: Bravo Rules"))
    return tmp_path


def test_sources_sharing_a_short_name_are_one_document(three: Path) -> None:
    catalogue = load_catalogue(three)
    assert [d.short for d in catalogue.documents] == ["alpha", "bravo", "bravo-2"]
    alpha = catalogue.document("alpha")
    assert alpha is not None
    assert [s.id for s in alpha.sources] == ["alpha-one", "alpha-two"]
    assert len(alpha.entries) == 5


def test_labels_name_the_document_only_when_several_are_loaded(three: Path) -> None:
    catalogue = load_catalogue(three)
    assert catalogue.get("bravo-2").label == "bravo Q2"
    assert catalogue.document("bravo").entries[1] is catalogue.get("bravo-2")
    alone = load_catalogue(three / "b.yaml")
    assert alone.get("bravo-2").label == "Q2"


def test_a_number_is_looked_up_in_every_document_or_the_one_named(three: Path) -> None:
    catalogue = load_catalogue(three)
    # The first entry with the number in each document: alpha's second source also has a 1.
    assert [e.id for e in resolve("Q1", catalogue).entries] == [
        "alpha-one-1",
        "bravo-1",
        "charlie-1",
    ]
    assert [e.id for e in resolve("#4", catalogue).entries] == ["bravo-4"]
    assert [e.id for e in resolve("question 2 ?", catalogue).entries] == [
        "alpha-one-2",
        "bravo-2",
        "charlie-2",
    ]
    named = resolve("Bravo-2 Q2", catalogue)
    assert named.document.short == "bravo-2"
    assert [e.id for e in named.entries] == ["charlie-2"]
    assert resolve("alpha: 9", catalogue).entries == ()
    assert resolve("chapter 2", catalogue) is None  # no such document: a question, not a number
    assert resolve("what is 2 plus 2", catalogue) is None


def test_entries_take_their_own_page_and_dates_else_the_source_s(tmp_path: Path) -> None:
    block = source("coll", 2, updated="2020-02-01")
    block["entries"][1] |= {"url": "https://example.gov/page-2", "released": "2021-05-06"}
    catalogue = load_catalogue(write(tmp_path / "c.yaml", block))
    first, second = catalogue.entries
    assert (first.url, first.released, first.updated) == (
        "https://example.gov/coll",
        dt.date(2020, 1, 2),
        dt.date(2020, 2, 1),
    )
    # An entry with its own date is not "updated" by its source's later date.
    assert (second.url, second.released, second.updated) == (
        "https://example.gov/page-2",
        dt.date(2021, 5, 6),
        None,
    )
    assert catalogue.documents[0].released == (dt.date(2020, 1, 2), dt.date(2021, 5, 6))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"updated": "2019-12-31"},
            "source x: updated: 2019-12-31 is before the release date, 2020-01-02",
        ),
        ({"short": "Has Space"}, "source x: short: String should match pattern"),
    ],
)
def test_bad_document_fields_are_reported_by_line(
    tmp_path: Path, change: dict[str, str], message: str
) -> None:
    path = write(tmp_path / "bad.yaml", source("x", 1) | change)
    with pytest.raises(ContentError) as caught:
        load_catalogue(path)
    [problem] = caught.value.problems
    assert problem.file == str(path) and problem.line > 1
    assert message in problem.message
