"""Due times of a schedule: cron read as wall-clock time in the schedule's zone, returned in UTC.

Cron runs over naive local times, and each is then placed in the zone. A local time skipped by
a spring-forward change falls after the gap (02:30 becomes 03:30 daylight time); a local time
repeated by a fall-back change is due once, at its first occurrence. Two local times that land
on the same instant are one slot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from croniter import croniter

# Wider than any clock change (at most two hours); offsets are compared this far either side.
_SHIFT = dt.timedelta(hours=3)


def _utc(local: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    # fold=0: an ambiguous time is its first occurrence, a skipped one lands after the gap.
    return local.replace(tzinfo=zone, fold=0).astimezone(dt.UTC)


def _naive(now: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(zone).replace(tzinfo=None)


def _walk(cron: str, start: dt.datetime, forward: bool) -> Iterator[dt.datetime]:
    it = croniter(cron, start)
    step = it.get_next if forward else it.get_prev
    while True:
        yield step(dt.datetime)


def _change_near(zone: ZoneInfo, at: dt.datetime) -> dt.timedelta:
    """How far the clocks move within ``_SHIFT`` of ``at``; zero when they do not."""
    before = (at - _SHIFT).astimezone(zone).utcoffset() or dt.timedelta(0)
    after = (at + _SHIFT).astimezone(zone).utcoffset() or dt.timedelta(0)
    return abs(after - before)


def next_due(cron: str, zone: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """The first due time strictly after ``now``, in UTC."""
    best: dt.datetime | None = None
    for local in _walk(cron, _naive(now, zone) - _change_near(zone, now), forward=True):
        at = _utc(local, zone)
        if at > now and (best is None or at < best):
            best = at
        # Near a clock change a later local time can be an earlier instant: look that far on.
        if best is not None and at >= best + _change_near(zone, best):
            return best
    raise AssertionError("unreachable")  # pragma: no cover


def last_due(cron: str, zone: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """The latest due time at or before ``now``, in UTC."""
    start = _naive(now, zone) + _change_near(zone, now) + dt.timedelta(seconds=1)
    best: dt.datetime | None = None
    for local in _walk(cron, start, forward=False):
        at = _utc(local, zone)
        if at <= now and (best is None or at > best):
            best = at
        if best is not None and at <= best - _change_near(zone, best):
            return best
    raise AssertionError("unreachable")  # pragma: no cover


def due_between(
    cron: str, zone: ZoneInfo, start: dt.datetime, end: dt.datetime
) -> list[dt.datetime]:
    """Every due time in ``(start, end]``, in UTC, oldest first."""
    found: list[dt.datetime] = []
    at = start
    while (at := next_due(cron, zone, at)) <= end:
        found.append(at)
    return found


def slot_due(
    cron: str, zone: ZoneInfo, now: dt.datetime, grace: dt.timedelta
) -> dt.datetime | None:
    """The slot to post at ``now``: the most recent due time, unless older than ``grace``.

    Earlier missed slots are never returned: after downtime a digest is posted once, not once
    for every slot it missed.
    """
    latest = last_due(cron, zone, now)
    return latest if now - latest <= grace else None
