"""Bolt listeners by kind; ``register_listeners`` wires them all to one app, and
``register_job_handlers`` gives the job runner what runs each kind of reply."""

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


def register_job_handlers(deps: Deps) -> None:
    for module in (commands, events, actions, feedback, shortcuts, welcome):
        module.register_jobs(deps)


def register_listeners(app: AsyncApp, deps: Deps) -> None:
    register_job_handlers(deps)
    commands.register(app, deps)
    events.register(app, deps)
    actions.register(app, deps)
    feedback.register(app, deps)
    shortcuts.register(app, deps)
    welcome.register(app, deps)
    home.register(app, deps)
    queue.register(app, deps)
    unhandled.register(app, deps)
