"""Kept questions: written masked, grouped, dismissed and purged, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.store import QuestionKind, QuestionStore, Store
from bot.store.questions import kept_questions

T0 = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
DECLINED, VOTED_DOWN = QuestionKind.DECLINED, QuestionKind.VOTED_DOWN


@pytest.fixture
def questions(store: Store) -> QuestionStore:
    return QuestionStore(store)


def keep(questions: QuestionStore, text: str, at: dt.datetime, **kwargs) -> int:
    kwargs.setdefault("kind", DECLINED)
    kwargs.setdefault("surface", "command")
    return questions.keep_question(text, " ".join(text.lower().split()), now=at, **kwargs)


def test_nothing_unmasked_is_written_whoever_calls(store: Store, questions: QuestionStore) -> None:
    # A caller that forgot to mask: the store masks the text and its grouped form itself.
    questions.keep_question(
        "Call me at 202-555-0123 or jane@example.org, A-123-456-789",
        "call me at 202 555 0123 or jane@example.org a-123-456-789",
        kind=DECLINED,
        surface="dm",
        now=T0,
    )
    with store.engine.connect() as conn:
        (row,) = conn.execute(select(kept_questions)).mappings().all()
    written = " ".join(str(value) for value in row.values())
    for secret in ("555", "0123", "jane", "example.org", "456", "789"):
        assert secret not in written
    assert row["text"] == "Call me at [phone] or [email], [A-number]"


def test_kept_question_reads_back(questions: QuestionStore) -> None:
    key = questions.keep_question(
        "does this hit dreamers",
        "does this hit dreamers",
        kind=VOTED_DOWN,
        surface="mention",
        entry_id="q7",
        confidence=0.71,
        now=T0,
    )
    (kept,) = questions.kept_questions()
    assert kept.id == key
    assert (kept.kind, kept.text, kept.entry_id, kept.confidence) == (
        VOTED_DOWN,
        "does this hit dreamers",
        "q7",
        0.71,
    )
    assert (kept.created_at, kept.surface, kept.dismissed_at) == (T0, "mention", None)


def test_questions_grouped_by_their_normalised_form(questions: QuestionStore) -> None:
    keep(questions, "Is PEP over", T0)
    keep(questions, "what about DACA", T0 + HOUR)
    keep(questions, "is  pep OVER", T0 + 2 * HOUR)
    keep(questions, "IS PEP OVER", T0 + 3 * HOUR, kind=VOTED_DOWN, entry_id="q15")
    keep(questions, "sanctuary cities", T0 + 4 * HOUR)
    keep(questions, "What about DACA", T0 + 5 * HOUR)
    groups = questions.question_groups()
    assert [(g.grouped_as, g.count) for g in groups] == [
        ("is pep over", 3),
        ("what about daca", 2),
        ("sanctuary cities", 1),
    ]
    pep = groups[0]
    assert (pep.text, pep.first_at, pep.last_at) == ("IS PEP OVER", T0, T0 + 3 * HOUR)
    assert pep.kinds == (DECLINED, VOTED_DOWN) and pep.entry_ids == ("q15",)
    declined = questions.question_groups(kind=DECLINED)
    # Two each without the vote: the one asked last comes first.
    assert [(g.grouped_as, g.count) for g in declined] == [
        ("what about daca", 2),
        ("is pep over", 2),
        ("sanctuary cities", 1),
    ]
    assert len(questions.question_groups(limit=1)) == 1
    window = questions.question_groups(since=T0 + HOUR, until=T0 + 5 * HOUR)
    assert [(g.grouped_as, g.count) for g in window] == [
        ("is pep over", 2),
        ("sanctuary cities", 1),
        ("what about daca", 1),
    ]


def test_dismissed_questions_leave_the_queue(questions: QuestionStore) -> None:
    first = keep(questions, "sanctuary cities", T0)
    second = keep(questions, "sanctuary cities", T0 + HOUR)
    other = keep(questions, "is pep over", T0 + HOUR)
    (group,) = [g for g in questions.question_groups() if g.grouped_as == "sanctuary cities"]
    assert questions.dismiss_questions(group.ids, by="U024BE7LH", now=T0 + 2 * HOUR) == 2
    assert questions.dismiss_questions([first], by="U0OTHER") == 0  # already off the queue
    assert questions.dismiss_questions([], by="U024BE7LH") == 0
    assert [g.grouped_as for g in questions.question_groups()] == ["is pep over"]
    done = questions.kept_questions(dismissed=True)
    assert [(q.id, q.dismissed_by, q.dismissed_at) for q in done] == [
        (first, "U024BE7LH", T0 + 2 * HOUR),
        (second, "U024BE7LH", T0 + 2 * HOUR),
    ]
    assert [q.id for q in questions.kept_questions(dismissed=None)] == [first, second, other]
    # Asked again after the dismissal: back on the queue, as one new question.
    keep(questions, "Sanctuary cities", T0 + 3 * HOUR)
    assert [(g.grouped_as, g.count) for g in questions.question_groups()] == [
        ("sanctuary cities", 1),
        ("is pep over", 1),
    ]


def test_purge_deletes_only_what_is_older(questions: QuestionStore) -> None:
    old = keep(questions, "old question", T0 - 3 * 24 * HOUR)
    edge = keep(questions, "kept to the minute", T0 - 2 * 24 * HOUR)
    new = keep(questions, "new question", T0)
    questions.dismiss_questions([old], by="U1")
    assert questions.purge_questions(T0 - 2 * 24 * HOUR) == 1
    assert [q.id for q in questions.kept_questions(dismissed=None)] == [edge, new]
    assert questions.purge_questions(T0 - 2 * 24 * HOUR) == 0
    assert questions.purge_questions(T0 + HOUR) == 2
    assert questions.kept_questions(dismissed=None) == []


def test_long_text_is_cut(questions: QuestionStore) -> None:
    keep(questions, "why " * 1000, T0)
    (kept,) = questions.kept_questions()
    assert len(kept.text) == 2000 and len(kept.grouped_as) == 500
