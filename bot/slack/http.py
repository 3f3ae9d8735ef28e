"""Our aiohttp application: Bolt at ``POST /slack/events`` and ``GET /healthz``."""

from __future__ import annotations

import json
import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.endpoints import EVENTS_PATH, HEALTH_PATH, METRICS_PATH
from bot.observability.metrics import Metrics
from bot.observability.server import metrics_handler
from bot.slack.health import Health

log = logging.getLogger(__name__)

# Slack's payloads are far smaller; this only bounds what a stranger can make us read.
MAX_BODY = 1024 * 1024


def build_web_app(
    bolt: AsyncApp | None, health: Health, metrics: Metrics | None = None
) -> web.Application:
    """The served routes; without a Bolt app (Socket Mode) only /healthz and /metrics."""
    web_app = web.Application(client_max_size=MAX_BODY)
    web_app.router.add_get(HEALTH_PATH, _health_handler(health))
    if metrics is not None:
        web_app.router.add_get(METRICS_PATH, metrics_handler(metrics))
    if bolt is not None:
        web_app.router.add_post(EVENTS_PATH, _events_handler(bolt))
    return web_app


def _events_handler(bolt: AsyncApp):
    async def events(request: web.Request) -> web.StreamResponse:
        try:
            raw = await request.text()
        except UnicodeDecodeError:
            return _error(400, "body is not UTF-8")
        if not _parses(raw, request.content_type):
            return _error(400, "body is not a Slack payload")
        bolt_request = await to_bolt_request(request)
        return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))

    return events


def _parses(raw: str, content_type: str) -> bool:
    """Bolt reads JSON bodies (and ones that look like JSON) as objects; anything else fails."""
    if content_type != "application/json" and not raw.startswith("{"):
        return True  # form bodies: any text parses, and the signature check judges the rest
    try:
        return isinstance(json.loads(raw), dict)
    except ValueError:
        return False


def _health_handler(health: Health):
    async def healthz(_request: web.Request) -> web.StreamResponse:
        status, body = await health.check()
        return web.json_response(body, status=status)

    return healthz


def _error(status: int, message: str) -> web.Response:
    return web.Response(
        status=status, text=json.dumps({"error": message}), content_type="application/json"
    )
