"""The App Home tab: published when someone opens it, with a search box answering privately.

The search answers in the modal it was asked in, which only the asker sees: the Home tab has no
channel for an ephemeral message, and a DM would leave the answer in a conversation the asker
did not start. The submission is acked at once with a "Searching…" view, as every listener
here acks before matching, and the answer replaces it through ``views.update``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.content.models import Catalogue
from bot.render.browse import example_question
from bot.render.home import (
    SEARCH_ACTION,
    SEARCH_BLOCK,
    SEARCH_CALLBACK,
    SEARCH_INPUT,
    Asked,
    Queued,
    answer_modal,
    home_view,
    search_modal,
    searching_modal,
)
from bot.slack.deps import Deps, now
from bot.store.store import LoggedQuery

log = logging.getLogger(__name__)

# The most asked questions are counted over this many days of the query log.
ASKED_DAYS = 30


def register(app: AsyncApp, deps: Deps) -> None:
    # Bolt hands an event to the first listener that matches it; this one takes only the Home
    # tab, so that a listener for the Messages tab (tab == "messages") gets its own.
    async def home_tab(event: dict[str, Any]) -> bool:
        return event.get("tab") == "home"

    @app.event("app_home_opened", matchers=[home_tab])
    async def on_home_opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        user = event.get("user")
        if user:
            deps.after_ack(publish_home(deps, client, user), name="home")

    @app.action(SEARCH_ACTION)
    async def on_search(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        trigger = body.get("trigger_id")
        if trigger:
            deps.after_ack(open_view(client, trigger, search_modal(_example(deps))), name="search")

    @app.view(SEARCH_CALLBACK)
    async def on_search_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        started = now()
        field = view.get("state", {}).get("values", {}).get(SEARCH_BLOCK, {}).get(SEARCH_INPUT)
        query = str((field or {}).get("value") or "")
        await ack(response_action="update", view=searching_modal())
        user = (body.get("user") or {}).get("id")
        work = answer_search(deps, client, view.get("id"), query, user, started)
        deps.after_ack(work, name="search")


async def answer_search(
    deps: Deps,
    client: AsyncWebClient,
    view_id: str | None,
    query: str,
    user: str | None,
    started: float,
) -> None:
    if not view_id:
        return
    reply = await deps.reply(query, user)
    try:
        await client.views_update(view_id=view_id, view=answer_modal(reply.message))
    except SlackApiError as exc:  # the modal was closed meanwhile: nobody to show it to
        log.warning("search answer not shown: %s", exc.response.get("error"))
        return
    deps.report("home", reply, started)


async def open_view(client: AsyncWebClient, trigger_id: str, view: dict[str, Any]) -> None:
    try:
        await client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:  # an expired trigger (over 3 s) is the usual cause
        log.warning("modal not opened: %s", exc.response.get("error"))


async def publish_home(deps: Deps, client: AsyncWebClient, user: str) -> None:
    """Publish ``user``'s Home tab from the content served now and the store."""
    catalogue = deps.responder.matcher.catalogue
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=ASKED_DAYS)
    queries = await deps.in_store(deps.store.logged_queries, since)
    queue = None
    if deps.is_maintainer(user):
        groups = await deps.in_store(deps.questions.question_groups)
        queue = [Queued(g.grouped_as, g.text, g.count, g.last_at) for g in groups]
    view = home_view(
        catalogue, most_asked(queries, catalogue), queue, deps.responder.command, ASKED_DAYS
    )
    try:
        await client.views_publish(user_id=user, view=view)
    except SlackApiError as exc:
        log.warning("home tab not published: %s", exc.response.get("error"))


def most_asked(queries: list[LoggedQuery], catalogue: Catalogue, limit: int = 10) -> list[Asked]:
    """Entries answered most often, most first, then in content order; gone entries left out."""
    counts = Counter(q.entry_id for q in queries if q.entry_id)
    order = {entry.id: index for index, entry in enumerate(catalogue.entries)}
    ranked = sorted(
        (entry_id for entry_id in counts if entry_id in order),
        key=lambda entry_id: (-counts[entry_id], order[entry_id]),
    )
    found = [catalogue.get(entry_id) for entry_id in ranked[:limit]]
    return [Asked(entry, counts[entry.id]) for entry in found if entry is not None]


def _example(deps: Deps) -> str:
    documents = deps.responder.matcher.catalogue.documents
    return example_question(documents[0].entries) if documents else ""
