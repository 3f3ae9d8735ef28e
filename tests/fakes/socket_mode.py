"""A stand-in of Slack's Socket Mode: its apps.connections.open hands out its own ws:// URL.

It delivers envelopes over a real WebSocket, records the acks, and can drop the link.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.loopback import serve
from tests.fakes.slack_api import WAIT_SECONDS, FakeSlackApi


class FakeSocketMode:
    """A WebSocket server on a free loopback port, wired into a FakeSlackApi."""

    def __init__(self, api: FakeSlackApi) -> None:
        self.api = api
        self.acks: list[dict[str, Any]] = []
        self.connections = 0
        self._current: web.WebSocketResponse | None = None
        self._changed = asyncio.Condition()
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0
        api.handlers["apps.connections.open"] = self._open

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/link", self._link)
        self._runner, self.port = await serve(app)

    async def stop(self) -> None:
        if self._current is not None and not self._current.closed:
            await self._current.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def _open(self, _body: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link?n={self.connections + 1}"}

    # -- what tests do ---------------------------------------------------------------------------

    async def wait_connected(self, count: int = 1) -> None:
        """Wait until the bot has opened ``count`` connections in all and one is live."""
        async with asyncio.timeout(WAIT_SECONDS), self._changed:
            await self._changed.wait_for(
                lambda: (
                    self.connections >= count
                    and self._current is not None
                    and not self._current.closed
                )
            )

    async def deliver(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        envelope_id: str | None = None,
        retry_attempt: int = 0,
    ) -> str:
        """Send one envelope (``slash_commands``, ``events_api``, ``interactive``)."""
        envelope_id = envelope_id or f"env-{next(self._ids)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": envelope_type != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
        }
        assert self._current is not None, "no live connection"
        await self._current.send_str(json.dumps(envelope))
        return envelope_id

    async def wait_ack(self, envelope_id: str) -> dict[str, Any]:
        async with asyncio.timeout(WAIT_SECONDS), self._changed:
            await self._changed.wait_for(lambda: self._ack(envelope_id) is not None)
        ack = self._ack(envelope_id)
        assert ack is not None
        return ack

    def acks_of(self, envelope_id: str) -> list[dict[str, Any]]:
        return [a for a in self.acks if a.get("envelope_id") == envelope_id]

    async def drop(self) -> None:
        """Close the live connection from the server side, as Slack does on refresh."""
        if self._current is not None:
            await self._current.close()

    # -- the WebSocket ---------------------------------------------------------------------------

    def _ack(self, envelope_id: str) -> dict[str, Any] | None:
        found = self.acks_of(envelope_id)
        return found[0] if found else None

    async def _link(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        async with self._changed:
            self.connections += 1
            self._current = ws
            self._changed.notify_all()
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                async with self._changed:
                    self.acks.append(json.loads(message.data))
                    self._changed.notify_all()
        async with self._changed:
            self._changed.notify_all()
        return ws
