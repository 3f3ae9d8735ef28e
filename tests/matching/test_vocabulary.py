"""A source's vocabulary block reaches the matcher built over it, and no other."""

from __future__ import annotations

from pathlib import Path

from bot.content import Catalogue, load_catalogue
from bot.matching.lexical import LexicalMatcher
from tests.conftest import CONTENT

HARBOUR = """\
sources:
  - id: harbour-2021
    title: Questions about the harbour
    issuer: A harbour authority
    released: 2021-03-01
{vocabulary}    entries:
      - id: h1
        number: 1
        question: When does the Small Vessel Mooring Scheme open?
        answer: The Small Vessel Mooring Scheme opens for applications on 1 May.
      - id: h2
        number: 2
        question: Who may use the public slipway?
        answer: The public slipway is open to all registered boat owners.
      - id: h3
        number: 3
        question: How are harbour dues paid?
        answer: Harbour dues are paid at the harbour office or online.
"""


def harbour(tmp_path: Path, vocabulary: str = "") -> Catalogue:
    path = tmp_path / "harbour.yaml"
    path.write_text(HARBOUR.format(vocabulary=vocabulary), encoding="utf-8")
    return load_catalogue(path)


def test_an_acronym_in_content_is_understood(tmp_path: Path) -> None:
    acronym = "    vocabulary:\n      acronyms: {svms: small vessel mooring scheme}\n"
    result = LexicalMatcher(harbour(tmp_path, acronym)).match("what is svms")
    assert result.entry is not None and result.entry.id == "h1"


def test_without_the_acronym_it_is_not(tmp_path: Path) -> None:
    result = LexicalMatcher(harbour(tmp_path)).match("what is svms")
    assert result.entry is None and result.score == 0.0


def test_an_off_document_subject_in_content_makes_the_matcher_decline(tmp_path: Path) -> None:
    query = "harbour fees"
    plain = LexicalMatcher(harbour(tmp_path)).match(query)
    assert plain.entry is not None and plain.entry.id == "h3"
    off = "    vocabulary:\n      off_document: [fee, fees]\n"
    declined = LexicalMatcher(harbour(tmp_path, off)).match(query)
    assert declined.entry is None and declined.score < plain.score


def test_another_release_is_not_touched_by_the_interior_vocabulary(tmp_path: Path) -> None:
    # "fee" is off the interior release; the harbour's matcher must not know that.
    interior = load_catalogue(CONTENT)
    assert "fee" in interior.sources[0].vocabulary.off_document
    query = "harbour fees"
    before = LexicalMatcher(harbour(tmp_path)).match(query)
    LexicalMatcher(interior).match(query)
    after = LexicalMatcher(harbour(tmp_path)).match(query)
    assert after == before and after.entry is not None
