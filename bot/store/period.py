"""Times as the store keeps them: in UTC, and periods as [since, until)."""

from __future__ import annotations

import datetime as dt
from typing import Any


def as_utc(value: dt.datetime | None) -> dt.datetime:
    """``value`` in UTC (a naive one is taken as UTC), or now. SQLite keeps the clock reading
    and drops the zone, so every time is written and compared in UTC."""
    if value is None:
        return dt.datetime.now(dt.UTC)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def between(column: Any, since: dt.datetime | None, until: dt.datetime | None) -> list[Any]:
    """Conditions for ``since <= column < until``; an open end adds none."""
    conditions = []
    if since is not None:
        conditions.append(column >= as_utc(since))
    if until is not None:
        conditions.append(column < as_utc(until))
    return conditions
