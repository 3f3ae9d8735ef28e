"""Requests no listener takes, and listener failures: one log line each, no Bolt boilerplate.

A click on a button the bot does not know (an old message, another app version) is still a
person's click: Slack shows an error beside it unless it is acked, so it gets a 200.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.slack.deps import Deps

log = logging.getLogger(__name__)

# The ``type`` of every interactivity payload: buttons, menus, shortcuts, modals, dialogs.
INTERACTIVE = frozenset(
    {
        "block_actions",
        "block_suggestion",
        "interactive_message",
        "shortcut",
        "message_action",
        "view_submission",
        "view_closed",
        "dialog_submission",
        "dialog_cancellation",
        "dialog_suggestion",
    }
)


def register(app: AsyncApp, _deps: Deps) -> None:
    """Answer what no listener takes; needs ``raise_error_for_unhandled_request`` on the app."""

    @app.error
    async def on_error(error: Exception, request: AsyncBoltRequest) -> BoltResponse | None:
        if isinstance(error, BoltUnhandledRequestError):
            return unhandled(request.body)
        # What Bolt's own handler does, on our logger.
        log.error("listener failed: %s", error, exc_info=error)
        return None


def unhandled(body: dict[str, Any]) -> BoltResponse | None:
    """Ack an unknown interactive payload; anything else keeps Bolt's 404."""
    kind = body.get("type")
    if isinstance(kind, str) and kind in INTERACTIVE:
        log.warning("unknown %s %r acknowledged and ignored", kind, _callback(body))
        return BoltResponse(status=200, body="")
    log.warning("unhandled %s answered 404", _describe(body))
    return None


def _describe(body: dict[str, Any]) -> str:
    event = body.get("event")
    if isinstance(event, dict):
        return f"event {event.get('type')!r}"
    if "command" in body:
        return f"command {body.get('command')!r}"
    return f"request of type {body.get('type')!r}"


def _callback(body: dict[str, Any]) -> str | None:
    """The action id of a button or menu, else the payload's callback id."""
    actions = body.get("actions")
    if isinstance(actions, list) and actions and isinstance(actions[0], dict):
        return actions[0].get("action_id") or actions[0].get("name")
    view = body.get("view")
    if isinstance(view, dict):
        return view.get("callback_id")
    return body.get("callback_id") or body.get("action_id")
