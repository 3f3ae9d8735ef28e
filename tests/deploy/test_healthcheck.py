"""The image's HEALTHCHECK command, run by a shell as Docker runs it, against a real /healthz."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.endpoints import HEALTH_PATH
from tests.deploy.test_manifests import healthcheck_command, parse_dockerfile


class Health:
    """A local /healthz whose status the test sets."""

    def __init__(self) -> None:
        self.status = 200
        self.calls = 0

    async def handle(self, _request: web.Request) -> web.Response:
        self.calls += 1
        return web.json_response({"status": "ok"}, status=self.status)


@pytest.fixture
async def server() -> AsyncIterator[tuple[Health, int, web.AppRunner]]:
    health = Health()
    app = web.Application()
    app.router.add_get(HEALTH_PATH, health.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield health, runner.addresses[0][1], runner
    await runner.cleanup()


async def run_healthcheck(port: int) -> int:
    # The image's `python` is the virtual environment's; here it is the one running the tests.
    env = {**os.environ, "PORT": str(port)}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    proc = await asyncio.create_subprocess_exec(
        "/bin/sh",
        "-c",
        healthcheck_command(parse_dockerfile()),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    return await asyncio.wait_for(proc.wait(), timeout=30)


async def test_healthy_when_healthz_answers_200(server) -> None:
    health, port, _ = server
    assert await run_healthcheck(port) == 0
    assert health.calls == 1  # it reached our /healthz on $PORT


async def test_unhealthy_on_503(server) -> None:
    health, port, _ = server
    health.status = 503
    assert await run_healthcheck(port) != 0
    assert health.calls == 1


async def test_unhealthy_when_nothing_listens(server) -> None:
    _, port, runner = server
    await runner.cleanup()
    assert await run_healthcheck(port) != 0
