"""Prometheus metrics of one running bot, on a registry that belongs to its ``Metrics`` object."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.observability.record import Outcome, RequestRecord, Surface

CONFIDENCE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
# Slack's own deadline is 3 s for the ack; replies after it should still land within seconds.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Every counter the bot keeps; ``render()`` is the body of ``GET /metrics``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "qabot_requests",
            "Requests handled, by Slack surface and outcome.",
            ["surface", "outcome"],
            registry=r,
        )
        self.confidence = Histogram(
            "qabot_match_confidence",
            "Confidence of the best candidate for each matched question.",
            ["outcome"],
            buckets=CONFIDENCE_BUCKETS,
            registry=r,
        )
        self.latency = Histogram(
            "qabot_reply_latency_seconds",
            "Time from receiving a request to the reply being sent.",
            ["surface"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.api_errors = Counter(
            "qabot_slack_api_errors",
            "Slack Web API calls that failed, by API method and status.",
            ["method", "status"],
            registry=r,
        )
        self.retries = Counter(
            "qabot_slack_api_retries",
            "Slack Web API calls retried, by API method and retry handler.",
            ["method", "reason"],
            registry=r,
        )
        self.duplicates = Counter(
            "qabot_duplicate_deliveries_suppressed",
            "Deliveries not answered because their event was already claimed.",
            registry=r,
        )
        self.store_failures = Counter(
            "qabot_store_failures",
            "Claims the state store failed or did not answer in time; the reply went out anyway.",
            registry=r,
        )
        self.reply_jobs = Counter(
            "qabot_reply_jobs",
            "Reply jobs settled, by kind (command, mention, digest...): delivered, or given up.",
            ["kind", "result"],
            registry=r,
        )
        self.reply_retries = Counter(
            "qabot_reply_retries",
            "Replies Slack did not take, by kind, put back to be tried again later.",
            ["kind"],
            registry=r,
        )
        self.content_entries = Gauge(
            "qabot_content_entries", "Entries in the content being served.", registry=r
        )
        self.content = Info(
            "qabot_content", "Version (hash) of the content being served.", registry=r
        )
        self.reloads = Counter(
            "qabot_content_reloads",
            "Content reloads, by result (ok or rejected).",
            ["result"],
            registry=r,
        )
        # Zero-valued series from the start, so dashboards and alerts see them before any event.
        for surface in Surface:
            for outcome in Outcome:
                self.requests.labels(surface.value, outcome.value)
            self.latency.labels(surface.value)
        for result in ("ok", "rejected"):
            self.reloads.labels(result)

    def observe_request(self, record: RequestRecord) -> None:
        """Count one handled request, its match confidence and its reply latency."""
        self.requests.labels(record.surface.value, record.outcome.value).inc()
        if record.confidence is not None:
            self.confidence.labels(record.outcome.value).observe(record.confidence)
        self.latency.labels(record.surface.value).observe(max(record.latency_s, 0.0))

    def observe_api_error(self, method: str, status: int | str) -> None:
        """A failed Web API call: ``status`` is the HTTP status or Slack's error code."""
        self.api_errors.labels(method, str(status)).inc()

    def observe_retry(self, method: str, reason: str) -> None:
        self.retries.labels(method, reason).inc()

    def observe_duplicate(self) -> None:
        self.duplicates.inc()

    def observe_store_failure(self) -> None:
        self.store_failures.inc()

    def observe_reply_job(self, kind: str, delivered: bool) -> None:
        self.reply_jobs.labels(kind, "delivered" if delivered else "failed").inc()

    def observe_reply_retry(self, kind: str) -> None:
        self.reply_retries.labels(kind).inc()

    def observe_content(self, entries: int, version: str) -> None:
        """The content now being served."""
        self.content_entries.set(entries)
        self.content.info({"version": version})

    def observe_reload(self, ok: bool) -> None:
        self.reloads.labels("ok" if ok else "rejected").inc()

    def counting_retries(self, handlers: Sequence[AsyncRetryHandler]) -> list[AsyncRetryHandler]:
        """The same retry handlers, each counting the retries it decides on."""
        return [_CountingRetryHandler(handler, self) for handler in handlers]

    def render(self) -> tuple[bytes, str]:
        """The Prometheus text exposition of every metric, and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class _CountingRetryHandler(AsyncRetryHandler):
    """Delegates every decision to the wrapped handler; only counts the retries it asks for."""

    def __init__(self, inner: AsyncRetryHandler, metrics: Metrics) -> None:
        super().__init__(inner.max_retry_count, inner.interval_calculator)
        self.inner = inner
        self.metrics = metrics

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return await self.inner.can_retry_async(
            state=state, request=request, response=response, error=error
        )

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        method = request.url.rstrip("/").rsplit("/", 1)[-1]
        self.metrics.observe_retry(method, type(self.inner).__name__)
        await self.inner.prepare_for_next_attempt_async(
            state=state, request=request, response=response, error=error
        )
