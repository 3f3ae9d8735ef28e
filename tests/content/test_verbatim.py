"""content/qa.yaml holds every official question and answer verbatim, and nothing else."""

from __future__ import annotations

import re

import pytest

from bot.content import Catalogue
from tests.conftest import SOURCE_TEXT, require

EXPECTED_IDS = [f"q{n}" for n in range(1, 23)]


def _source_pairs() -> dict[int, tuple[str, str]]:
    """The Q&A pairs read straight from the text, by a method independent of the importer.

    Works on the whole text: everything between "Qn:" and "An:" is the question, everything
    between "An:" and the next "Q(n+1):" (or the topics line) is the answer.
    """
    text = require(SOURCE_TEXT).read_text(encoding="utf-8")
    text = re.sub(r"(?m)^AI*LA Doc\. No\. 17022130\. \(Posted 2/21/17\)\s*$", "", text)
    text = text.split("Topics:")[0]
    pairs = {}
    for n in range(1, 23):
        question = text.split(f"Q{n}:", 1)[1].split(f"A{n}:", 1)[0]
        answer = text.split(f"A{n}:", 1)[1]
        if n < 22:
            answer = answer.split(f"Q{n + 1}:", 1)[0]
        pairs[n] = (question, answer)
    return pairs


def _words(text: str) -> list[str]:
    return text.split()


def test_all_22_entries_in_order(catalogue: Catalogue) -> None:
    assert [e.id for e in catalogue.entries] == EXPECTED_IDS
    assert [e.number for e in catalogue.entries] == list(range(1, 23))


@pytest.mark.parametrize("number", range(1, 23))
def test_entry_is_verbatim(catalogue: Catalogue, number: int) -> None:
    question, answer = _source_pairs()[number]
    entry = catalogue.get(f"q{number}")
    assert entry is not None
    # Same words in the same order: only line breaks and footers may differ.
    assert _words(entry.question) == _words(question)
    assert _words(entry.answer) == _words(answer)
    assert entry.question == entry.question.strip() and entry.answer == entry.answer.strip()


def test_no_footer_noise(catalogue: Catalogue) -> None:
    for entry in catalogue.entries:
        for text in (entry.question, entry.answer):
            assert "Doc. No." not in text
            assert "Posted 2/21/17" not in text
            assert "17022130" not in text


def test_broken_sentences_joined_and_real_paragraphs_kept(catalogue: Catalogue) -> None:
    q13, q17, q20, q2 = (catalogue.get(i) for i in ("q13", "q17", "q20", "q2"))
    assert "governors and others for the purpose" in q13.question
    assert "statutory and civil enforcement authorities" in q17.answer
    assert "The guidance makes clear, however, that ICE" in q20.answer
    assert len(q2.paragraphs) == 2
    assert all("\n" not in e.answer for e in catalogue.entries if e.id != "q2")


def test_official_slips_kept(catalogue: Catalogue) -> None:
    assert "removal aliens" in catalogue.get("q5").answer
    assert "this new memoranda" in catalogue.get("q3").question
    assert "ICE it will coordinate" in catalogue.get("q16").answer


def test_source_block(catalogue: Catalogue) -> None:
    (source,) = catalogue.sources
    assert source.title == (
        "Q&A: DHS Implementation of the Executive Order on Enhancing Public Safety "
        "in the Interior of the United States"
    )
    assert source.issuer == "U.S. Department of Homeland Security, Office of the Press Secretary"
    assert source.released.isoformat() == "2017-02-21"
    assert source.url.startswith("https://www.dhs.gov/news/2017/02/21/qa-dhs-implementation")
    assert source.implements.signed.isoformat() == "2017-01-25"
    assert source.implements.citation == "82 FR 8799"
    assert "13768" in source.implements.title
    assert source.also_published_as == ("AILA Doc. No. 17022130",)
    assert source.notice.startswith("Historical guidance from February 21, 2017.")
    assert "Executive Order 14159 on January 20, 2025" in source.notice


def test_every_entry_has_matching_aids(catalogue: Catalogue) -> None:
    for entry in catalogue.entries:
        assert entry.phrasings and entry.keywords and entry.topics, entry.id
