"""Welcoming someone to the bot's DM with three questions from the loaded content: Slack's
suggested prompts in an assistant thread, a welcome with buttons in a plain Messages tab.

Which event comes depends on the workspace. Where the assistant surface is on (the manifest's
``assistant_view``, on plans that have it), opening the bot's DM starts an assistant thread and
Slack sends ``assistant_thread_started``. Each thread gets the prompts, as Slack expects of an
assistant; when Slack refuses them (``missing_scope`` on an install made before
``assistant:write`` was added, a workspace without the feature) the thread gets the welcome with
buttons instead. Elsewhere the DM is the plain Messages tab, and ``app_home_opened`` (tab
``messages``) posts the welcome once per person.

Both take one claim per person, ``welcome:<user>``, which the purge keeps. A thread takes it
before its prompts, so someone met in an assistant thread gets no welcome at the top of the DM
afterwards; its prompts do not depend on winning it, as every new thread needs them. Slack does
not order the two events: were someone's first ``app_home_opened`` handled before their first
thread, they would have the tab's welcome at the top of the DM and the prompts in the thread,
which post nothing (only a refusal of the prompts as well would repeat the welcome there).

Only ``app_home_opened`` events for the Messages tab are taken here: Bolt hands an event to the
first listener that matches it, so the Home tab's listener matches the other tab.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from sqlalchemy.exc import SQLAlchemyError

from bot.content.models import Entry
from bot.render.feedback import suggested_entries, welcome_message
from bot.render.prompts import PROMPTS_TITLE, suggested_prompts
from bot.slack.deps import Deps
from bot.slack.jobs import EVENT_LIFETIME
from bot.slack.posting import DeliveryError
from bot.store import Job

log = logging.getLogger(__name__)

MESSAGES_TAB = "messages"
THREAD = "assistant thread"


async def is_messages_tab(event: dict[str, Any]) -> bool:
    return event.get("tab") == MESSAGES_TAB


def register_jobs(deps: Deps) -> None:
    """The handlers of this module's reply jobs."""
    deps.jobs.handle(THREAD, functools.partial(start_thread, deps))


def register(app: AsyncApp, deps: Deps) -> None:
    @app.event("app_home_opened", matchers=[is_messages_tab])
    async def on_messages_tab(event: dict[str, Any]) -> None:
        deps.after_ack(welcome(deps, event), name="welcome")

    @app.event("assistant_thread_started")
    async def on_assistant_thread(event: dict[str, Any]) -> None:
        thread = event.get("assistant_thread") or {}
        request = {k: thread.get(k) for k in ("user_id", "channel_id", "thread_ts")}
        if not request["channel_id"] or not request["thread_ts"]:
            return
        # Once per thread, whichever of Slack's deliveries of the event comes first.
        key = f"assistant:{request['channel_id']}:{request['thread_ts']}"
        deps.after_ack(deps.jobs.submit(THREAD, key, request, EVENT_LIFETIME), name=THREAD)


async def welcome(deps: Deps, event: dict[str, Any]) -> None:
    user = event.get("user")
    channel = event.get("channel")
    # One welcome per person ever, across replicas and redeliveries: a claim the purge keeps.
    if not user or not channel or not await deps.in_store(deps.store.claim_once, f"welcome:{user}"):
        return
    message = welcome_message(_suggested(deps), deps.responder.command)
    await deps.poster.post(str(channel), message)


async def start_thread(deps: Deps, job: Job, retried: bool) -> None:
    """Set the thread's prompts; when Slack refuses them, post the welcome in the thread."""
    user, channel, thread_ts = (job.payload[k] for k in ("user_id", "channel_id", "thread_ts"))
    if user:
        await _mark_welcomed(deps, str(user))
    entries = _suggested(deps)
    try:
        await deps.poster.suggest_prompts(
            str(channel), str(thread_ts), suggested_prompts(entries), PROMPTS_TITLE
        )
    except DeliveryError as exc:
        if exc.transient:
            raise  # Slack is having trouble, not refusing: the job tries again later
        log.warning("suggested prompts refused (%s); the welcome goes in the thread instead", exc)
        message = welcome_message(entries, deps.responder.command)
        await deps.poster.post(str(channel), message, thread_ts=str(thread_ts), job_key=job.key)


async def _mark_welcomed(deps: Deps, user: str) -> None:
    # Only keeps the Messages tab from welcoming them again: a store failure costs the thread
    # nothing, its prompts go out all the same.
    try:
        await deps.in_store(deps.store.claim_once, f"welcome:{user}")
    except SQLAlchemyError as exc:
        log.warning("could not record that %s was welcomed: %s", user, exc)


def _suggested(deps: Deps) -> list[Entry]:
    return suggested_entries(deps.responder.matcher.catalogue.entries)
