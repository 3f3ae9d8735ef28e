"""The maintainers' queue on the Home tab: "Add as phrasing of…" and "Dismiss".

Every button, option request and submission checks that its user is in ``QABOT_MAINTAINERS``:
a view only shows the buttons, and anyone can send a payload naming them. A phrasing goes to
the learned file (``bot.content.learned``), is served once the content is reloaded, and takes
its group of questions off the queue; the official text never changes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.content.learned import LearnedError, add_phrasing
from bot.render.home import (
    ENTRY_BLOCK,
    ENTRY_INPUT,
    PHRASING_CALLBACK,
    QUEUE_ADD_ACTION,
    QUEUE_DISMISS_ACTION,
    TEXT_BLOCK,
    TEXT_INPUT,
    Queued,
    entry_options,
    phrasing_modal,
)
from bot.slack.deps import Deps
from bot.slack.listeners.home import open_view, publish_home
from bot.store import QuestionGroup

log = logging.getLogger(__name__)

REFUSED = "Only the maintainers (QABOT_MAINTAINERS) can change the learned phrasings."


def register(app: AsyncApp, deps: Deps) -> None:
    @app.action(QUEUE_ADD_ACTION)
    async def on_add(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        user = _user(body)
        if not deps.is_maintainer(user) or deps.learned is None:
            log.warning("'Add as phrasing' refused for %s: not a maintainer", user)
            return
        trigger = body.get("trigger_id")
        if trigger:
            work = open_phrasing(deps, client, trigger, str(action.get("value", "")), user)
            deps.after_ack(work, name="queue")

    @app.action(QUEUE_DISMISS_ACTION)
    async def on_dismiss(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        user = _user(body)
        if not deps.is_maintainer(user):
            log.warning("'Dismiss' refused for %s: not a maintainer", user)
            return
        assert user is not None
        deps.after_ack(dismiss(deps, client, str(action.get("value", "")), user), name="queue")

    @app.options(ENTRY_INPUT)
    async def on_entry_options(ack: AsyncAck, body: dict[str, Any]) -> None:
        # Only the phrasing modal has an external select; more than 100 entries put it there.
        if not deps.is_maintainer(_user(body)):
            await ack(options=[])
            return
        catalogue = deps.responder.matcher.catalogue
        await ack(**entry_options(catalogue, str(body.get("value") or "")))

    @app.view(PHRASING_CALLBACK)
    async def on_phrasing(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user = _user(body)
        if not deps.is_maintainer(user) or deps.learned is None:
            log.warning("phrasing refused for %s: not a maintainer", user)
            await ack(response_action="errors", errors={ENTRY_BLOCK: REFUSED})
            return
        assert user is not None
        values = view.get("state", {}).get("values", {})
        chosen = (values.get(ENTRY_BLOCK, {}).get(ENTRY_INPUT) or {}).get("selected_option")
        entry_id = str((chosen or {}).get("value") or "")
        text = str((values.get(TEXT_BLOCK, {}).get(TEXT_INPUT) or {}).get("value") or "")
        if deps.responder.matcher.catalogue.get(entry_id) is None:
            errors = {ENTRY_BLOCK: "That question is not in the loaded content; choose again."}
            await ack(response_action="errors", errors=errors)
            return
        if not text.strip():
            await ack(response_action="errors", errors={TEXT_BLOCK: "Write the phrasing."})
            return
        try:
            # A small file written here, so that a problem shows in the modal, not only a log.
            await asyncio.to_thread(add_phrasing, deps.learned, entry_id, text, user)
        except (LearnedError, OSError) as exc:
            log.error("learned phrasing not written: %s", exc)
            problem = "The learned file cannot be written now; see the bot's log."
            await ack(response_action="errors", errors={TEXT_BLOCK: problem})
            return
        log.info("learned phrasing added to %s by %s", entry_id, user)
        await ack()
        key = str(view.get("private_metadata") or "")
        deps.after_ack(learned(deps, client, key, user), name="queue")


async def open_phrasing(
    deps: Deps, client: AsyncWebClient, trigger: str, key: str, user: str | None
) -> None:
    group = await find_group(deps, key)
    if group is None:  # dismissed or purged meanwhile: show the queue as it is
        if user:
            await publish_home(deps, client, user)
        return
    item = Queued(group.grouped_as, group.text, group.count, group.last_at)
    await open_view(client, trigger, phrasing_modal(item, deps.responder.matcher.catalogue))


async def dismiss(deps: Deps, client: AsyncWebClient, key: str, user: str) -> None:
    group = await find_group(deps, key)
    if group is not None:
        await deps.in_store(deps.questions.dismiss_questions, group.ids, user)
    await publish_home(deps, client, user)


async def learned(deps: Deps, client: AsyncWebClient, key: str, user: str) -> None:
    """After a phrasing is written: off the queue, served, and the Home tab shown anew."""
    group = await find_group(deps, key)
    if group is not None:
        await deps.in_store(deps.questions.dismiss_questions, group.ids, user)
    if deps.reloader is not None:
        state = await deps.reloader.reload()
        if state.status == "rejected":
            log.error("learned phrasing written but not served: %s", "; ".join(state.errors))
    else:
        log.warning("no content reloader: the phrasing is served from the next start")
    await publish_home(deps, client, user)


async def find_group(deps: Deps, key: str) -> QuestionGroup | None:
    """The queued group read as ``key``, with every question in it now (not when shown)."""
    groups = await deps.in_store(deps.questions.question_groups)
    return next((g for g in groups if g.grouped_as == key), None)


def _user(body: dict[str, Any]) -> str | None:
    user = body.get("user")
    return user.get("id") if isinstance(user, dict) else body.get("user_id")
