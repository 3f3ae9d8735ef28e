"""Faults injected against the real ``qabot serve``, a child process configured as operators
run it, with the Slack stand-in on the other side."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.slack_api import FakeSlackApi


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlackApi]:
    api = FakeSlackApi()
    await api.start()
    yield api
    await api.stop()


# The store of the replicas: a SQLite file they share, and PostgreSQL where it runs.
from tests.store.conftest import store_url  # noqa: E402, F401
