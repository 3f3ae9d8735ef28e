"""Digest fixtures: the Web API stand-in, a client for it, a real store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.posting import posting_own_retries, web_client
from bot.store import Store
from tests.fakes.slack_api import TOKEN, FakeSlackApi
from tests.store.conftest import store_url  # noqa: F401 (the SQLite + PostgreSQL fixture)


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
