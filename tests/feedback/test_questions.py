"""Question text is kept only when the settings ask, masked, and purged when its days are up."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

import pytest

from bot.feedback.questions import QuestionKeeper, question_purger
from bot.store import QuestionKind, QuestionStore, Store
from tests.digest.clock import FakeClock

T0 = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
DECLINED = QuestionKind.DECLINED


@pytest.fixture
def questions(store: Store) -> QuestionStore:
    return QuestionStore(store)


def test_nothing_is_kept_with_zero_days(questions: QuestionStore) -> None:
    keeper = QuestionKeeper(questions, keep_days=0)
    assert not keeper.keeps
    assert keeper.keep("is PEP over?", DECLINED, surface="dm", now=T0) is None
    assert questions.kept_questions(dismissed=None) == []


def test_kept_masked_and_grouped_like_the_matcher_reads(questions: QuestionStore) -> None:
    keeper = QuestionKeeper(questions, keep_days=30)
    first = keeper.keep(
        "Is PEP still in effect? Write to maria@example.org", DECLINED, surface="dm", now=T0
    )
    keeper.keep(
        "is pep still in effect - write to  j.doe@example.com",
        DECLINED,
        surface="command",
        now=T0 + DAY,
    )
    keeper.keep(
        "does 287g apply? +52 55 1234 5678",
        QuestionKind.VOTED_DOWN,
        surface="mention",
        entry_id="q11",
        confidence=0.64,
        now=T0,
    )
    kept = questions.kept_questions()
    assert kept[0].id == first
    assert [q.text for q in kept] == [
        "Is PEP still in effect? Write to [email]",
        "does 287g apply? [phone]",
        "is pep still in effect - write to [email]",
    ]
    groups = questions.question_groups()
    assert [(g.count, g.text) for g in groups] == [
        (2, "is pep still in effect - write to [email]"),
        (1, "does 287g apply? [phone]"),
    ]
    assert groups[1].entry_ids == ("q11",)


def test_nothing_left_after_masking_is_not_kept(questions: QuestionStore) -> None:
    keeper = QuestionKeeper(questions, keep_days=7)
    assert keeper.keep("  ?!  ", DECLINED, surface="dm") is None
    assert questions.kept_questions() == []


def test_negative_days_are_refused(questions: QuestionStore) -> None:
    with pytest.raises(ValueError):
        QuestionKeeper(questions, keep_days=-1)


class StoppingClock(FakeClock):
    """Moves by each sleep at once, and sets the purger's stop event after ``rounds`` sleeps.
    ``seen`` holds what ``look`` found at each sleep, that is after each purge."""

    def __init__(self, now: dt.datetime, rounds: int, look: Callable[[], list[str]]) -> None:
        super().__init__(now)
        self.rounds = rounds
        self.look = look
        self.seen: list[list[str]] = []

    async def sleep(self, seconds: float, stop: asyncio.Event | None = None) -> None:
        self.seen.append(self.look())
        await super().sleep(seconds, stop)
        if len(self.seen) == self.rounds and stop is not None:
            stop.set()


def texts(questions: QuestionStore) -> Callable[[], list[str]]:
    return lambda: [q.text for q in questions.kept_questions(dismissed=None)]


async def test_purger_deletes_questions_as_their_days_run_out(questions: QuestionStore) -> None:
    for text, at in [
        ("three days old", T0 - 3 * DAY),
        ("one day and an hour old", T0 - DAY - dt.timedelta(hours=1)),
        ("new", T0),
    ]:
        questions.keep_question(text, text, kind=DECLINED, surface="dm", now=at)
    clock = StoppingClock(T0, rounds=4, look=texts(questions))
    purger = question_purger(questions, keep_days=2, clock=clock, every=DAY.total_seconds())
    await asyncio.wait_for(purger(asyncio.Event()), timeout=10)
    assert clock.seen == [
        ["one day and an hour old", "new"],  # at T0: what is older than two days goes
        ["new"],  # a day later
        ["new"],  # two days later: two days old to the second, still kept
        [],  # three days later
    ]
    assert clock.sleeps == [DAY.total_seconds()] * 4


async def test_purger_with_zero_days_deletes_everything(questions: QuestionStore) -> None:
    before = T0 - dt.timedelta(minutes=1)
    questions.keep_question("kept before", "kept before", kind=DECLINED, surface="dm", now=before)
    clock = StoppingClock(T0, rounds=1, look=texts(questions))
    await asyncio.wait_for(question_purger(questions, 0, clock)(asyncio.Event()), timeout=10)
    assert clock.seen == [[]]


async def test_purger_stops_at_once_when_asked(questions: QuestionStore) -> None:
    stop = asyncio.Event()
    stop.set()
    clock = StoppingClock(T0, rounds=99, look=texts(questions))
    await asyncio.wait_for(question_purger(questions, 2, clock)(stop), timeout=10)
    assert clock.seen == []


async def test_purger_outlives_an_unreachable_database(caplog: pytest.LogCaptureFixture) -> None:
    unreachable = Store("postgresql://qabot@127.0.0.1:1/qabot?connect_timeout=2")
    clock = StoppingClock(T0, rounds=2, look=list)
    with caplog.at_level(logging.WARNING, logger="bot.feedback.questions"):
        purger = question_purger(QuestionStore(unreachable), 2, clock)
        await asyncio.wait_for(purger(asyncio.Event()), timeout=20)
    assert len(clock.seen) == 2
    assert caplog.text.count("kept questions not purged: OperationalError") == 2
    unreachable.close()
