"""The ``/healthz`` report: content served, store reachable, Socket Mode connected."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.reload import ReloadState

OK = 200
UNAVAILABLE = 503


@dataclass(frozen=True)
class SocketModeState:
    """Whether the Socket Mode connection is up, and for how long it has been down."""

    connected: bool
    disconnected_for_s: float = 0.0


class ConnectionClock:
    """Turns "connected now?" answers into how long the connection has been down.

    Down counts from start until the first connection, so a bot that never connects
    becomes unhealthy after the grace period too.
    """

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._down_since: float | None = now()

    def observe(self, connected: bool) -> SocketModeState:
        """Record the current connection state and return it with its downtime."""
        now = self._now()
        if connected:
            self._down_since = None
            return SocketModeState(True)
        if self._down_since is None:
            self._down_since = now
        return SocketModeState(False, now - self._down_since)


def health_report(
    content: ReloadState,
    store_ok: bool,
    socket: SocketModeState | None = None,
    grace_s: float = 60.0,
) -> tuple[int, dict[str, Any]]:
    """Status code and JSON body; 503 when the store is down or Socket Mode is gone too long.

    A rejected content reload does not make the bot unhealthy: the previous content serves,
    and the report says so under ``last_reload``.
    """
    socket_ok = socket is None or socket.connected or socket.disconnected_for_s <= grace_s
    healthy = store_ok and socket_ok
    body: dict[str, Any] = {"status": "ok" if healthy else "unavailable", **content.as_dict()}
    body["store"] = store_ok
    if socket is not None:
        body["socket_mode"] = socket.connected
        body["socket_disconnected_for_s"] = round(socket.disconnected_for_s, 1)
    return (OK if healthy else UNAVAILABLE), body
