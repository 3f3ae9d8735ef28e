"""Digest fixtures: the Web API stand-in, a client for it, a real store, and the job runners
that deliver the digests."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.observability.metrics import Metrics
from bot.slack.jobs import JobPolicy, JobRunner
from bot.slack.posting import posting_own_retries, web_client
from bot.store import JobStore, Store
from tests.fakes.slack_api import TOKEN, FakeSlackApi
from tests.store.conftest import store_url  # noqa: F401 (the SQLite + PostgreSQL fixture)

# Production's leases and backoff, shortened so that a test sees several retries in a second.
FAST = JobPolicy(
    lease=dt.timedelta(seconds=2),
    renew_every=0.5,
    poll_seconds=0.02,
    base_seconds=0.1,
    max_seconds=0.4,
)

MakeRunner = Callable[..., JobRunner]


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlackApi]:
    # It checks the token, so a post under any other token would fail the test.
    api = FakeSlackApi(token=TOKEN)
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def client(slack_api: FakeSlackApi) -> AsyncIterator[AsyncWebClient]:
    """The client ``serve`` builds, retry handlers and all."""
    async with aiohttp.ClientSession() as session:
        yield posting_own_retries(web_client(TOKEN, slack_api.url, session))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A store on a real SQLite file; the race tests run on PostgreSQL too, via ``store_url``."""
    s = Store(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    s.create_schema()
    yield s
    s.close()


@pytest.fixture
async def make_runner() -> AsyncIterator[MakeRunner]:
    """Job runners as a server has one, on a given store; what their sweeps start is awaited
    (or cancelled) at the end of the test."""
    spawned: set[asyncio.Task[Any]] = set()

    def spawn(coro: Coroutine[Any, Any, Any], name: str) -> None:
        task = asyncio.ensure_future(coro)
        spawned.add(task)
        task.add_done_callback(spawned.discard)

    def make(
        store: Store,
        owner: str = "replica-a",
        policy: JobPolicy = FAST,
        metrics: Metrics | None = None,
    ) -> JobRunner:
        return JobRunner(
            JobStore(store), asyncio.to_thread, spawn, policy=policy, owner=owner, metrics=metrics
        )

    yield make
    for task in list(spawned):
        task.cancel()
    await asyncio.gather(*spawned, return_exceptions=True)


async def sweep_until(runner: JobRunner, done: Callable[[], bool], within: float = 15.0) -> None:
    """Sweep as the server's sweep service does, until ``done()`` holds."""
    async with asyncio.timeout(within):
        while not done():
            await runner.sweep_once()
            await asyncio.sleep(runner.policy.poll_seconds)
