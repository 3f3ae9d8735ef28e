"""The App Home tab, its search modal and the maintainers' queue, against the Slack stand-ins."""

from __future__ import annotations

import html
import itertools
import json
from pathlib import Path
from typing import Any

import aiohttp

from bot.content import Catalogue
from bot.feedback.questions import QuestionKeeper
from bot.render.home import (
    ENTRY_BLOCK,
    ENTRY_INPUT,
    PHRASING_CALLBACK,
    QUEUE_ADD_ACTION,
    QUEUE_DISMISS_ACTION,
    SEARCH_ACTION,
    SEARCH_BLOCK,
    SEARCH_CALLBACK,
    SEARCH_INPUT,
    TEXT_BLOCK,
    TEXT_INPUT,
)
from bot.slack.config import Mode
from bot.slack.server import BotServer
from bot.store import QuestionKind, QuestionStore
from tests.fakes.slack_api import RESPONSE_URL, FakeSlackApi
from tests.fakes.socket_mode import FakeSocketMode
from tests.render.reading import check_view, shown
from tests.slack.conftest import StartBot, sender_for
from tests.slack.slack_requests import TEAM, USER, SlackSender, command_body, event_body

MAINTAINER = "U777MAINT"
# Declined by the shipped content: no entry says anything about landlords or paperwork.
ASKED = "can my landlord see the paperwork I filed"
_ids = itertools.count(1)


def home_opened(user: str, tab: str = "home") -> dict[str, Any]:
    return event_body(
        {"type": "app_home_opened", "user": user, "channel": "D1HOME", "tab": tab, "event_ts": "1"}
    )


def press(user: str, action_id: str, value: str | None = None) -> dict[str, Any]:
    """A button pressed on the Home tab."""
    action: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "block_id": "b1",
        "action_ts": f"1700000600.{next(_ids):06d}",
        "text": {"type": "plain_text", "text": "button"},
    }
    if value is not None:
        action["value"] = value
    return {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "example"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A1",
        "token": "legacy",
        "container": {"type": "view", "view_id": "VHOME"},
        "trigger_id": f"trigger.home.{next(_ids)}",
        "view": {"id": "VHOME", "type": "home", "blocks": []},
        "actions": [action],
    }


def submission(user: str, view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A modal submitted with ``values`` as its state."""
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "example"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": f"trigger.view.{next(_ids)}",
        "view": {
            **view,
            "id": view.get("id", "VMODAL1"),
            "team_id": TEAM,
            "state": {"values": values},
            "hash": "h1",
        },
    }


def search_values(query: str) -> dict[str, Any]:
    return {SEARCH_BLOCK: {SEARCH_INPUT: {"type": "plain_text_input", "value": query}}}


def phrasing_values(entry_id: str, text: str) -> dict[str, Any]:
    option = {"text": {"type": "plain_text", "text": entry_id}, "value": entry_id}
    return {
        ENTRY_BLOCK: {ENTRY_INPUT: {"type": "static_select", "selected_option": option}},
        TEXT_BLOCK: {TEXT_INPUT: {"type": "plain_text_input", "value": text}},
    }


def buttons_of(view: dict[str, Any], action_id: str) -> list[dict[str, Any]]:
    return [
        e
        for b in view["blocks"]
        for e in [b.get("accessory"), *b.get("elements", [])]
        if isinstance(e, dict) and e.get("action_id") == action_id
    ]


def texts_of(view: dict[str, Any]) -> str:
    """The view's text as read: mrkdwn's escapes undone."""
    return html.unescape("\n".join(shown(b) for b in view["blocks"]))


async def settle(bot: BotServer) -> None:
    """Wait for the replies in flight, then for the store writes they queued (the query log is
    written off the reply path, on the store's one thread: a call queued after them runs last)."""
    assert bot.deps is not None
    assert await bot.deps.tracker.drain(10)
    await bot.deps.in_store(lambda: None)


async def open_home(
    sender: SlackSender, slack_api: FakeSlackApi, bot: BotServer, user: str
) -> dict[str, Any]:
    before = len(slack_api.calls_to("views.publish"))
    status, _ = await sender.event(home_opened(user))
    assert status == 200
    calls = await slack_api.wait_for("views.publish", before + 1)
    await settle(bot)
    assert calls[-1].body["user_id"] == user
    view = slack_api.views("views.publish")[-1]
    check_view(view)
    return view


async def ask(sender: SlackSender, slack_api: FakeSlackApi, text: str) -> dict[str, Any]:
    key = f"ask{next(_ids)}"
    before = len(slack_api.calls_to(RESPONSE_URL))
    await sender.command(command_body(text, slack_api.response_url(key)))
    calls = await slack_api.wait_for(RESPONSE_URL, before + 1)
    return next(c for c in calls if c.path.endswith(key)).body


def keep(bot: BotServer, text: str, times: int = 1) -> None:
    keeper = QuestionKeeper(QuestionStore(bot.store), keep_days=30)
    for _ in range(times):
        keeper.keep(text, QuestionKind.DECLINED, surface="command")


async def test_home_tab_shows_documents_most_asked_and_search_to_everyone(
    start_bot: StartBot, slack_api: FakeSlackApi, catalogue: Catalogue
) -> None:
    bot = await start_bot(maintainers=(MAINTAINER,))
    for _ in range(3):
        bot.store.record_query("command", "q14", 0.9, 5.0)
    bot.store.record_query("command", "q7", 0.9, 5.0)
    keep(bot, ASKED)
    async with aiohttp.ClientSession() as session:
        view = await open_home(await sender_for(bot, session), slack_api, bot, USER)
    assert view["type"] == "home"
    text = texts_of(view)
    document = catalogue.documents[0]
    assert document.title in text
    for source in document.sources:
        if source.notice:
            assert source.notice.split(".")[0] in text
    q14, q7 = catalogue.get("q14"), catalogue.get("q7")
    assert q14 is not None and q7 is not None
    assert f"Q14: {q14.question} (3 times)" in text
    assert text.index("Q14:") < text.index("Q7:")
    assert buttons_of(view, SEARCH_ACTION)
    # Not a maintainer: no queue, no queued text.
    assert not buttons_of(view, QUEUE_ADD_ACTION) and ASKED not in text


async def test_only_the_home_tab_is_taken(
    start_bot: StartBot, slack_api: FakeSlackApi, sender: SlackSender, bot: BotServer
) -> None:
    await sender.event(home_opened(USER, tab="messages"))
    await settle(bot)
    assert not slack_api.calls_to("views.publish")


async def test_search_answers_privately_in_the_modal(
    start_bot: StartBot, slack_api: FakeSlackApi, catalogue: Catalogue
) -> None:
    bot = await start_bot()
    async with aiohttp.ClientSession() as session:
        sender = await sender_for(bot, session)
        status, _ = await sender.action(press(USER, SEARCH_ACTION))
        assert status == 200
        [opened] = await slack_api.wait_for("views.open")
        assert opened.body["trigger_id"].startswith("trigger.home.")
        [modal] = slack_api.views("views.open")
        check_view(modal)
        status, body = await sender.action(
            submission(USER, modal, search_values("has PEP been terminated yet?"))
        )
    assert status == 200
    ack = json.loads(body)
    assert ack["response_action"] == "update"
    check_view(ack["view"])
    [updated] = await slack_api.wait_for("views.update")
    await settle(bot)
    assert updated.body["view_id"] == "VMODAL1"
    [answer] = slack_api.views("views.update")
    check_view(answer)
    q14 = catalogue.get("q14")
    assert q14 is not None
    assert shown(answer["blocks"][0]) == f"Q14: {q14.question}"
    # Only the asker saw it: nothing was posted anywhere.
    assert not slack_api.replies()
    assert [q.surface for q in bot.store.logged_queries()] == ["home"]


async def test_a_declined_search_shows_suggestions_without_post_buttons(
    start_bot: StartBot, slack_api: FakeSlackApi
) -> None:
    bot = await start_bot()
    async with aiohttp.ClientSession() as session:
        sender = await sender_for(bot, session)
        modal = {"type": "modal", "callback_id": SEARCH_CALLBACK, "blocks": []}
        await sender.action(submission(USER, modal, search_values("recalcitrant countries visas")))
    await slack_api.wait_for("views.update")
    await settle(bot)
    [answer] = slack_api.views("views.update")
    check_view(answer)
    assert not any(
        isinstance(e, dict) and str(e.get("action_id", "")).startswith("qa_suggest")
        for b in answer["blocks"]
        for e in [b.get("accessory"), *b.get("elements", [])]
    )


async def test_search_in_socket_mode(
    start_bot: StartBot, socket_mode: FakeSocketMode, slack_api: FakeSlackApi
) -> None:
    bot = await start_bot(mode=Mode.SOCKET)
    await socket_mode.wait_connected()
    envelope = await socket_mode.deliver("events_api", home_opened(USER))
    await socket_mode.wait_ack(envelope)
    await slack_api.wait_for("views.publish")
    check_view(slack_api.views("views.publish")[0])
    modal = {"type": "modal", "callback_id": SEARCH_CALLBACK, "blocks": []}
    envelope = await socket_mode.deliver(
        "interactive", submission(USER, modal, search_values("Q7"))
    )
    ack = await socket_mode.wait_ack(envelope)
    assert ack["payload"]["response_action"] == "update"
    await slack_api.wait_for("views.update")
    await settle(bot)
    [answer] = slack_api.views("views.update")
    assert shown(answer["blocks"][0]).startswith("Q7: ")
    assert not slack_api.replies()


async def test_a_maintainer_adds_a_phrasing_and_the_next_match_changes(
    start_bot: StartBot, slack_api: FakeSlackApi, catalogue: Catalogue, tmp_path: Path
) -> None:
    learned = tmp_path / "learned.yaml"
    bot = await start_bot(maintainers=(MAINTAINER,), learned=learned)
    async with aiohttp.ClientSession() as session:
        sender = await sender_for(bot, session)
        declined = await ask(sender, slack_api, ASKED)
        assert declined["response_type"] == "ephemeral"
        keep(bot, ASKED, times=2)

        home = await open_home(sender, slack_api, bot, MAINTAINER)
        assert ASKED in texts_of(home) and "2 times" in texts_of(home)
        [add] = buttons_of(home, QUEUE_ADD_ACTION)
        await sender.action(press(MAINTAINER, QUEUE_ADD_ACTION, add["value"]))
        await slack_api.wait_for("views.open")
        [modal] = slack_api.views("views.open")
        check_view(modal)
        assert modal["callback_id"] == PHRASING_CALLBACK

        status, body = await sender.action(
            submission(MAINTAINER, modal, phrasing_values("q14", ASKED))
        )
        assert (status, body) == (200, "")  # the modal closes
        await slack_api.wait_for("views.publish", 2)
        await settle(bot)
        after_home = slack_api.views("views.publish")[-1]
        check_view(after_home)
        assert ASKED not in texts_of(after_home)  # off the queue

        answered = await ask(sender, slack_api, ASKED)
    assert answered["response_type"] == "in_channel"
    q14 = catalogue.get("q14")
    assert q14 is not None
    assert shown(answered["blocks"][0]) == f"Q14: {q14.question}"
    served = bot.responder.matcher.catalogue.get("q14")
    assert served is not None
    assert (served.question, served.answer) == (q14.question, q14.answer)
    official = [b for b in answered["blocks"] if b["type"] == "rich_text"]  # not the echo
    assert ASKED in served.phrasings and ASKED not in json.dumps(official)
    assert f"added_by: {MAINTAINER}" in learned.read_text()
    assert not QuestionStore(bot.store).question_groups()


async def test_anyone_else_is_refused_whatever_they_send(
    start_bot: StartBot, slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    learned = tmp_path / "learned.yaml"
    bot = await start_bot(maintainers=(MAINTAINER,), learned=learned)
    keep(bot, ASKED)
    [group] = QuestionStore(bot.store).question_groups()
    async with aiohttp.ClientSession() as session:
        sender = await sender_for(bot, session)
        await sender.action(press(USER, QUEUE_ADD_ACTION, group.grouped_as))
        await sender.action(press(USER, QUEUE_DISMISS_ACTION, group.grouped_as))
        modal = {"type": "modal", "callback_id": PHRASING_CALLBACK, "blocks": []}
        modal["private_metadata"] = group.grouped_as
        status, body = await sender.action(submission(USER, modal, phrasing_values("q14", ASKED)))
        await settle(bot)
        assert status == 200
        ack = json.loads(body)
        assert ack["response_action"] == "errors" and ENTRY_BLOCK in ack["errors"]
        assert not slack_api.calls_to("views.open")
        assert not learned.exists()
        assert QuestionStore(bot.store).question_groups() == [group]
        declined = await ask(sender, slack_api, ASKED)
    assert declined["response_type"] == "ephemeral"


async def test_a_maintainer_dismisses_a_question(
    start_bot: StartBot, slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    bot = await start_bot(maintainers=(MAINTAINER,), learned=tmp_path / "learned.yaml")
    keep(bot, ASKED)
    keep(bot, "what about the paperwork for my dog")
    async with aiohttp.ClientSession() as session:
        sender = await sender_for(bot, session)
        home = await open_home(sender, slack_api, bot, MAINTAINER)
        first, second = buttons_of(home, QUEUE_DISMISS_ACTION)
        await sender.action(press(MAINTAINER, QUEUE_DISMISS_ACTION, first["value"]))
        await slack_api.wait_for("views.publish", 2)
        await settle(bot)
    [left] = QuestionStore(bot.store).question_groups()
    assert left.grouped_as == second["value"]
    assert len(buttons_of(slack_api.views("views.publish")[-1], QUEUE_DISMISS_ACTION)) == 1


def suggestion(user: str, typed: str) -> dict[str, Any]:
    """Slack asking for the options of the phrasing modal's external select."""
    return {
        "type": "block_suggestion",
        "team": {"id": TEAM, "domain": "example"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A1",
        "token": "legacy",
        "action_id": ENTRY_INPUT,
        "block_id": ENTRY_BLOCK,
        "value": typed,
        "view": {"id": "VMODAL2", "type": "modal", "callback_id": PHRASING_CALLBACK},
    }


async def test_the_entry_search_answers_maintainers_only(
    start_bot: StartBot, tmp_path: Path
) -> None:
    bot = await start_bot(maintainers=(MAINTAINER,), learned=tmp_path / "learned.yaml")
    async with aiohttp.ClientSession() as session:
        sender = await sender_for(bot, session)
        status, body = await sender.action(suggestion(MAINTAINER, "priority enforcement"))
        assert status == 200
        groups = json.loads(body)["option_groups"]
        assert [o["value"] for g in groups for o in g["options"]] == ["q14"]
        status, body = await sender.action(suggestion(USER, "priority enforcement"))
    assert status == 200
    assert json.loads(body) == {"options": []}
