"""A clock for the scheduler that moves only when told to, or by the length of a sleep."""

from __future__ import annotations

import asyncio
import datetime as dt


class FakeClock:
    """A clock that moves only when told to, or by the length of a sleep, at once."""

    def __init__(self, now: dt.datetime) -> None:
        self.current = now
        self.sleeps: list[float] = []

    def now(self) -> dt.datetime:
        return self.current

    def set(self, now: dt.datetime) -> None:
        self.current = now

    def advance(self, **delta: float) -> None:
        self.current += dt.timedelta(**delta)

    async def sleep(self, seconds: float, stop: asyncio.Event | None = None) -> None:
        self.sleeps.append(seconds)
        self.current += dt.timedelta(seconds=seconds)
        await asyncio.sleep(0)
