"""Time as the digest scheduler sees it: the system clock, or one a test moves by hand."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from typing import Protocol


class Clock(Protocol):
    """Time as the scheduler sees it; tests use one that moves only when told."""

    def now(self) -> dt.datetime: ...

    async def sleep(self, seconds: float, stop: asyncio.Event | None = None) -> None: ...


class SystemClock:
    """The real clock; a sleep ends early when ``stop`` is set."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    async def sleep(self, seconds: float, stop: asyncio.Event | None = None) -> None:
        if stop is None:
            await asyncio.sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=max(seconds, 0))
