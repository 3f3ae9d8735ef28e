"""The /healthz report: content loaded, store writable, Socket Mode connected when used."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.observability.health import ConnectionClock, health_report
from bot.reload import ContentReloader, ReloadState
from bot.responder import Responder
from bot.settings import DEFAULT_GRACE_SECONDS
from bot.store import Store

PING_TIMEOUT_S = 3.0


@dataclass
class Health:
    """Reads the live state each time; the responder's matcher may be swapped at runtime."""

    responder: Responder
    store: Store
    socket_connected: Callable[[], Awaitable[bool]] | None = None
    reloader: ContentReloader | None = None
    socket_grace_s: float = DEFAULT_GRACE_SECONDS
    connection: ConnectionClock = field(default_factory=ConnectionClock)

    async def check(self) -> tuple[int, dict[str, Any]]:
        """HTTP status and body: 200 when every part works, 503 otherwise."""
        catalogue = self.responder.matcher.catalogue
        content = (
            self.reloader.state if self.reloader else ReloadState(catalogue.version, len(catalogue))
        )
        try:
            store_ok = await asyncio.wait_for(asyncio.to_thread(self.store.ping), PING_TIMEOUT_S)
        except TimeoutError:  # a frozen server: the check answers, the stuck ping ends later
            store_ok = False
        socket = None
        if self.socket_connected is not None:
            socket = self.connection.observe(await self.socket_connected())
        return health_report(content, store_ok, socket, self.socket_grace_s)
