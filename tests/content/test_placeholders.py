"""Content with an import's placeholder left in is refused, at its line, with what to write."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.content import check
from tests.conftest import ROOT
from tests.content.importers.conftest import FIXTURES, fill, imported


def _line_of(text: str, start: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.lstrip().startswith(start))


def test_every_placeholder_an_import_leaves_is_refused_at_its_line(tmp_path: Path) -> None:
    text = imported(FIXTURES / "qna.tsv")
    path = tmp_path / "new.yaml"
    path.write_text(text, encoding="utf-8")
    problems = check(path)
    fields = ("title", "issuer", "released", "url", "notice")
    assert [(p.file, p.line) for p in problems] == [
        (str(path), _line_of(text, f"{field}: ")) for field in fields
    ]
    for field, problem in zip(fields, problems, strict=True):
        assert problem.message.startswith(f"source qna: {field} is still a placeholder"), problem
        assert ": write " in problem.message  # says what to put there
    # The placeholder is what is reported, not the date or address it fails to be.
    assert not any("pattern" in p.message or "bad date" in p.message for p in problems)


def test_an_import_filled_in_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "new.yaml"
    path.write_text(fill(imported(FIXTURES / "qna.tsv")), encoding="utf-8")
    assert check(path) == []


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


def test_content_check_command_fails_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "new.yaml"
    path.write_text(imported(FIXTURES / "release-question-style.txt"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "content", "check", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"{path}:11: source release-question-style: issuer is still a placeholder" in (
        result.stderr
    )
    assert "3 problems found" in result.stderr
