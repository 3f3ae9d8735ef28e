"""The public port's limits on connections: a cap on how many are open at once, and a deadline
for a new connection to send its first request's head.

Without them, clients that connect and then send nothing, or a header a byte at a time, hold a
file descriptor each for as long as they like; past the process's limit every accept fails and
asyncio logs each failure. Slack sends a request's head at once and needs few connections.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

log = logging.getLogger(__name__)

# A new connection has this long to deliver its first request's head (and the body after it).
HEAD_TIMEOUT_S = 10.0
BODY_TIMEOUT_S = 10.0
# An idle kept-alive connection is closed after this long.
KEEPALIVE_S = 30.0
# At most this many connections, and never more than half the descriptors the process may open.
MAX_CONNECTIONS = 1000


def connection_cap() -> int:
    """The cap for this process: MAX_CONNECTIONS, or half its descriptor limit if lower."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(16, min(MAX_CONNECTIONS, soft // 2))


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ConnectionGuard:
    """Counts the connections a site accepts, refuses those past the cap, and closes the ones
    that have not begun a request within ``head_timeout``."""

    def __init__(self, cap: int | None = None, head_timeout: float = HEAD_TIMEOUT_S) -> None:
        self.cap = cap if cap is not None else connection_cap()
        self.head_timeout = head_timeout
        self.refused = 0
        self._waiting: set[RequestHandler] = set()

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Marks the connection as having sent a request head."""
        protocol = request.protocol
        if isinstance(protocol, RequestHandler):
            self._waiting.discard(protocol)
        return await handler(request)

    def accept(self, server: web.Server) -> asyncio.BaseProtocol:
        """The protocol for a new connection: aiohttp's, or a refusal past the cap."""
        if len(server.connections) >= self.cap:
            self.refused += 1
            if self.refused == 1 or self.refused % 1000 == 0:
                log.warning(
                    "connection cap (%d) reached: %d refused so far", self.cap, self.refused
                )
            return _Refused()
        protocol = server()
        self._waiting.add(protocol)
        asyncio.get_running_loop().call_later(self.head_timeout, self._expire, protocol)
        return protocol

    def _expire(self, protocol: RequestHandler) -> None:
        if protocol not in self._waiting:
            return
        self._waiting.discard(protocol)
        if protocol.transport is not None and not protocol.transport.is_closing():
            protocol.transport.close()


class _Refused(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Closed at once, with no lingering: the descriptor is free again straight away.
        assert isinstance(transport, asyncio.Transport)
        transport.abort()


class GuardedSite(web.BaseSite):
    """A TCP site whose connections go through a ``ConnectionGuard``."""

    __slots__ = ("_bound_port", "_guard", "_host", "_port")

    def __init__(self, runner: web.BaseRunner, host: str, port: int, guard: ConnectionGuard):
        super().__init__(runner)
        self._guard = guard
        self._host = host
        self._port = port
        self._bound_port = port

    @property
    def name(self) -> str:
        return f"http://{self._host}:{self._bound_port}"

    @property
    def port(self) -> int:
        return self._bound_port

    async def start(self) -> None:
        await super().start()
        server = self._runner.server
        assert isinstance(server, web.Server)
        self._server = await asyncio.get_running_loop().create_server(
            lambda: self._guard.accept(server), self._host, self._port, reuse_address=True
        )
        self._bound_port = self._server.sockets[0].getsockname()[1]
