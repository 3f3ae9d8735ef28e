"""``/metrics`` and ``/healthz`` over aiohttp: handlers for the main app, or a server of their own.

``/metrics`` joins the bot's application on the public port; ``serve_metrics`` runs it with the
detailed ``/healthz`` on ``QABOT_METRICS_PORT``, an internal port, in either mode.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.endpoints import HEALTH_PATH, METRICS_PATH
from bot.observability.metrics import Metrics

log = logging.getLogger(__name__)

Health = tuple[int, dict[str, Any]]
HealthProbe = Callable[[], Health | Awaitable[Health]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def metrics_handler(metrics: Metrics) -> Handler:
    """``GET /metrics``: the Prometheus text exposition."""

    async def handle(_request: web.Request) -> web.Response:
        body, content_type = metrics.render()
        # aiohttp wants the charset apart from the media type.
        media_type, _, params = content_type.partition(";")
        charset = params.split("charset=")[-1].strip() if "charset=" in params else None
        return web.Response(body=body, content_type=media_type.strip(), charset=charset)

    return handle


def health_handler(probe: HealthProbe) -> Handler:
    """``GET /healthz``: the probe's status code and JSON body."""

    async def handle(_request: web.Request) -> web.Response:
        result = probe()
        status, body = await result if inspect.isawaitable(result) else result
        return web.json_response(body, status=status)

    return handle


def metrics_app(metrics: Metrics, probe: HealthProbe) -> web.Application:
    """A small application serving only ``/metrics`` and ``/healthz``."""
    app = web.Application()
    app.router.add_get(METRICS_PATH, metrics_handler(metrics))
    app.router.add_get(HEALTH_PATH, health_handler(probe))
    return app


async def serve_metrics(
    metrics: Metrics,
    probe: HealthProbe,
    port: int,
    stop: asyncio.Event,
    host: str = "0.0.0.0",
    started: Callable[[int], None] | None = None,
) -> None:
    """Serve ``metrics_app`` on ``host:port`` until ``stop``; ``started`` gets the bound port."""
    runner = web.AppRunner(metrics_app(metrics, probe), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0][1]
        log.info("metrics and health on http://%s:%d%s", host, bound, METRICS_PATH)
        if started is not None:
            started(bound)
        await stop.wait()
    finally:
        await runner.cleanup()
