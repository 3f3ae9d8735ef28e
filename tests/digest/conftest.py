"""Digest fixtures: the Web API stand-in, a client for it, a real store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.store import Store
from tests.digest.fake_web_api import TOKEN, FakeWebApi
from tests.store.conftest import store_url  # noqa: F401 (the SQLite + PostgreSQL fixture)


@pytest.fixture
async def web_api() -> AsyncIterator[FakeWebApi]:
    api = FakeWebApi()
    await api.start()
    yield api
    await api.close()


@pytest.fixture
def client(web_api: FakeWebApi) -> AsyncWebClient:
    # No retry handlers of the SDK's own: the scheduler's retries are under test.
    return AsyncWebClient(token=TOKEN, base_url=web_api.url, retry_handlers=[])


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A store on a real SQLite file; the race tests run on PostgreSQL too, via ``store_url``."""
    s = Store(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    s.create_schema()
    yield s
    s.close()
