"""Bolt listeners by kind; ``register_listeners`` wires them all to one app."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.deps import Deps
from bot.slack.listeners import (
    actions,
    commands,
    events,
    feedback,
    home,
    queue,
    shortcuts,
    unhandled,
    welcome,
)


def register_listeners(app: AsyncApp, deps: Deps) -> None:
    commands.register(app, deps)
    events.register(app, deps)
    actions.register(app, deps)
    feedback.register(app, deps)
    shortcuts.register(app, deps)
    welcome.register(app, deps)
    home.register(app, deps)
    queue.register(app, deps)
    unhandled.register(app, deps)
