"""``build_app``: the Bolt app with our listeners, shared by HTTP and Socket Mode."""

from __future__ import annotations

import logging

import aiohttp
from slack_bolt.async_app import AsyncApp

from bot.observability.metrics import Metrics
from bot.responder import Responder
from bot.slack.deps import Deps
from bot.slack.listeners import register_listeners
from bot.slack.posting import Poster, web_client
from bot.store import Store

# Seconds one Web API or response_url request may take before it counts as failed.
HTTP_TIMEOUT = 30


def build_app(
    responder: Responder,
    store: Store,
    bot_token: str,
    api_url: str,
    metrics: Metrics | None = None,
) -> tuple[AsyncApp, Deps]:
    """The Bolt app and what its listeners share; call inside the event loop that serves it."""
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT))
    client = web_client(bot_token, api_url, session, metrics)
    poster = Poster(client, session, metrics)
    deps = Deps(responder=responder, store=store, poster=poster, metrics=metrics)
    app = AsyncApp(
        client=client,
        # bot/slack/http.py checks the signature on the raw bytes before anything parses them,
        # and may then hand Bolt a re-encoded form (see inbound.py); Socket Mode is not signed.
        request_verification_enabled=False,
        # Our listeners only ack and hand the reply to the tracker, so running them inline is
        # as fast as Bolt's background mode and spares its ack-polling loop.
        process_before_response=True,
        # Requests no listener takes go to listeners/unhandled.py, not Bolt's 404 and hint.
        raise_error_for_unhandled_request=True,
        logger=_bolt_logger(),
    )
    register_listeners(app, deps)
    return app, deps


class _NoTokenFromEnvironmentWarning(logging.Filter):
    """Bolt also reads SLACK_BOT_TOKEN itself and warns that our client's token wins: it does,
    on purpose (the client carries the retry handlers and SLACK_API_URL)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("bot.slack.bolt")
    if not any(isinstance(f, _NoTokenFromEnvironmentWarning) for f in logger.filters):
        logger.addFilter(_NoTokenFromEnvironmentWarning())
    return logger
