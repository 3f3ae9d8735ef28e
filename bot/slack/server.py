"""The running bot: the Bolt app behind HTTP or Socket Mode, health, background services."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.observability.metrics import Metrics
from bot.observability.server import serve_metrics
from bot.reload import ContentReloader
from bot.responder import Responder
from bot.settings import DEFAULT_GRACE_SECONDS
from bot.slack.app import build_app
from bot.slack.config import Credentials, Mode
from bot.slack.deps import Deps
from bot.slack.guard import KEEPALIVE_S, ConnectionGuard, GuardedSite
from bot.slack.health import Health
from bot.slack.http import build_web_app
from bot.slack.socket import SocketModeConnection
from bot.store import Store

log = logging.getLogger(__name__)

# A loop that runs beside the server until ``stop`` is set, e.g. the digest scheduler.
Service = Callable[[asyncio.Event], Coroutine[Any, Any, None]]

# How long requests already being handled may take once the port is closed. They are acks, and
# Slack waits 3 s for an ack; one still running after that has failed anyway (a stalled client).
ACK_DRAIN_SECONDS = 3.0
# Services get at least this long to see the stop event, even when replies took all the grace.
SERVICE_STOP_SECONDS = 1.0


@dataclass
class ServerOptions:
    """How to serve; the defaults are production's, tests shorten the timings."""

    api_url: str = "https://slack.com/api/"
    host: str = "0.0.0.0"
    port: int = 3000
    shutdown_grace: float = DEFAULT_GRACE_SECONDS  # SIGTERM to exit, everything included
    socket_ping_interval: float = 10.0
    socket_grace: float = DEFAULT_GRACE_SECONDS
    metrics_port: int | None = None
    keep_questions_days: int = 0  # QABOT_KEEP_QUESTIONS_DAYS: 0 keeps no question text
    reply_lease_seconds: int = 20  # QABOT_REPLY_LEASE_SECONDS
    maintainers: tuple[str, ...] = ()  # QABOT_MAINTAINERS: the Home tab's question queue
    learned: Path | None = None  # QABOT_LEARNED: where "Add as phrasing" writes


class TokenRejected(Exception):
    """Slack refused a token at start; names the variable, never the value."""

    def __init__(self, variable: str, error: str) -> None:
        super().__init__(f"{variable} was refused by Slack ({error})")
        self.variable = variable


class BotServer:
    """Starts and stops everything ``qabot serve`` runs, in the right order."""

    def __init__(
        self,
        responder: Responder,
        store: Store,
        creds: Credentials,
        options: ServerOptions,
        services: Sequence[Service] = (),
        metrics: Metrics | None = None,
        reloader: ContentReloader | None = None,
    ) -> None:
        self.responder = responder
        self.store = store
        self.creds = creds
        self.options = options
        self.services = list(services)
        self.metrics = metrics
        self.reloader = reloader
        if reloader is not None:
            self.services.append(reloader.run)
        self.app: AsyncApp | None = None
        self.deps: Deps | None = None
        self.socket: SocketModeConnection | None = None
        self._runner: web.AppRunner | None = None
        self._stop_services = asyncio.Event()
        self._service_tasks: list[asyncio.Task[None]] = []
        self.port: int | None = None
        self.started = False
        self._stopped = False

    async def start(self) -> None:
        """Serve: the health check (and Bolt in HTTP mode) on the port, the socket if used."""
        http_mode = self.creds.mode is Mode.HTTP
        self.app, self.deps, identity = build_app(
            self.responder,
            self.store,
            self.creds.bot_token,
            self.options.api_url,
            metrics=self.metrics,
            keep_questions_days=self.options.keep_questions_days,
            reply_lease_seconds=self.options.reply_lease_seconds,
            maintainers=self.options.maintainers,
            learned=self.options.learned,
            reloader=self.reloader,
        )
        await _check_token(identity.learn(), "SLACK_BOT_TOKEN")
        # Retries, and the jobs of a process that died, from the first moment on.
        self.services.append(self.deps.jobs.sweep)
        health = Health(
            self.responder,
            self.store,
            reloader=self.reloader,
            socket_grace_s=self.options.socket_grace,
        )
        if not http_mode:
            assert self.creds.app_token is not None
            self.socket = SocketModeConnection(
                self.app,
                self.creds.app_token,
                self.app.client,
                ping_interval=self.options.socket_ping_interval,
            )
            health.socket_connected = self.socket.connected
        guard = ConnectionGuard()
        web_app = build_web_app(
            self.app if http_mode else None,
            health,
            self.metrics,
            self.creds.signing_secret,
            middlewares=[guard.middleware],
        )
        if self.options.metrics_port and self.metrics is not None:
            port = self.options.metrics_port
            self.services.append(functools.partial(serve_metrics, self.metrics, health.check, port))
        self._runner = web.AppRunner(
            web_app,
            access_log=None,
            handle_signals=False,
            shutdown_timeout=ACK_DRAIN_SECONDS,
            keepalive_timeout=KEEPALIVE_S,
        )
        await self._runner.setup()
        await GuardedSite(self._runner, self.options.host, self.options.port, guard).start()
        self.port = self._runner.addresses[0][1]
        if self.socket is not None:
            await _check_token(self.socket.start(), "SLACK_APP_TOKEN")
        for service in self.services:
            task = asyncio.create_task(service(self._stop_services))
            task.add_done_callback(_log_failure)
            self._service_tasks.append(task)
        self.started = True
        log.info("serving in %s mode on port %s", self.creds.mode.value, self.port)

    async def stop(self) -> None:
        """Stop taking requests, finish the replies in flight, then stop the services.

        All of it within ``shutdown_grace``: what is still running then is cancelled, as it
        would be by the SIGKILL that follows, but with the store and clients closed cleanly.
        """
        if self._stopped:
            return
        self._stopped = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.options.shutdown_grace
        if self.socket is not None:
            await self.socket.stop()
        if self._runner is not None:
            # Closes the port and idle connections, and waits ACK_DRAIN_SECONDS at most for
            # requests being handled; replies those requests started are tracked below.
            await self._runner.cleanup()
        if self.deps is not None:
            await self.deps.tracker.drain(max(0.0, deadline - loop.time()))
        self._stop_services.set()
        if self._service_tasks:
            remaining = max(SERVICE_STOP_SECONDS, deadline - loop.time())
            _, late = await asyncio.wait(self._service_tasks, timeout=remaining)
            if late:
                log.warning("shutdown: %d services cancelled after the grace period", len(late))
            for task in late:
                task.cancel()
            await asyncio.gather(*self._service_tasks, return_exceptions=True)
        if self.deps is not None:
            await self.deps.poster.close()
            self.deps.close()
        if self.started:
            log.info("stopped")


async def _check_token(call: Awaitable[object], variable: str) -> None:
    try:
        await call
    except SlackApiError as exc:
        raise TokenRejected(variable, str(exc.response.get("error", "rejected"))) from None


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("background service failed", exc_info=task.exception())
