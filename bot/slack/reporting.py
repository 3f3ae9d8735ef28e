"""One place that reports each handled request: one log line; metrics belong here too."""

from __future__ import annotations

import logging
import time

from bot.responder import Reply

log = logging.getLogger("bot.requests")


def report(surface: str, reply: Reply, started: float) -> None:
    """Log surface, entry (or what else was replied), confidence and latency; never the text."""
    latency_ms = (time.perf_counter() - started) * 1000
    entry = reply.entry
    score = reply.match.score if reply.match else None
    log.info(
        "request surface=%s outcome=%s score=%s latency_ms=%.1f",
        surface,
        entry.id if entry is not None else reply.kind.value,
        "-" if score is None else f"{score:.3f}",
        latency_ms,
    )
