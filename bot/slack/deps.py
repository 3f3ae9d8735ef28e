"""What the listeners need, in one object: responder, store, poster and the task tracker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from bot.responder import Reply, Responder
from bot.slack.posting import Poster
from bot.slack.reporting import report
from bot.slack.tasks import TaskTracker
from bot.store import Store


@dataclass
class Deps:
    """Shared by every listener of one app."""

    responder: Responder
    store: Store
    poster: Poster
    tracker: TaskTracker = field(default_factory=TaskTracker)

    def after_ack(self, coro: Coroutine[Any, Any, Any], name: str) -> None:
        """Run reply work after the ack, tracked so shutdown waits for it."""
        self.tracker.spawn(coro, name=name)

    async def claim(self, key: str) -> bool:
        """True only for the first delivery of ``key``, across retries, redeliveries, replicas."""
        return await asyncio.to_thread(self.store.claim_event, key)

    async def report(self, surface: str, reply: Reply, started: float) -> None:
        await report(self.store, surface, reply, started)


def now() -> float:
    """The clock request latencies are measured with."""
    return time.perf_counter()
