"""A local stand-in of the Slack Web API: a real aiohttp server that records what is posted."""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "xoxb-test-token"


@dataclass
class Scripted:
    """One canned reply to the next ``chat.postMessage``, instead of posting."""

    status: int = 200
    body: dict[str, Any] | str = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    # Post the message, then drop the connection: the poster never learns it succeeded.
    post_then_drop: bool = False


class FakeWebApi:
    """``chat.postMessage`` and ``conversations.history`` on 127.0.0.1, on a free port."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []  # every message posted, in order
        self.calls: list[str] = []  # every method called, in order
        self.script: list[Scripted] = []
        self.refuse: dict[str, str] = {}  # channel -> error for every post there
        self.history_error: str | None = None
        self.posted = asyncio.Event()  # set at every post, for tests to await
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/api/chat.postMessage", self._post_message)
        app.router.add_route("*", "/api/conversations.history", self._history)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/api/"
        return self.url

    async def close(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def posts_to(self, channel: str) -> list[dict[str, Any]]:
        return [p for p in self.posts if p["channel"] == channel]

    async def _args(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return await request.json()
        args = dict(request.query)
        args.update(await request.post())
        return args

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {TOKEN}"

    async def _post_message(self, request: web.Request) -> web.StreamResponse:
        self.calls.append("chat.postMessage")
        if not self._authorized(request):
            return web.json_response({"ok": False, "error": "invalid_auth"})
        args = await self._args(request)
        if args.get("channel") in self.refuse:
            return web.json_response({"ok": False, "error": self.refuse[args["channel"]]})
        if self.script:
            step = self.script.pop(0)
            if step.post_then_drop:
                self._record(args)
                assert request.transport is not None
                request.transport.abort()
                raise web.HTTPInternalServerError()
            if isinstance(step.body, str):
                return web.Response(status=step.status, text=step.body, headers=step.headers)
            return web.json_response(step.body, status=step.status, headers=step.headers)
        message = self._record(args)
        return web.json_response({"ok": True, "channel": args["channel"], "ts": message["ts"]})

    def _record(self, args: dict[str, Any]) -> dict[str, Any]:
        metadata = args.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        message = {
            "channel": args["channel"],
            "ts": f"1700000000.{next(self._ts):06d}",
            "text": args.get("text"),
            "blocks": args.get("blocks"),
            "metadata": metadata,
        }
        self.posts.append(message)
        self.posted.set()
        return message

    async def _history(self, request: web.Request) -> web.Response:
        self.calls.append("conversations.history")
        if not self._authorized(request):
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if self.history_error:
            return web.json_response({"ok": False, "error": self.history_error})
        args = await self._args(request)
        with_metadata = str(args.get("include_all_metadata", "")).lower() in {"1", "true"}
        messages = [
            {
                "type": "message",
                "ts": p["ts"],
                "text": p["text"],
                **({"metadata": p["metadata"]} if with_metadata and p["metadata"] else {}),
            }
            for p in reversed(self.posts_to(args.get("channel", "")))
        ]
        return web.json_response({"ok": True, "messages": messages, "has_more": False})
