"""The importer turns a release's text into content YAML, dropping page noise by rule."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from bot.content import ContentError, load_catalogue
from bot.content.importer import parse_release, to_content
from tests.conftest import CONTENT, SOURCE_TEXT, require


def test_round_trip_yields_the_content_questions_and_answers(tmp_path: Path) -> None:
    text = require(SOURCE_TEXT).read_text(encoding="utf-8")
    out = tmp_path / "imported.yaml"
    out.write_text(
        to_content(parse_release(text), "imported", "DHS", "https://example.org"),
        encoding="utf-8",
    )
    imported = load_catalogue(out)
    ours = load_catalogue(CONTENT)
    assert [(e.id, e.number, e.question, e.answer) for e in imported.entries] == [
        (e.id, e.number, e.question, e.answer) for e in ours.entries
    ]
    (source,) = imported.sources
    assert source.title == ours.sources[0].title
    assert source.released == ours.sources[0].released


def test_cli_import_writes_valid_yaml(tmp_path: Path) -> None:
    require(SOURCE_TEXT)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "content", "import", str(SOURCE_TEXT), "--source-id", "x"],
        capture_output=True,
        text=True,
        check=True,
    )
    data = yaml.safe_load(result.stdout)
    assert len(data["sources"][0]["entries"]) == 22
    assert data["sources"][0]["id"] == "x"


RELEASE = """\
Some Agency Q&A About Things

Release Date: March 3, 2019

Office of the Press Secretary

Q1: First question that the page
broke across lines?

XYZ Doc. No. 19030301. (Posted 3/3/19)

A1: An answer that goes on and

on after a page break. A second sentence.

A new paragraph.

Q2: Second?

A2: Yes.

Topics: Things
"""


def test_noise_is_dropped_by_rule_and_paragraphs_kept() -> None:
    release = parse_release(RELEASE)
    assert release.title == "Some Agency Q&A About Things"
    assert release.released.isoformat() == "2019-03-03"
    first, second = release.items
    assert first.question == "First question that the page broke across lines?"
    assert first.answer == (
        "An answer that goes on and on after a page break. A second sentence.\n\nA new paragraph."
    )
    assert second.answer == "Yes."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (RELEASE.replace("A2: Yes.", ""), ":18: Q2 has no answer"),
        (RELEASE.replace("A2: Yes.", "A3: Yes."), ":20: A3 after Q2"),
        (RELEASE.replace("March 3, 2019", "Marchy 3rd"), ":3: cannot read release date"),
        ("just some text\n", ":1: no 'Q1:' / 'A1:' pairs found"),
    ],
)
def test_malformed_release_reports_lines(text: str, message: str) -> None:
    with pytest.raises(ContentError) as caught:
        parse_release(textwrap.dedent(text), "rel.txt")
    assert any(str(p).startswith("rel.txt" + message) for p in caught.value.problems), str(
        caught.value
    )
