"""Forgetting old event claims and reply jobs, as a service that runs beside the server."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

from sqlalchemy.exc import SQLAlchemyError

from bot.slack.server import Service
from bot.store import JobStore, Store

log = logging.getLogger(__name__)

# Slack retries an event for minutes and redelivers unacked envelopes soon after, and a job
# is given up after EVENT_LIFETIME at most; a day is far past all of them.
KEEP_CLAIMS = dt.timedelta(days=1)
PURGE_EVERY = 3600.0


def claim_purger(
    store: Store, keep: dt.timedelta = KEEP_CLAIMS, every: float = PURGE_EVERY
) -> Service:
    """A loop that removes claims and jobs older than ``keep``, now and then every ``every``
    seconds."""
    jobs = JobStore(store)

    async def run(stop: asyncio.Event) -> None:
        while True:
            cutoff = dt.datetime.now(dt.UTC) - keep
            try:
                removed = await asyncio.to_thread(store.purge_events, cutoff)
                removed += await asyncio.to_thread(jobs.purge, cutoff)
                log.debug("purged %d event claims and reply jobs", removed)
            except SQLAlchemyError as exc:
                log.warning("event claims not purged: %s", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(every):
                    await stop.wait()
            if stop.is_set():
                return

    return run
