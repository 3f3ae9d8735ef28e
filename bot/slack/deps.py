"""What the listeners need, in one object: responder, store, poster and the task tracker."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.content.models import Entry
from bot.feedback.questions import QuestionKeeper
from bot.observability.metrics import Metrics
from bot.observability.report import report_request
from bot.responder import Reply, ReplyKind, Responder, clean_query
from bot.slack.escaping import unescape
from bot.slack.jobs import JobPolicy, JobRunner
from bot.slack.posting import Poster
from bot.slack.tasks import TaskTracker
from bot.store import JobStore, QuestionKind, QuestionStore, Store, VoteStore

if TYPE_CHECKING:
    from bot.reload import ContentReloader

log = logging.getLogger(__name__)
MATCHING_THREADS = 4
T = TypeVar("T")


@dataclass
class Deps:
    """Shared by every listener of one app."""

    responder: Responder
    store: Store
    poster: Poster
    tracker: TaskTracker = field(default_factory=TaskTracker)
    metrics: Metrics | None = None
    keep_questions_days: int = 0
    reply_lease_seconds: int = 20
    # Who sees the maintainers' queue on the Home tab and may act on it (QABOT_MAINTAINERS).
    maintainers: frozenset[str] = frozenset()
    # The learned phrasings file (QABOT_LEARNED), and the reloader that serves what is added.
    learned: Path | None = None
    reloader: ContentReloader | None = None
    # One thread for store calls: database writes are serialised anyway, and fewer threads
    # contending for the interpreter keep the acks on the event loop prompt.
    _store_calls: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="store")
    )

    # Matching runs off the event loop, which keeps serving acks meanwhile. Several threads:
    # the model releases the interpreter while it runs, so queries that arrive together are
    # embedded side by side on both processors.
    _matching: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(MATCHING_THREADS, thread_name_prefix="matching")
    )

    def __post_init__(self) -> None:
        self.votes = VoteStore(self.store)
        self.questions = QuestionStore(self.store)
        self.keeper = QuestionKeeper(self.questions, self.keep_questions_days)
        self.jobs = JobRunner(
            JobStore(self.store),
            self.in_store,
            lambda coro, name: self.tracker.spawn(coro, name=name),
            metrics=self.metrics,
            policy=JobPolicy.with_lease(self.reply_lease_seconds),
        )

    async def reply(self, slack_text: str, user: str | None, surface: str | None = None) -> Reply:
        """The responder's reply to text as Slack sends it, computed on the matching threads;
        an answer for ``surface`` carries its vote buttons."""
        text = unescape(slack_text)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._matching, self.responder.respond, text, user, surface
        )

    async def entry_reply(
        self, entry_id: str, user: str | None, surface: str | None = None
    ) -> Reply | None:
        """The answer for a pressed "Did you mean" button."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._matching, self.responder.entry_reply, entry_id, user, surface
        )

    async def alternatives(self, slack_text: str, entry_id: str) -> list[Entry]:
        """Other answers to text as Slack sends it than ``entry_id``, on the matching thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._matching, self.responder.alternatives, unescape(slack_text), entry_id
        )

    def keep_question(
        self,
        slack_text: str,
        kind: QuestionKind,
        *,
        surface: str,
        entry_id: str | None = None,
        confidence: float | None = None,
    ) -> None:
        """Keep the question (masked) when QABOT_KEEP_QUESTIONS_DAYS asks for it, off the reply
        path; with 0 days nothing is written."""
        if not self.keeper.keeps:
            return
        text = clean_query(unescape(slack_text))
        future = self._store_calls.submit(
            functools.partial(
                self.keeper.keep,
                text,
                kind,
                surface=surface,
                entry_id=entry_id,
                confidence=confidence,
            )
        )
        future.add_done_callback(_log_failure)

    def is_maintainer(self, user: str | None) -> bool:
        """Asked on every maintainer's action: a view shows buttons, it grants nothing."""
        return bool(user) and user in self.maintainers

    async def in_store(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a store call on the store's thread, off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._store_calls, lambda: work(*args, **kwargs))

    def after_ack(self, coro: Coroutine[Any, Any, Any], name: str) -> None:
        """Run reply work after the ack, tracked so shutdown waits for it."""
        self.tracker.spawn(coro, name=name)

    def close(self) -> None:
        self._matching.shutdown(wait=True)
        self._store_calls.shutdown(wait=True)  # a few query-log rows may still be queued

    def report(self, surface: str, reply: Reply, started: float) -> None:
        """Count and log the request, and add it to the query log off the reply path."""
        record = report_request(self.metrics, surface, reply, now() - started)
        if reply.match is not None:
            future = self._store_calls.submit(
                self.store.record_query,
                surface,
                record.entry_id,
                record.confidence,
                record.latency_s * 1000,
            )
            future.add_done_callback(_log_failure)


def keep_if_declined(deps: Deps, slack_text: str, reply: Reply, surface: str) -> None:
    """A declined question is kept for the maintainers (when the settings keep questions)."""
    if reply.kind is ReplyKind.DECLINE:
        confidence = reply.match.score if reply.match else None
        deps.keep_question(
            slack_text, QuestionKind.DECLINED, surface=surface, confidence=confidence
        )


def _log_failure(future: Future[Any]) -> None:
    if (exc := future.exception()) is not None:
        log.warning("query log or kept question not written: %s", exc)


def now() -> float:
    """The clock request latencies are measured with."""
    return time.perf_counter()


def received_now() -> float:
    """When a request arrived, as kept in its job (wall clock: the job may run elsewhere)."""
    return time.time()


def started_at(received: float) -> float:
    """The ``now()`` reading of a request that arrived at wall-clock time ``received``."""
    return now() - max(0.0, time.time() - received)
