"""One place that reports each answered request: a log line and the query log (no question text)."""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy.exc import SQLAlchemyError

from bot.responder import Reply
from bot.store import Store

log = logging.getLogger("bot.requests")


async def report(store: Store, surface: str, reply: Reply, started: float) -> None:
    """Log surface, entry or outcome, confidence and latency; metrics belong here too."""
    latency_ms = (time.perf_counter() - started) * 1000
    entry = reply.entry
    score = reply.match.score if reply.match else None
    outcome = entry.id if entry is not None else reply.kind.value
    log.info(
        "request surface=%s outcome=%s score=%s latency_ms=%.1f",
        surface,
        outcome,
        "-" if score is None else f"{score:.3f}",
        latency_ms,
    )
    try:
        await asyncio.to_thread(
            store.record_query, surface, entry.id if entry else None, score, latency_ms
        )
    except SQLAlchemyError as exc:
        log.warning("query log not written: %s", type(exc).__name__)
