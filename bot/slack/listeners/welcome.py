"""The Messages tab: someone opening a DM with the bot for the first time is welcomed once,
with three questions from the loaded content to try.

Only ``app_home_opened`` events for the Messages tab are taken here: Bolt hands an event to the
first listener that matches it, so the Home tab's listener matches the other tab.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.render.feedback import suggested_entries, welcome_message
from bot.slack.deps import Deps

MESSAGES_TAB = "messages"


async def is_messages_tab(event: dict[str, Any]) -> bool:
    return event.get("tab") == MESSAGES_TAB


def register(app: AsyncApp, deps: Deps) -> None:
    @app.event("app_home_opened", matchers=[is_messages_tab])
    async def on_messages_tab(event: dict[str, Any]) -> None:
        deps.after_ack(welcome(deps, event), name="welcome")


async def welcome(deps: Deps, event: dict[str, Any]) -> None:
    user = event.get("user")
    channel = event.get("channel")
    # One welcome per person ever, across replicas and redeliveries: a claim the purge keeps.
    if not user or not channel or not await deps.in_store(deps.store.claim_once, f"welcome:{user}"):
        return
    catalogue = deps.responder.matcher.catalogue
    message = welcome_message(suggested_entries(catalogue.entries), deps.responder.command)
    await deps.poster.post(str(channel), message)
