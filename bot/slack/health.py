"""The /healthz report: content loaded, store reachable, Socket Mode connected when used."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.responder import Responder
from bot.store import Store


@dataclass
class Health:
    """Reads the live state each time; the responder's matcher may be swapped at runtime."""

    responder: Responder
    store: Store
    socket_connected: Callable[[], Awaitable[bool]] | None = None

    async def check(self) -> tuple[int, dict[str, Any]]:
        """HTTP status and body: 200 when every part works, 503 otherwise."""
        catalogue = self.responder.matcher.catalogue
        store_ok = await asyncio.to_thread(self.store.ping)
        body: dict[str, Any] = {
            "status": "ok",
            "entries": len(catalogue),
            "content_version": catalogue.version,
            "store": store_ok,
        }
        healthy = store_ok and len(catalogue) > 0
        if self.socket_connected is not None:
            body["socket_mode"] = await self.socket_connected()
            healthy = healthy and body["socket_mode"]
        if not healthy:
            body["status"] = "unavailable"
        return (200 if healthy else 503), body
