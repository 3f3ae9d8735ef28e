"""``build_app``: the Bolt app with our listeners, shared by HTTP and Socket Mode."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult

from bot.observability.metrics import Metrics
from bot.reload import ContentReloader
from bot.responder import Responder
from bot.slack.deps import Deps
from bot.slack.identity import Identity
from bot.slack.listeners import register_listeners
from bot.slack.posting import CONNECTIONS, Poster, web_client
from bot.store import Store

# Seconds one Web API or response_url request may take before it counts as failed.
HTTP_TIMEOUT = 30


def build_app(
    responder: Responder,
    store: Store,
    bot_token: str,
    api_url: str,
    metrics: Metrics | None = None,
    keep_questions_days: int = 0,
    *,
    reply_lease_seconds: int = 20,
    maintainers: Iterable[str] = (),
    learned: Path | None = None,
    reloader: ContentReloader | None = None,
) -> tuple[AsyncApp, Deps, Identity]:
    """The Bolt app, what its listeners share, and the identity to learn before serving; call
    inside the event loop that serves it.

    ``maintainers`` see and work the question queue on the Home tab; what they add goes to the
    ``learned`` file, served once ``reloader`` has reloaded it."""
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=CONNECTIONS),
        timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT),
    )
    client = web_client(bot_token, api_url, session, metrics)
    poster = Poster(client, session, metrics)
    deps = Deps(
        responder=responder,
        store=store,
        poster=poster,
        metrics=metrics,
        keep_questions_days=keep_questions_days,
        reply_lease_seconds=reply_lease_seconds,
        maintainers=frozenset(maintainers),
        learned=learned,
        reloader=reloader,
    )
    identity = Identity(client)

    async def authorize() -> AuthorizeResult:  # Bolt reads the parameters a function names
        return await identity.authorize()

    app = AsyncApp(
        client=client,
        authorize=authorize,
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
    return app, deps, identity


class _NoTokenFromEnvironmentWarning(logging.Filter):
    """Bolt also reads SLACK_BOT_TOKEN itself and warns that our client's token wins, or that
    ``authorize`` does: both do, on purpose (the client carries the retry handlers and
    SLACK_API_URL, and ``authorize`` the identity asked once at start)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return "`token` will be unused" not in message and "will be ignored" not in message


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("bot.slack.bolt")
    if not any(isinstance(f, _NoTokenFromEnvironmentWarning) for f in logger.filters):
        logger.addFilter(_NoTokenFromEnvironmentWarning())
    return logger
