"""A store on real SQLite, and on a real PostgreSQL server when one is configured."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.store import Store

POSTGRES_URL = os.environ.get("QABOT_TEST_POSTGRES_URL")


def postgres_url_or_skip() -> str:
    """The test server's URL; a skip elsewhere, but a failure under CI where it must exist."""
    if POSTGRES_URL:
        return POSTGRES_URL
    reason = "QABOT_TEST_POSTGRES_URL is not set (no PostgreSQL server for this run)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must run the PostgreSQL tests (.ci/run starts the server)")
    pytest.skip(reason)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.sqlite3'}"
        return
    base = postgres_url_or_skip()
    # A schema of its own per test keeps runs independent on one shared server.
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = Store(base)
    with admin.engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with admin.engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.close()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store(store_url)
    s.create_schema()
    yield s
    s.close()
