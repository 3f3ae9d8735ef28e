"""A stand-in of the Slack Web API and of response_url endpoints: records every call.

Each call can be scripted to fail first (429 with Retry-After, 500) or to answer slowly;
tests await calls instead of sleeping.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.loopback import serve

RESPONSE_URL = "response_url"
CLIENT_GONE = 499
# How long a test waits for something the bot should do before it fails.
WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class Scripted:
    """One scripted answer: an HTTP status, extra headers, and a delay before answering."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    @classmethod
    def rate_limited(cls, retry_after: int = 0) -> Scripted:
        return cls(429, {"Retry-After": str(retry_after)})

    @classmethod
    def server_error(cls) -> Scripted:
        return cls(500)

    @classmethod
    def slow(cls, seconds: float) -> Scripted:
        return cls(200, delay=seconds)


@dataclass(frozen=True)
class Call:
    """A request the bot made: the method (or ``response_url``), its body, our status."""

    method: str
    body: dict[str, Any]
    status: int
    path: str
    headers: dict[str, str]

    @property
    def ok(self) -> bool:
        return self.status == 200


Handler = Callable[[dict[str, Any]], dict[str, Any]]


class FakeSlackApi:
    """An aiohttp server on a free loopback port answering like the Web API."""

    def __init__(self, bot_user_id: str = "UBOT", bot_id: str = "BBOT") -> None:
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.calls: list[Call] = []
        self.handlers: dict[str, Handler] = {}
        self._script: dict[str, deque[Scripted]] = defaultdict(deque)
        self._changed = asyncio.Condition()
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        # For callers in another process (the HTTP benchmark): what was recorded so far.
        app.router.add_get("/_calls", self._list_calls)
        self._runner, self.port = await serve(app)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        """The base URL to give the bot as SLACK_API_URL."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, key: str = "r1") -> str:
        """A response_url for a slash command or an action; posts to it are recorded."""
        return f"http://127.0.0.1:{self.port}/respond/{key}"

    # -- scripting and assertions ----------------------------------------------------------------

    def script(self, method: str, *answers: Scripted) -> None:
        """The next calls of ``method`` (or ``response_url``) get these answers, in order."""
        self._script[method].extend(answers)

    def calls_to(self, method: str, ok_only: bool = True) -> list[Call]:
        return [c for c in self.calls if c.method == method and (c.ok or not ok_only)]

    def replies(self) -> list[Call]:
        """Every delivered message: posts, ephemerals, updates and response_url posts."""
        kinds = ("chat.postMessage", "chat.postEphemeral", "chat.update", RESPONSE_URL)
        return [c for c in self.calls if c.ok and c.method in kinds]

    async def wait_for(self, method: str, count: int = 1) -> list[Call]:
        """Wait until ``count`` successful calls of ``method`` were recorded."""
        async with asyncio.timeout(WAIT_SECONDS), self._changed:
            await self._changed.wait_for(lambda: len(self.calls_to(method)) >= count)
        return self.calls_to(method)

    # -- handlers --------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        body = await _read_body(request)
        scripted = self._next(method)
        if scripted.delay:
            await asyncio.sleep(scripted.delay)
        if scripted.status != 200:
            await self._record(Call(method, body, scripted.status, request.path, _headers(request)))
            return web.json_response(
                {"ok": False, "error": "ratelimited" if scripted.status == 429 else "fatal_error"},
                status=scripted.status,
                headers=scripted.headers,
            )
        answer = self._answer(method, body)
        await self._record(Call(method, body, 200, request.path, _headers(request)))
        return web.json_response(answer)

    async def _respond(self, request: web.Request) -> web.StreamResponse:
        body = await _read_body(request)
        scripted = self._next(RESPONSE_URL)
        if scripted.delay:
            await asyncio.sleep(scripted.delay)
        status = scripted.status
        if request.transport is None or request.transport.is_closing():
            status = CLIENT_GONE  # the sender hung up before we answered: not delivered
        await self._record(Call(RESPONSE_URL, body, status, request.path, {}))
        if status != 200:
            return web.Response(status=status, text="error", headers=scripted.headers)
        return web.Response(text="ok")

    async def _list_calls(self, _request: web.Request) -> web.StreamResponse:
        return web.json_response(
            [{"method": c.method, "path": c.path, "status": c.status} for c in self.calls]
        )

    def _next(self, method: str) -> Scripted:
        queue = self._script.get(method)
        return queue.popleft() if queue else Scripted()

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method in self.handlers:
            return self.handlers[method](body)
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://example.slack.com/",
                "team": "Example",
                "team_id": "T1",
                "user": "qabot",
                "user_id": self.bot_user_id,
                "bot_id": self.bot_id,
            }
        if method in ("chat.postMessage", "chat.update"):
            ts = body.get("ts") or f"1700000000.{next(self._ts):06d}"
            return {"ok": True, "channel": body.get("channel"), "ts": ts}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}
        return {"ok": True}

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()


async def _read_body(request: web.Request) -> dict[str, Any]:
    raw = await request.text()
    if not raw:
        return {}
    if request.content_type == "application/json":
        return json.loads(raw)
    return {k: v for k, v in (await request.post()).items()}


def _headers(request: web.Request) -> dict[str, str]:
    return {k.lower(): v for k, v in request.headers.items()}


async def serve_forever() -> None:
    """Run the stand-in alone (``python -m tests.fakes.slack_api``); prints its base URL."""
    api = FakeSlackApi()
    await api.start()
    print(f"fake Slack API: serving {api.url} (port {api.port})", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(serve_forever())
