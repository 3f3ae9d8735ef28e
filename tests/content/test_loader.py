"""Loading and validating content files: every problem reported as file:line: message."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from bot.content import ContentError, check, load_catalogue

VALID = """\
sources:
  - id: demo
    title: A release
    issuer: An agency
    released: 2020-01-02
    url: https://example.org/release
    notice: Old guidance.
    entries:
      - id: q1
        number: 1
        question: First question?
        answer: First answer.
      - id: q2
        number: 2
        question: Second question?
        answer: |-
          Second answer, paragraph one.

          Paragraph two.
        keywords: [second]
"""


def write(tmp_path: Path, text: str, name: str = "qa.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    return [str(p) for p in check(path)]


def test_valid_file_loads(tmp_path: Path) -> None:
    catalogue = load_catalogue(write(tmp_path, VALID))
    assert [e.id for e in catalogue.entries] == ["q1", "q2"]
    assert catalogue.get("q2").paragraphs == ("Second answer, paragraph one.", "Paragraph two.")
    assert catalogue.get("q1").source.notice == "Old guidance."
    assert len(catalogue.version) == 12


def test_version_changes_with_content(tmp_path: Path) -> None:
    first = load_catalogue(write(tmp_path, VALID)).version
    second = load_catalogue(write(tmp_path, VALID.replace("First answer", "Other"))).version
    assert first != second


def test_yaml_syntax_error_has_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("        number: 2\n", "        number: [2\n"))
    (problem,) = problems(path)
    assert problem.startswith(f"{path}:")
    assert "YAML syntax error" in problem
    line = int(problem.split(":")[1])
    assert 14 <= line <= 16


def test_missing_field_points_at_the_entry(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("        answer: First answer.\n", ""))
    assert problems(path) == [f"{path}:9: entry q1: missing field 'answer'"]


def test_unknown_field_points_at_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("        keywords: [second]", "        keyword: [x]"))
    assert problems(path) == [f"{path}:20: entry q2: unknown field 'keyword'"]


def test_duplicate_id(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("id: q2", "id: q1"))
    assert problems(path) == [f"{path}:13: duplicate id 'q1' (first at line 9)"]


def test_empty_answer(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("answer: First answer.", "answer: '   '"))
    assert problems(path) == [f"{path}:12: entry q1: answer: answer is empty"]


def test_bad_date(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("released: 2020-01-02", "released: 2020-13-45"))
    (problem,) = problems(path)
    assert problem.startswith(f"{path}:5: source demo: bad date")
    assert "YYYY-MM-DD" in problem


def test_duplicate_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        VALID.replace(
            "        answer: First answer.\n",
            "        answer: First answer.\n        answer: Again.\n",
        ),
    )
    assert problems(path) == [f"{path}:13: duplicate key 'answer'"]


def test_id_shared_by_two_sources(tmp_path: Path) -> None:
    second = VALID.replace("id: demo", "id: other").replace("sources:\n", "")
    path = write(tmp_path, VALID + second)
    found = problems(path)
    assert any(
        p.startswith(f"{path}:") and "'q1' is shared by sources 'demo'" in p and "'other'" in p
        for p in found
    ), found


def test_id_shared_across_files_of_a_directory(tmp_path: Path) -> None:
    write(tmp_path, VALID, "a.yaml")
    write(tmp_path, VALID.replace("id: demo", "id: other"), "b.yaml")
    found = problems(tmp_path)
    assert len(found) == 2
    assert all(p.startswith(str(tmp_path / "b.yaml")) for p in found)


def test_several_problems_all_reported(tmp_path: Path) -> None:
    broken = VALID.replace("answer: First answer.", "answer: ''").replace(
        "title: A release", "titel: A release"
    )
    found = problems(write(tmp_path, broken))
    assert len(found) >= 3  # unknown titel, missing title, empty answer
    assert any("unknown field 'titel'" in p for p in found)
    assert any("missing field 'title'" in p for p in found)


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    assert problems(path) == [f"{path}:1: the file is empty; expected a 'sources' list"]


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(ContentError) as caught:
        load_catalogue(path)
    assert str(caught.value) == f"{path}:0: content file not found (set QABOT_CONTENT to its path)"


def test_unreadable_file(tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    path = blocker / "qa.yaml"  # a path through a file cannot be opened
    (problem,) = problems(path)
    assert problem.startswith(f"{path}:0: cannot read content file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_file_without_read_permission(tmp_path: Path) -> None:
    path = write(tmp_path, VALID)
    path.chmod(0)
    (problem,) = problems(path)
    assert problem == f"{path}:0: cannot read content file: Permission denied"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "qa.yaml"
    path.write_bytes(VALID.encode() + b"\n# \xff\xfe\n")
    (problem,) = problems(path)
    assert problem == f"{path}:22: not valid UTF-8 text"


VOCABULARY = """\
    vocabulary:
      acronyms: {ppp: paycheck protection program}
      phrases: {payroll loan: ppp}
      synonyms: {forgiven: [forgiveness]}
      concepts: [loan loans lending credit]
      context: [cares, 2020]
      off_document: [mortgage]
"""


def with_vocabulary(text: str = VOCABULARY) -> str:
    return VALID.replace("    entries:\n", text + "    entries:\n", 1)


def test_vocabulary_block_loads(tmp_path: Path) -> None:
    vocabulary = load_catalogue(write(tmp_path, with_vocabulary())).sources[0].vocabulary
    assert vocabulary.acronyms == {"ppp": "paycheck protection program"}
    assert vocabulary.synonyms == {"forgiven": ("forgiveness",)}
    assert vocabulary.context == ("cares", "2020")  # an unquoted year is a word too
    assert vocabulary.off_document == ("mortgage",)


def test_a_source_without_vocabulary_has_an_empty_one(tmp_path: Path) -> None:
    vocabulary = load_catalogue(write(tmp_path, VALID)).sources[0].vocabulary
    assert not any(vocabulary.model_dump().values())


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("ppp: paycheck", "p p p: paycheck", 9, "vocabulary.acronyms: 'p p p' is not one word"),
        ("ppp: paycheck protection program", "ppp: paycheck", 9, "'paycheck' needs at least"),
        ("[loan loans lending credit]", "[loan]", 12, "vocabulary.concepts: 'loan' needs at"),
        ("[forgiveness]", "[debt relief]", 11, "vocabulary.synonyms: 'debt relief' is not one"),
        ("[forgiveness]", "[]", 11, "vocabulary.synonyms: 'forgiven' has no synonyms"),
        ("[cares, 2020]", "[cares, cares act]", 13, "vocabulary.context: 'cares act' is not one"),
        ("off_document:", "off_topic:", 14, "source demo: unknown field 'off_topic'"),
    ],
)
def test_vocabulary_problems_have_their_line(
    tmp_path: Path, old: str, new: str, line: int, message: str
) -> None:
    path = write(tmp_path, with_vocabulary(VOCABULARY.replace(old, new)))
    (problem,) = problems(path)
    assert problem.startswith(f"{path}:{line}: source demo: ")
    assert message in problem
