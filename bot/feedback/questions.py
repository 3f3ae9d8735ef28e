"""Which questions are kept, and for how long: ``QABOT_KEEP_QUESTIONS_DAYS`` decides both.

With 0 days (the default) no question text is written at all, and the purger deletes any left
from a time when it was kept. With N days, a declined question, or the question of an answer
voted down, is kept masked (``bot.feedback.masking``) and deleted N days later.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.digest.clock import Clock, SystemClock
from bot.feedback.masking import mask
from bot.matching.text import normalise
from bot.store import QuestionKind, QuestionStore

log = logging.getLogger(__name__)

PURGE_EVERY = 3600.0

Service = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


class QuestionKeeper:
    """Keeps masked question text when, and only when, the settings ask for it."""

    def __init__(self, store: QuestionStore, keep_days: int) -> None:
        if keep_days < 0:
            raise ValueError("keep_days must be 0 or more")
        self.store = store
        self.keep_days = keep_days

    @property
    def keeps(self) -> bool:
        return self.keep_days > 0

    def keep(
        self,
        text: str,
        kind: QuestionKind,
        *,
        surface: str,
        entry_id: str | None = None,
        confidence: float | None = None,
        now: dt.datetime | None = None,
    ) -> int | None:
        """Keep ``text`` masked; returns its id, or None when nothing is kept (0 days, or
        nothing left once masked)."""
        if not self.keeps:
            return None
        masked = " ".join(mask(text).split())
        grouped_as = normalise(masked)
        if not grouped_as:
            return None
        return self.store.keep_question(
            masked,
            grouped_as,
            kind=kind,
            surface=surface,
            entry_id=entry_id,
            confidence=confidence,
            now=now,
        )


def question_purger(
    store: QuestionStore,
    keep_days: int,
    clock: Clock | None = None,
    every: float = PURGE_EVERY,
) -> Service:
    """A loop deleting kept questions older than ``keep_days``, now and then every ``every``
    seconds, until its stop event is set. With 0 days it deletes every kept question."""
    clock = clock or SystemClock()
    keep = dt.timedelta(days=keep_days)

    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            await purge_once(store, clock.now() - keep)
            await clock.sleep(every, stop)

    return run


async def purge_once(store: QuestionStore, older_than: dt.datetime) -> int:
    """One purge on a worker thread; a database error is logged, and the next round retries."""
    try:
        removed = await asyncio.to_thread(store.purge_questions, older_than)
    except SQLAlchemyError as exc:
        log.warning("kept questions not purged: %s", type(exc).__name__)
        return 0
    if removed:
        log.info("purged %d kept question%s", removed, "s" * (removed != 1))
    return removed
