"""The one place a handled request is reported: a metrics observation and a log line."""

from __future__ import annotations

from bot.observability.logs import log_request
from bot.observability.metrics import Metrics
from bot.observability.record import RequestRecord
from bot.responder import Reply


def report_request(
    metrics: Metrics | None, surface: str, reply: Reply, latency_s: float
) -> RequestRecord:
    """Count and log a reply from ``surface`` (command, mention, dm, action)."""
    record = RequestRecord.from_reply(surface, reply, latency_s)
    if metrics is not None:
        metrics.observe_request(record)
    log_request(record)
    return record
