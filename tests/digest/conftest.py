"""Digest fixtures: the Web API stand-in, a client for it, a real store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

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
def client(slack_api: FakeSlackApi) -> AsyncWebClient:
    # No retry handlers of the SDK's own: the scheduler's retries are under test.
    return AsyncWebClient(token=TOKEN, base_url=slack_api.url, retry_handlers=[])


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A store on a real SQLite file; the race tests run on PostgreSQL too, via ``store_url``."""
    s = Store(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    s.create_schema()
    yield s
    s.close()
