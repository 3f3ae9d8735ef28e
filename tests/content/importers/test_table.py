"""CSV and TSV: a question and an answer column, the cells kept as written."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from bot.content import ContentError
from bot.content.importers import table
from tests.content.importers.conftest import FIXTURES, imported, load_filled, pairs


def _source_pairs(path: Path, delimiter: str) -> list[tuple[str, str]]:
    """The question and answer cells read with the csv module alone."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = csv.DictReader(file, delimiter=delimiter)
        return [(row["Question"].strip(), row["Answer"].strip()) for row in rows]


@pytest.mark.parametrize(("name", "delimiter"), [("faq.csv", ","), ("qna.tsv", "\t")])
def test_round_trip_keeps_the_cells(name: str, delimiter: str, tmp_path: Path) -> None:
    path = FIXTURES / name
    catalogue = load_filled(imported(path), tmp_path)
    assert pairs(catalogue) == _source_pairs(path, delimiter)
    assert [(e.id, e.number) for e in catalogue.entries] == [("q1", 1), ("q2", 2)]


def test_multi_line_cells_pages_and_dates(tmp_path: Path) -> None:
    catalogue = load_filled(imported(FIXTURES / "faq.csv"), tmp_path)
    first, second = catalogue.entries
    assert first.answer == (
        "Applicants file one form instead of two.\n\n"
        'The form is on the forms page, "Sample" section.'
    )
    assert second.question == "Is there a fee,\nor a waiver?"
    assert (first.url, first.released) == ("https://example.gov/faq/forms", dt.date(2019, 3, 3))
    assert (second.url, second.released) == ("https://example.gov/faq/fees", dt.date(2019, 3, 5))


def test_qna_export_source_and_metadata(tmp_path: Path) -> None:
    out = imported(FIXTURES / "qna.tsv", url="https://example.gov/faq")
    first, second = load_filled(out, tmp_path).entries
    assert first.url == "https://example.gov/faq"  # "Editorial" is no page: the source's
    assert second.url == "https://example.gov/faq#fee"
    assert first.topics == ("forms", "public")


def test_delimiter_from_the_header_whatever_the_name(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("question\tANSWER\nOne?\tYes, one.\n", encoding="utf-8")
    assert [(e.question, e.answer) for e in table.read(path).entries] == [("One?", "Yes, one.")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Q,Answer\nOne?,Yes.\n", ":1: no 'Question' column (the header has 'Q', 'Answer')"),
        ('Question,Answer\n"One,\ntwo?",Yes.\nThree?,\n', ":4: the row has no answer"),
        ("Question,Answer,Date\nOne?,Yes.,soon\n", ":2: cannot read the date 'soon'"),
        ('Question,Answer\nOne?,"Yes.\n', ":2: not a readable table row"),
        ("Question,Answer\n", ":1: no rows of questions and answers"),
        ("", ":1: the file is empty"),
    ],
)
def test_problems_name_file_and_line(text: str, expected: str, tmp_path: Path) -> None:
    path = tmp_path / "faq.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        table.read(path)
    assert any(str(p).startswith(f"{path}{expected}") for p in caught.value.problems), str(
        caught.value
    )
