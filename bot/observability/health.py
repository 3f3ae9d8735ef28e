"""The ``/healthz`` report: content served, store reachable, Socket Mode connected."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.reload import ReloadState
from bot.settings import DEFAULT_GRACE_SECONDS

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
    grace_s: float = DEFAULT_GRACE_SECONDS,
) -> tuple[int, dict[str, Any]]:
    """Status code and the detailed JSON body, for the metrics port.

    ``status`` is ``ok``; ``degraded`` (still 200) while the last content reload was rejected
    and the previous content serves, the store does not take writes (replies still go out,
    guarded against Slack's retries in memory), or Socket Mode is down but within its grace
    period; and ``unavailable`` (503) when Socket Mode has been gone too long.
    """
    socket_ok = socket is None or socket.connected or socket.disconnected_for_s <= grace_s
    healthy = socket_ok
    degraded = (
        content.status == "rejected"
        or not store_ok
        or (socket is not None and not socket.connected)
    )
    word = "unavailable" if not healthy else "degraded" if degraded else "ok"
    body: dict[str, Any] = {"status": word, **content.as_dict()}
    body["store"] = store_ok
    if socket is not None:
        body["socket_mode"] = socket.connected
        body["socket_disconnected_for_s"] = round(socket.disconnected_for_s, 1)
    return (OK if healthy else UNAVAILABLE), body


def public(report: tuple[int, dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    """The report as the public port shows it: the status alone, no paths, versions or errors."""
    status, body = report
    return status, {"status": body["status"]}
