"""Metrics after real requests through the Responder, served over real HTTP."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families
from slack_sdk.http_retry.builtin_async_handlers import AsyncServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient

from bot.endpoints import HEALTH_PATH, METRICS_PATH
from bot.matching import Matcher
from bot.observability.metrics import CONFIDENCE_BUCKETS, Metrics
from bot.observability.record import RequestRecord
from bot.observability.server import metrics_app, serve_metrics
from bot.responder import Responder


def samples(metrics: Metrics) -> dict[tuple[str, frozenset], float]:
    """Every sample of the rendered exposition, keyed by name and labels."""
    body, _ = metrics.render()
    found = {}
    for family in text_string_to_metric_families(body.decode()):
        for s in family.samples:
            found[(s.name, frozenset(s.labels.items()))] = s.value
    return found


def value(metrics: Metrics, name: str, **labels: str) -> float:
    return samples(metrics).get((name, frozenset(labels.items())), 0.0)


def handle(metrics: Metrics, responder: Responder, surface: str, text: str, latency: float):
    reply = responder.respond(text, "U1")
    record = RequestRecord.from_reply(surface, reply, latency)
    metrics.observe_request(record)
    return record


def test_requests_by_surface_and_outcome(matcher: Matcher) -> None:
    metrics, responder = Metrics(), Responder(matcher)
    answered = handle(metrics, responder, "command", "has PEP been terminated yet?", 0.04)
    declined = handle(metrics, responder, "dm", "what is the weather in Paris", 0.2)
    handle(metrics, responder, "mention", "<@UBOT> has PEP been terminated yet?", 3.0)
    handle(metrics, responder, "command", "help", 0.01)

    assert answered.entry_id == "q14" and declined.entry_id is None
    assert value(metrics, "qabot_requests_total", surface="command", outcome="answered") == 1
    assert value(metrics, "qabot_requests_total", surface="mention", outcome="answered") == 1
    assert value(metrics, "qabot_requests_total", surface="dm", outcome="declined") == 1
    assert value(metrics, "qabot_requests_total", surface="command", outcome="help") == 1
    assert value(metrics, "qabot_requests_total", surface="action", outcome="answered") == 0

    # Confidence: two answers with the same score, one decline at 0.0; help has no score.
    count = value(metrics, "qabot_match_confidence_count", outcome="answered")
    assert count == 2
    score = answered.confidence
    below = max(b for b in CONFIDENCE_BUCKETS if b < score)
    above = min(b for b in CONFIDENCE_BUCKETS if b >= score)
    assert value(metrics, "qabot_match_confidence_bucket", outcome="answered", le=str(below)) == 0
    assert value(metrics, "qabot_match_confidence_bucket", outcome="answered", le=str(above)) == 2
    assert value(metrics, "qabot_match_confidence_bucket", outcome="declined", le="0.1") == 1

    # Latency per surface, in the buckets it fell in.
    assert value(metrics, "qabot_reply_latency_seconds_bucket", surface="command", le="0.05") == 2
    assert value(metrics, "qabot_reply_latency_seconds_bucket", surface="mention", le="2.5") == 0
    assert value(metrics, "qabot_reply_latency_seconds_bucket", surface="mention", le="5.0") == 1
    assert value(metrics, "qabot_reply_latency_seconds_sum", surface="dm") == pytest.approx(0.2)


def test_operational_counters(catalogue) -> None:
    metrics = Metrics()
    metrics.observe_api_error("chat.postMessage", 500)
    metrics.observe_api_error("chat.postMessage", "channel_not_found")
    metrics.observe_api_error("chat.postMessage", 500)
    metrics.observe_duplicate()
    metrics.observe_content(len(catalogue), catalogue.version)
    metrics.observe_reload(ok=False)

    errors = "qabot_slack_api_errors_total"
    assert value(metrics, errors, method="chat.postMessage", status="500") == 2
    assert value(metrics, errors, method="chat.postMessage", status="channel_not_found") == 1
    assert value(metrics, "qabot_duplicate_deliveries_suppressed_total") == 1
    assert value(metrics, "qabot_content_entries") == 22
    assert value(metrics, "qabot_content_info", version=catalogue.version) == 1
    assert value(metrics, "qabot_content_reloads_total", result="rejected") == 1
    assert value(metrics, "qabot_content_reloads_total", result="ok") == 0


def test_each_metrics_object_owns_its_registry(matcher: Matcher) -> None:
    first, second = Metrics(), Metrics()
    handle(first, Responder(matcher), "command", "has PEP been terminated yet?", 0.1)
    assert value(first, "qabot_requests_total", surface="command", outcome="answered") == 1
    assert value(second, "qabot_requests_total", surface="command", outcome="answered") == 0


def test_unknown_surface_is_refused(matcher: Matcher) -> None:
    reply = Responder(matcher).respond("has PEP been terminated yet?")
    with pytest.raises(ValueError):
        RequestRecord.from_reply("carrier-pigeon", reply, 0.1)


async def test_retries_counted_through_a_real_client() -> None:
    calls: list[str] = []

    async def post_message(request: web.Request) -> web.Response:
        calls.append(request.path)
        if len(calls) == 1:
            return web.json_response({"ok": False, "error": "fatal_error"}, status=500)
        return web.json_response({"ok": True, "channel": "C1", "ts": "1.1"})

    api = web.Application()
    api.router.add_post("/api/chat.postMessage", post_message)
    runner = web.AppRunner(api)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    metrics = Metrics()
    handler = AsyncServerErrorRetryHandler(
        max_retry_count=2, interval_calculator=FixedValueRetryIntervalCalculator(0)
    )
    client = AsyncWebClient(
        token="xoxb-test",
        base_url=f"http://127.0.0.1:{port}/api/",
        retry_handlers=metrics.counting_retries([handler]),
    )
    try:
        response = await client.chat_postMessage(channel="C1", text="hi")
    finally:
        await runner.cleanup()

    assert response["ok"] is True
    assert len(calls) == 2
    retries = "qabot_slack_api_retries_total"
    assert value(metrics, retries, method="chat.postMessage", reason=type(handler).__name__) == 1


async def test_metrics_and_health_over_http(matcher: Matcher) -> None:
    metrics = Metrics()
    handle(metrics, Responder(matcher), "action", "q22", 0.05)
    health = {"status": 200}

    async def probe():
        return health["status"], {"status": "ok" if health["status"] == 200 else "unavailable"}

    stop = asyncio.Event()
    bound: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    server = asyncio.create_task(
        serve_metrics(metrics, probe, 0, stop, host="127.0.0.1", started=bound.set_result)
    )
    port = await bound
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(base + METRICS_PATH) as resp:
                assert resp.status == 200
                assert resp.headers["Content-Type"].startswith("text/plain")
                text = await resp.text()
            async with session.get(base + HEALTH_PATH) as resp:
                assert resp.status == 200
                assert (await resp.json())["status"] == "ok"
            health["status"] = 503
            async with session.get(base + HEALTH_PATH) as resp:
                assert resp.status == 503
                assert (await resp.json())["status"] == "unavailable"
    finally:
        stop.set()
        await server
    assert 'qabot_requests_total{outcome="answered",surface="action"} 1.0' in text


def test_metrics_app_routes() -> None:
    app = metrics_app(Metrics(), lambda: (200, {}))
    paths = {route.resource.canonical for route in app.router.routes()}
    assert {METRICS_PATH, HEALTH_PATH} <= paths
