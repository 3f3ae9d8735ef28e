"""A folder of Markdown files with front matter: one entry per file, the body kept exactly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from bot.content import ContentError
from bot.content.importers import markdown
from tests.content.importers.conftest import FIXTURES, imported, load_filled, pairs

FOLDER = FIXTURES / "faq-md"


def _source_pairs(folder: Path) -> list[tuple[str, str]]:
    """Each file's title and body, read without the importer: what the entries must hold."""
    found = []
    for path in sorted(folder.rglob("*.md"), key=lambda p: p.relative_to(folder).as_posix()):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        found.append((yaml.safe_load(front)["title"], body.strip()))
    return found


def test_round_trip_keeps_question_and_answer_exactly(tmp_path: Path) -> None:
    catalogue = load_filled(imported(FOLDER), tmp_path)
    assert pairs(catalogue) == _source_pairs(FOLDER)
    # The Markdown comes through untouched: the hard line break, the list, the indented line.
    fees = catalogue.get("fees")
    assert fees is not None and "for  \nthe details:\n\n* no filing fee" in fees.answer
    forms = catalogue.get("forms")
    assert forms is not None and forms.answer.endswith("\n\n    An indented line kept as written.")


def test_one_source_with_each_entrys_page_and_date(tmp_path: Path) -> None:
    catalogue = load_filled(imported(FOLDER), tmp_path)
    assert [(e.id, e.number) for e in catalogue.entries] == [
        ("fees", 1),
        ("forms", 2),
        ("fees-2", 3),  # travel/fees.md: ids from file names, made unique
    ]
    (source,) = catalogue.sources
    assert source.issuer == "Example Agency"  # every file names the same one
    assert source.released == dt.date(2019, 3, 3)  # the earliest entry's date
    got = {e.id: (e.url, e.released, e.updated) for e in catalogue.entries}
    assert got == {
        "fees": ("https://example.gov/faq/fees", dt.date(2019, 3, 5), None),
        "forms": ("https://example.gov/faq/forms", dt.date(2019, 3, 3), dt.date(2019, 3, 4)),
        "fees-2": ("https://example.gov/faq/travel", dt.date(2019, 3, 3), None),
    }
    assert catalogue.get("fees").topics == ("fees",)  # type: ignore[union-attr]


def test_several_issuers_are_left_to_fill(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: A?\nagency: cdc\n---\nA.\n", "utf-8")
    (tmp_path / "b.md").write_text("---\ntitle: B?\nagency: fda\n---\nB.\n", "utf-8")
    out = imported(tmp_path)
    assert 'issuer: \'FILL IN: write the full name of who issued it (found: "cdc", "fda")\'' in out


def _write(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "faq"
    folder.mkdir()
    (folder / "ok.md").write_text("---\ntitle: Fine?\n---\nYes.\n", encoding="utf-8")
    (folder / "q.md").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No front matter.\n", "q.md:1: no front matter"),
        ("---\ntitle: Open?\nNo end.\n", "q.md:1: the front matter opened here is never closed"),
        ("---\ndate: 2019-03-03\n---\nAnswer.\n", "q.md:1: the front matter has no 'title'"),
        ("---\ntitle: Empty?\n---\n\n\n", "q.md:3: no answer"),
        ("---\ntitle: A?\ndate: someday\n---\nA.\n", "q.md:3: cannot read the date in 'date'"),
        ("---\ntitle: A?\ntags: [a, b\n---\nA.\n", "q.md:4: YAML syntax error"),
        ("---\ntitle: A?\ntitle: B?\n---\nA.\n", "q.md:3: duplicate key 'title'"),
        (
            "---\ntitle: A?\ndate: 2019-03-03\nupdated: 2019-03-01\n---\nA.\n",
            "q.md:4: updated 2019-03-01 is before released 2019-03-03",
        ),
    ],
)
def test_problems_name_file_and_line(text: str, expected: str, tmp_path: Path) -> None:
    folder = _write(tmp_path, text)
    with pytest.raises(ContentError) as caught:
        markdown.read(folder)
    assert any(str(p).startswith(str(folder / expected)) for p in caught.value.problems), str(
        caught.value
    )


def test_a_folder_without_markdown_files(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match=f"{tmp_path}:0: no Markdown files"):
        markdown.read(tmp_path)
