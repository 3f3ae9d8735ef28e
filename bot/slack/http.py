"""Our aiohttp application: Bolt at ``POST /slack/events`` and ``GET /healthz``."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence

from aiohttp import web
from aiohttp.typedefs import Middleware
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.endpoints import EVENTS_PATH, HEALTH_PATH, METRICS_PATH
from bot.observability.health import public
from bot.observability.metrics import Metrics
from bot.observability.server import metrics_handler
from bot.slack.guard import BODY_TIMEOUT_S
from bot.slack.health import Health
from bot.slack.inbound import BadBody, payload_text, signed

log = logging.getLogger(__name__)

# Slack's payloads are far smaller; this only bounds what a stranger can make us read.
MAX_BODY = 1024 * 1024


def build_web_app(
    bolt: AsyncApp | None,
    health: Health,
    metrics: Metrics | None = None,
    signing_secret: str | None = None,
    middlewares: Sequence[Middleware] = (),
) -> web.Application:
    """The served routes; without a Bolt app (Socket Mode) only /healthz and /metrics."""
    web_app = web.Application(client_max_size=MAX_BODY, middlewares=list(middlewares))
    web_app.router.add_get(HEALTH_PATH, _health_handler(health))
    if metrics is not None:
        web_app.router.add_get(METRICS_PATH, metrics_handler(metrics))
    if bolt is not None:
        if not signing_secret:
            raise ValueError("HTTP mode needs the signing secret")
        web_app.router.add_post(EVENTS_PATH, _events_handler(bolt, signing_secret.encode()))
    return web_app


def _events_handler(bolt: AsyncApp, secret: bytes):
    async def events(request: web.Request) -> web.StreamResponse:
        if (request.content_length or 0) > MAX_BODY:
            return _error(413, "body too large")
        try:
            async with asyncio.timeout(BODY_TIMEOUT_S):
                # Past MAX_BODY aiohttp stops reading and answers 413.
                raw = await request.read()
        except TimeoutError:
            return _error(408, "body not received in time")
        if not signed(secret, raw, request.headers):
            return _error(401, "invalid signature")
        try:
            text = payload_text(raw, request.content_type)
            bolt_request = AsyncBoltRequest(
                body=text, query=request.query_string, headers=dict(request.headers)
            )
        except BadBody as exc:
            return _error(400, str(exc))
        except (AttributeError, KeyError, IndexError, TypeError):
            # Bolt reads fields while building the request; a body of the wrong shape fails.
            return _error(400, "body is not a Slack payload")
        return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))

    return events


def _health_handler(health: Health):
    async def healthz(_request: web.Request) -> web.StreamResponse:
        # This port faces Slack and the world; the details are on the metrics port.
        status, body = public(await health.check())
        return web.json_response(body, status=status)

    return healthz


def _error(status: int, message: str) -> web.Response:
    return web.Response(
        status=status, text=json.dumps({"error": message}), content_type="application/json"
    )
