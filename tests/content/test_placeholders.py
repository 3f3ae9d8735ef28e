"""Content with an import's placeholder left in is refused, at its line, with what to write."""

from __future__ import annotations

from pathlib import Path

from bot.content import check

CONTENT = """\
sources:
- id: s
  title: T
  issuer: I
  released: 2019-01-01
  entries:
  - id: a
    number: 1
    question: Q?
    answer: A.
    url: 'FILL IN: write the page of this answer'
  - id: b
    number: 2
    question: Q?
    answer: ''
"""


def test_placeholders_anywhere_and_other_problems_beside_them(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(CONTENT, encoding="utf-8")
    assert [str(p) for p in check(path)] == [
        f"{path}:11: entry a: url is still a placeholder from the import: "
        "write the page of this answer",
        f"{path}:15: entry b: answer: answer is empty",
    ]


def test_filled_in_it_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    filled = CONTENT.replace("'FILL IN: write the page of this answer'", "https://example.gov/a")
    path.write_text(filled.replace("answer: ''", "answer: B."), encoding="utf-8")
    assert check(path) == []


def test_a_date_placeholder_is_reported_as_one_not_as_a_bad_date(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    dated = CONTENT.replace("2019-01-01", "'FILL IN: write the date it was released'")
    path.write_text(dated.replace("answer: ''", "answer: B."), encoding="utf-8")
    assert [str(p) for p in check(path)] == [
        f"{path}:5: source s: released is still a placeholder from the import: "
        "write the date it was released",
        f"{path}:11: entry a: url is still a placeholder from the import: "
        "write the page of this answer",
    ]
