"""Work started after an ack, tracked so shutdown can wait for it instead of dropping it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class TaskTracker:
    """Starts background tasks, logs their failures, and lets shutdown await them all."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str | None = None) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        # The set holds a strong reference: the event loop alone keeps only a weak one.
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def __len__(self) -> int:
        return len(self._tasks)

    async def drain(self, grace: float | None = None) -> bool:
        """Wait for every task, also ones started meanwhile; cancel the rest after ``grace`` s."""
        loop = asyncio.get_running_loop()
        deadline = None if grace is None else loop.time() + grace
        while self._tasks:
            remaining = None if deadline is None else max(0.0, deadline - loop.time())
            _, pending = await asyncio.wait(set(self._tasks), timeout=remaining)
            if pending and deadline is not None and loop.time() >= deadline:
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
                log.warning("shutdown: %d replies still in flight were cancelled", len(pending))
                return False
        return True

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())
