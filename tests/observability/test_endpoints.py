"""/healthz and /metrics over real HTTP, fed by a real reloader and a real SQLite store."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.endpoints import HEALTH_PATH, METRICS_PATH
from bot.observability.health import health_report
from bot.observability.server import serve_metrics
from bot.store import Store
from tests.test_reload import FULL, INVALID, INVALID_LINE, Make, write


class Running:
    """The metrics server of a bot whose content lives in a temp file."""

    def __init__(self, content: Path, store: Store, make: Make) -> None:
        self.content = content
        self.store = store
        self.responder, self.reloader, self.metrics = make(content)
        self.base = ""

    async def probe(self):
        store_ok = await asyncio.to_thread(self.store.ping)
        return health_report(self.reloader.state, store_ok)

    async def get(self, path: str) -> tuple[int, str]:
        async with aiohttp.ClientSession() as session, session.get(self.base + path) as resp:
            return resp.status, await resp.text()


@pytest.fixture
async def running(tmp_path: Path, make: Make) -> AsyncIterator[Running]:
    content = tmp_path / "qa.yaml"
    write(content, FULL)
    store = Store(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    store.create_schema()
    bot = Running(content, store, make)
    stop = asyncio.Event()
    bound: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        serve_metrics(bot.metrics, bot.probe, 0, stop, "127.0.0.1", bound.set_result)
    )
    bot.base = f"http://127.0.0.1:{await bound}"
    yield bot
    stop.set()
    await task
    store.close()


def sample(text: str, name: str, **labels: str) -> float | None:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and s.labels == labels:
                return s.value
    return None


async def test_rejected_reload_shows_on_healthz_and_metrics(running: Running) -> None:
    status, body = await running.get(HEALTH_PATH)
    assert status == 200 and '"last_reload": {"status": "initial"' in body
    version = running.reloader.state.version

    write(running.content, INVALID)
    await asyncio.to_thread(running.reloader.reload_now)

    status, body = await running.get(HEALTH_PATH)
    assert status == 200  # still answering, from the previous content
    assert '"status": "rejected"' in body
    assert f"qa.yaml:{INVALID_LINE}: entry q22: number" in body
    assert f'"content_version": "{version}"' in body and '"entries": 22' in body

    status, text = await running.get(METRICS_PATH)
    assert status == 200
    assert sample(text, "qabot_content_reloads_total", result="rejected") == 1
    assert sample(text, "qabot_content_reloads_total", result="ok") == 0
    assert sample(text, "qabot_content_info", version=version) == 1
    assert sample(text, "qabot_content_entries") == 22


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_unreachable_store_is_degraded(running: Running) -> None:
    # A PostgreSQL URL where nothing listens: the connection is refused.
    running.store = Store(f"postgresql+psycopg://qabot@127.0.0.1:{closed_port()}/qabot")
    try:
        status, body = await running.get(HEALTH_PATH)
    finally:
        running.store.close()
    assert status == 200
    assert '"status": "degraded"' in body and '"store": false' in body


async def test_a_store_that_cannot_be_written_is_degraded(running: Running, tmp_path) -> None:
    path = tmp_path / "state.sqlite3"
    Store(f"sqlite:///{path}").create_schema()
    # Opened read-only: SELECT 1 works, every claim fails.
    running.store = Store(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        status, body = await running.get(HEALTH_PATH)
    finally:
        running.store.close()
    assert status == 200
    assert '"status": "degraded"' in body and '"store": false' in body
