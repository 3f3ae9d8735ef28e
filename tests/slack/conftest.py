"""A real bot server on loopback, pointed at the local Slack stand-ins."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path

import aiohttp
import pytest

from bot.content import Catalogue, load_catalogue
from bot.matching import Matcher, Semantics
from bot.observability.metrics import Metrics
from bot.reload import ContentReloader
from bot.responder import Responder
from bot.slack.config import Credentials, Mode
from bot.slack.server import BotServer, ServerOptions, Service
from bot.store import Store
from tests.conftest import CONTENT
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.socket_mode import FakeSocketMode
from tests.slack.slack_requests import SIGNING_SECRET, SlackSender
from tests.store.conftest import store, store_url  # noqa: F401  (SQLite and PostgreSQL)

BOT_TOKEN = "xoxb-1-test"
APP_TOKEN = "xapp-1-test"
# Above any probability, so every question is declined but "Q7"-style lookups and official
# questions typed verbatim.
DECLINE_ALL = 1.01

StartBot = Callable[..., Awaitable[BotServer]]


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlackApi]:
    api = FakeSlackApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def socket_mode(slack_api: FakeSlackApi) -> AsyncIterator[FakeSocketMode]:
    fake = FakeSocketMode(slack_api)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def start_bot(
    slack_api: FakeSlackApi, catalogue: Catalogue, semantics: Semantics, tmp_path: Path
) -> AsyncIterator[StartBot]:
    """Start a bot: HTTP mode by default; ``threshold`` and ``matcher`` shape its answers."""
    started: list[tuple[BotServer, Store]] = []

    async def start(
        mode: Mode = Mode.HTTP,
        threshold: float | None = None,
        matcher: Matcher | None = None,
        database_url: str | None = None,
        services: Sequence[Service] = (),
        content: Path | None = None,
        metrics_port: int | None = None,
        shutdown_grace: float = 10,
        keep_questions_days: int = 0,
        maintainers: tuple[str, ...] = (),
        learned: Path | None = None,
    ) -> BotServer:
        """``content`` serves that file and reloads it on request; ``metrics_port`` serves
        /metrics and the detailed /healthz there; ``keep_questions_days`` is
        QABOT_KEEP_QUESTIONS_DAYS; ``learned`` serves that overlay of learned phrasings over
        the content (the shipped file unless ``content``), reloading it too."""
        if learned is not None:
            content = content or CONTENT
        bot_store = Store(database_url or f"sqlite:///{tmp_path / 'state.sqlite3'}")
        bot_store.create_schema()
        if content is not None:
            matcher = Matcher(load_catalogue(content, learned), semantics, threshold)
        responder = Responder(matcher or Matcher(catalogue, semantics, threshold), "/qa")
        metrics = Metrics() if metrics_port else None
        reloader = None
        if content is not None:
            reloader = ContentReloader(
                responder, content, semantics, threshold, metrics, watch=False, learned=learned
            )
        creds = (
            Credentials(Mode.HTTP, BOT_TOKEN, signing_secret=SIGNING_SECRET)
            if mode is Mode.HTTP
            else Credentials(Mode.SOCKET, BOT_TOKEN, app_token=APP_TOKEN)
        )
        options = ServerOptions(
            api_url=slack_api.url,
            host="127.0.0.1",
            port=0,
            shutdown_grace=shutdown_grace,
            socket_ping_interval=0.2,
            metrics_port=metrics_port,
            keep_questions_days=keep_questions_days,
            maintainers=maintainers,
            learned=learned,
        )
        server = BotServer(responder, bot_store, creds, options, services, metrics, reloader)
        await server.start()
        started.append((server, bot_store))
        return server

    yield start
    for server, own_store in reversed(started):
        await server.stop()
        own_store.close()


@pytest.fixture
async def bot(start_bot: StartBot) -> BotServer:
    return await start_bot()


@pytest.fixture
async def sender(bot: BotServer) -> AsyncIterator[SlackSender]:
    async with aiohttp.ClientSession() as session:
        yield SlackSender(session, f"http://127.0.0.1:{bot.port}")


async def sender_for(server: BotServer, session: aiohttp.ClientSession) -> SlackSender:
    return SlackSender(session, f"http://127.0.0.1:{server.port}")


async def get_json(url: str) -> tuple[int, dict]:
    """GET ``url``, retrying while nothing listens yet (a metrics port starts as a service)."""
    async with aiohttp.ClientSession() as session:
        for _ in range(100):
            try:
                async with session.get(url) as resp:
                    return resp.status, await resp.json()
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
    raise AssertionError(f"nothing answered at {url}")
