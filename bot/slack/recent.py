"""Deliveries this process has seen lately: the guard against Slack's retries that still holds
when the state store does not answer."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

# Slack retries an event for about 30 minutes and redelivers an envelope within seconds; an
# hour covers both. The cap bounds memory under any load.
KEEP_SECONDS = 3600.0
MAX_KEYS = 50_000


class RecentKeys:
    """Keys claimed in this process within ``keep`` seconds, oldest forgotten first."""

    def __init__(
        self,
        keep: float = KEEP_SECONDS,
        limit: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._keep = keep
        self._limit = limit
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def claim(self, key: str) -> bool:
        """True the first time ``key`` is seen here lately; False for a repeat."""
        now = self._clock()
        while self._seen and (
            len(self._seen) >= self._limit or next(iter(self._seen.values())) < now - self._keep
        ):
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True
