"""The ``/healthz`` report: content served, store reachable, Socket Mode connected."""

from __future__ import annotations

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
        body["socket_mode"] = {
            "connected": socket.connected,
            "disconnected_for_s": round(socket.disconnected_for_s, 1),
        }
    return (OK if healthy else UNAVAILABLE), body
