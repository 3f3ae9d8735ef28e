"""One place that reports each handled request: one log line; metrics belong here too."""

from __future__ import annotations

import time

from bot.observability.metrics import Metrics
from bot.observability.report import report_request
from bot.responder import Reply


def report(surface: str, reply: Reply, started: float, metrics: Metrics | None = None) -> None:
    """Count and log surface, entry (or what else was replied), confidence and latency."""
    report_request(metrics, surface, reply, time.perf_counter() - started)
