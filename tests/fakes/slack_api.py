"""A stand-in of the Slack Web API and of response_url endpoints: records every call.

Each call can be scripted to fail first (429 with Retry-After, 500, a Slack error body), to
answer slowly, or to post and then drop the connection; a method can be down (500) for a
while, or refused for good, as a workspace without a feature refuses it; tests await calls
instead of sleeping. Posted messages are kept, and ``conversations.history`` and
``conversations.replies`` answer from them. ``assistant.threads.setSuggestedPrompts`` is checked
against what Slack documents (a channel, a thread, one to four prompts, each with a title and a
message) and refused with ``invalid_arguments`` otherwise.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.loopback import serve

RESPONSE_URL = "response_url"
CLIENT_GONE = 499
# The bot token of a stand-in started with ``token=TOKEN``; any other is ``invalid_auth``.
TOKEN = "xoxb-test-token"
# How long a test waits for something the bot should do before it fails.
WAIT_SECONDS = 10.0
SET_PROMPTS = "assistant.threads.setSuggestedPrompts"
MAX_PROMPTS = 4  # Slack's documented limit


@dataclass(frozen=True)
class Scripted:
    """One scripted answer: an HTTP status, extra headers, and a delay before answering.

    ``body`` replaces the answer (JSON, or text when a string); ``then_drop`` posts, then hangs up.
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    body: dict[str, Any] | str | None = None
    then_drop: bool = False

    @classmethod
    def rate_limited(cls, retry_after: int = 0) -> Scripted:
        return cls(429, {"Retry-After": str(retry_after)})

    @classmethod
    def server_error(cls) -> Scripted:
        return cls(500)

    @classmethod
    def slow(cls, seconds: float) -> Scripted:
        return cls(200, delay=seconds)

    @classmethod
    def slack_error(cls, error: str, status: int = 200) -> Scripted:
        """Slack's own refusal, ``{"ok": false, "error": ...}``; Slack sends most with a 200."""
        return cls(status, body={"ok": False, "error": error})

    @classmethod
    def post_then_drop(cls) -> Scripted:
        """Post the message, then drop the connection: the poster never learns it succeeded."""
        return cls(then_drop=True)


@dataclass(frozen=True)
class Call:
    """A request the bot made: the method (or ``response_url``), its body, our status.

    ``error`` is the Slack error the stand-in answered with, if it refused the call; ``at`` is
    when it arrived (wall clock, comparable across processes on one machine).
    """

    method: str
    body: dict[str, Any]
    status: int
    path: str
    headers: dict[str, str]
    error: str | None = None
    at: float = field(default_factory=time.time)

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


@dataclass(frozen=True)
class Post:
    """A message ``chat.postMessage`` posted, with the ts it was given."""

    channel: str
    ts: str
    text: str | None
    blocks: Any
    metadata: dict[str, Any] | None
    thread_ts: str | None = None


Handler = Callable[[dict[str, Any]], dict[str, Any]]


class FakeSlackApi:
    """An aiohttp server on a free loopback port answering like the Web API."""

    def __init__(
        self, bot_user_id: str = "UBOT", bot_id: str = "BBOT", token: str | None = None
    ) -> None:
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        # When set, Web API calls must carry this bot token (response_url posts need none).
        self.token = token
        self.calls: list[Call] = []
        self.posts: list[Post] = []
        self.handlers: dict[str, Handler] = {}
        self._script: dict[str, deque[Scripted]] = defaultdict(deque)
        self._refused: dict[str, str] = {}
        self._failing: dict[str, str] = {}
        self._down_until: dict[str, float] = {}
        self._changed = asyncio.Condition()
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self, port: int = 0) -> None:
        """Listen on ``port``, or on any free port when it is 0."""
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_post("/api/{method}", self._api)
        # slack_sdk reads some methods (conversations.history) with a GET.
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        # For callers in another process (the HTTP benchmark): what was recorded so far.
        app.router.add_get("/_calls", self._list_calls)
        self._runner, self.port = await serve(app, port)

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

    def refuse(self, channel: str, error: str) -> None:
        """Every later call naming ``channel`` is refused with this Slack error."""
        self._refused[channel] = error

    def fail(self, method: str, error: str) -> None:
        """Every later call of ``method`` is refused with this Slack error (``missing_scope``)."""
        self._failing[method] = error

    def outage(self, method: str, seconds: float) -> None:
        """Every call of ``method`` (or ``response_url``) in the next ``seconds`` gets a 500."""
        self._down_until[method] = asyncio.get_running_loop().time() + seconds

    def _is_down(self, method: str) -> bool:
        return asyncio.get_running_loop().time() < self._down_until.get(method, 0.0)

    def suggested_prompts(self) -> list[dict[str, Any]]:
        """The bodies of the accepted setSuggestedPrompts calls, in order."""
        return [c.body for c in self.calls_to(SET_PROMPTS)]

    def posts_to(self, channel: str) -> list[Post]:
        return [p for p in self.posts if p.channel == channel]

    def calls_to(self, method: str, ok_only: bool = True) -> list[Call]:
        return [c for c in self.calls if c.method == method and (c.ok or not ok_only)]

    def replies(self) -> list[Call]:
        """Every delivered message: posts, ephemerals, updates and response_url posts."""
        kinds = ("chat.postMessage", "chat.postEphemeral", "chat.update", RESPONSE_URL)
        return [c for c in self.calls if c.ok and c.method in kinds]

    async def wait_until(self, ready: Callable[[], bool], within: float = WAIT_SECONDS) -> None:
        """Wait until ``ready()`` holds, looking again at every recorded call."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(ready)

    async def wait_for(self, method: str, count: int = 1) -> list[Call]:
        """Wait until ``count`` successful calls of ``method`` were recorded."""
        async with asyncio.timeout(WAIT_SECONDS), self._changed:
            await self._changed.wait_for(lambda: len(self.calls_to(method)) >= count)
        return self.calls_to(method)

    # -- handlers --------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        body = await _read_body(request)
        headers = _headers(request)
        # Refusals come first and use up no scripted answer, meant for the calls that get through.
        refusal = self._refusal(method, body, headers)
        if refusal is not None:
            await self._record(Call(method, body, 200, request.path, headers, refusal))
            return web.json_response({"ok": False, "error": refusal})
        scripted = Scripted.server_error() if self._is_down(method) else self._next(method)
        if scripted.delay:
            await asyncio.sleep(scripted.delay)
        if scripted.then_drop:
            self._answer(method, body)
            # Slack did post it: only the answer is lost, so the call counts as delivered.
            await self._record(Call(method, body, 200, request.path, headers))
            assert request.transport is not None
            request.transport.abort()
            raise web.HTTPInternalServerError()
        if scripted.body is not None or scripted.status != 200:
            return await self._scripted_answer(method, body, request.path, headers, scripted)
        answer = self._answer(method, body)
        await self._record(Call(method, body, 200, request.path, headers))
        return web.json_response(answer)

    async def _scripted_answer(
        self,
        method: str,
        body: dict[str, Any],
        path: str,
        headers: dict[str, str],
        scripted: Scripted,
    ) -> web.StreamResponse:
        answer = scripted.body
        if answer is None:
            answer = {
                "ok": False,
                "error": "ratelimited" if scripted.status == 429 else "fatal_error",
            }
        error = None
        if isinstance(answer, dict) and not answer.get("ok"):
            error = str(answer.get("error"))
        await self._record(Call(method, body, scripted.status, path, headers, error))
        if isinstance(answer, str):
            return web.Response(status=scripted.status, text=answer, headers=scripted.headers)
        return web.json_response(answer, status=scripted.status, headers=scripted.headers)

    async def _respond(self, request: web.Request) -> web.StreamResponse:
        body = await _read_body(request)
        down = self._is_down(RESPONSE_URL)
        scripted = Scripted.server_error() if down else self._next(RESPONSE_URL)
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
            [
                {"method": c.method, "path": c.path, "status": c.status, "at": c.at}
                for c in self.calls
            ]
        )

    def _refusal(self, method: str, body: dict[str, Any], headers: dict[str, str]) -> str | None:
        if self.token is not None and headers.get("authorization") != f"Bearer {self.token}":
            return "invalid_auth"
        if method in self._failing:
            return self._failing[method]
        if method == SET_PROMPTS and not _valid_prompts(body):
            return "invalid_arguments"
        return self._refused.get(str(body.get("channel") or body.get("channel_id")))

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
        if method == "chat.postMessage":
            post = self._keep(body)
            return {"ok": True, "channel": post.channel, "ts": post.ts}
        if method == "chat.update":
            ts = body.get("ts") or f"1700000000.{next(self._ts):06d}"
            return {"ok": True, "channel": body.get("channel"), "ts": ts}
        if method == "conversations.history":
            return {"ok": True, "messages": self._history(body), "has_more": False}
        if method == "conversations.replies":
            thread = str(body.get("ts"))
            found = self._messages(body, lambda p: p.thread_ts == thread)
            return {"ok": True, "messages": found[::-1], "has_more": False}
        if method in ("views.publish", "views.open", "views.update"):
            return {"ok": True, "view": self._view(method, body)}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}
        return {"ok": True}

    def _view(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        """The view as Slack gives it back: the one sent, with an id (kept by an update)."""
        view = body.get("view")
        if isinstance(view, str):  # a form-encoded call carries it as JSON text
            view = json.loads(view)
        view_id = body.get("view_id") if method == "views.update" else None
        return {**(view or {}), "id": view_id or f"V{next(self._ts):08d}"}

    def views(self, method: str) -> list[dict[str, Any]]:
        """The views sent with ``method`` (views.publish, views.open, views.update), in order."""
        found = []
        for call in self.calls_to(method):
            view = call.body.get("view")
            found.append(json.loads(view) if isinstance(view, str) else view)
        return found

    def _keep(self, body: dict[str, Any]) -> Post:
        metadata = body.get("metadata")
        if isinstance(metadata, str):  # a form-encoded post carries it as JSON text
            metadata = json.loads(metadata)
        ts = str(body.get("ts") or f"1700000000.{next(self._ts):06d}")
        thread = body.get("thread_ts") or None
        post = Post(
            str(body.get("channel")), ts, body.get("text"), body.get("blocks"), metadata, thread
        )
        self.posts.append(post)
        return post

    def _history(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """The channel's posts outside threads, newest first; ``oldest`` is ignored, as our ts
        are not times."""
        return self._messages(body, lambda p: p.thread_ts is None)

    def _messages(
        self, body: dict[str, Any], which: Callable[[Post], bool]
    ) -> list[dict[str, Any]]:
        with_metadata = str(body.get("include_all_metadata", "")).lower() in {"1", "true"}
        return [
            {
                "type": "message",
                "ts": p.ts,
                "text": p.text,
                **({"thread_ts": p.thread_ts} if p.thread_ts else {}),
                **({"metadata": p.metadata} if with_metadata and p.metadata else {}),
            }
            for p in reversed(self.posts_to(str(body.get("channel"))))
            if which(p)
        ]

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()


def _valid_prompts(body: dict[str, Any]) -> bool:
    """What Slack documents of setSuggestedPrompts: a channel, a thread, one to four prompts."""
    prompts = body.get("prompts")
    if isinstance(prompts, str):  # a form-encoded call carries them as JSON text
        prompts = json.loads(prompts)
    return (
        bool(body.get("channel_id"))
        and bool(body.get("thread_ts"))
        and isinstance(body.get("title", ""), str)
        and isinstance(prompts, list)
        and 1 <= len(prompts) <= MAX_PROMPTS
        and all(
            isinstance(p, dict)
            and set(p) == {"title", "message"}
            and all(isinstance(v, str) and v.strip() for v in p.values())
            for p in prompts
        )
    )


async def _read_body(request: web.Request) -> dict[str, Any]:
    # A GET carries its arguments in the query; a POST in JSON or a form.
    args: dict[str, Any] = dict(request.query)
    raw = await request.text()
    if not raw:
        return args
    if request.content_type == "application/json":
        return {**args, **json.loads(raw)}
    return {**args, **(await request.post())}


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
