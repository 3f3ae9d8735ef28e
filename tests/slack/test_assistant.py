"""Slack's assistant surface end to end: a new thread gets suggested prompts from the content, the
welcome with buttons in the thread when Slack refuses them, and a question asked in the thread is
answered there; signed requests (and Socket Mode envelopes) in, the Web API stand-in's calls out."""

from __future__ import annotations

import html
import itertools
from typing import Any

import pytest

from bot.content import Catalogue
from bot.slack.config import Mode
from bot.slack.server import BotServer
from tests.fakes.slack_api import MAX_PROMPTS, SET_PROMPTS, Call, FakeSlackApi
from tests.fakes.socket_mode import FakeSocketMode
from tests.render.reading import MAX_BUTTON_TEXT, buttons, check_slack_limits, texts
from tests.slack.conftest import StartBot
from tests.slack.slack_requests import (
    CHANNEL,
    TEAM,
    USER,
    SlackSender,
    direct_message,
    event_body,
)

DM = "D123DM"  # the channel of direct_message()
THREAD = "1729999327.187299"
_ids = itertools.count(1)


async def settle(bot: BotServer) -> None:
    assert bot.deps is not None
    assert await bot.deps.tracker.drain(10)


def thread_started(thread_ts: str = THREAD, user: str = USER) -> dict[str, Any]:
    """Slack's ``assistant_thread_started``: the person opened the bot's DM, a thread began."""
    return {
        "type": "assistant_thread_started",
        "assistant_thread": {
            "user_id": user,
            "context": {"channel_id": CHANNEL, "team_id": TEAM, "enterprise_id": None},
            "channel_id": DM,
            "thread_ts": thread_ts,
        },
        "event_ts": f"1715873754.{next(_ids):06d}",
    }


def messages_tab_opened(user: str = USER) -> dict[str, Any]:
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": DM,
        "tab": "messages",
        "event_ts": f"1715873800.{next(_ids):06d}",
    }


def message_of(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k in ("text", "blocks")}


def check_prompts(body: dict[str, Any], catalogue: Catalogue) -> list[dict[str, str]]:
    """Three prompts, each the whole question of a loaded entry, titled within our limit."""
    prompts = body["prompts"]
    assert body["title"].strip()
    assert len(prompts) == 3 and len(prompts) <= MAX_PROMPTS
    questions = {entry.question for entry in catalogue.entries}
    assert all(p["message"] in questions for p in prompts)
    assert len({p["message"] for p in prompts}) == 3
    for prompt in prompts:
        title, question = prompt["title"], prompt["message"]
        assert 1 <= len(title) <= MAX_BUTTON_TEXT
        if title != question:  # shortened at a word, and says so
            assert title.endswith("…") and question.startswith(title[:-1])
            assert question[len(title) - 1] in " ,;:"
    # The content holds a question too long for a title (Q22 has 86 characters).
    assert any(p["title"] != p["message"] for p in prompts)
    return prompts


def in_thread(slack_api: FakeSlackApi, thread_ts: str = THREAD) -> list[Call]:
    return [
        c for c in slack_api.calls_to("chat.postMessage") if c.body.get("thread_ts") == thread_ts
    ]


def as_slack_sends(text: str) -> str:
    """Typed text as the Events API carries it: ``&``, ``<`` and ``>`` escaped."""
    return html.escape(text, quote=False)


def welcome_click(post: Call, index: int, response_url: str) -> dict[str, Any]:
    """A press on one of the welcome's buttons, posted in the thread."""
    button = buttons(post.body)[index]
    ts = f"1700001200.{next(_ids):06d}"
    return {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "example"},
        "user": {"id": USER, "team_id": TEAM},
        "api_app_id": "A1",
        "container": {
            "type": "message",
            "message_ts": ts,
            "channel_id": DM,
            "is_ephemeral": False,
            "thread_ts": THREAD,
        },
        "trigger_id": f"welcome.{next(_ids)}",
        "channel": {"id": DM, "name": "directmessage"},
        "message": {"type": "message", "ts": ts, "thread_ts": THREAD, "bot_id": "BBOT"},
        "response_url": response_url,
        "actions": [{**button, "block_id": "qa_welcome", "action_ts": ts}],
    }


# -- suggested prompts -----------------------------------------------------------------------


async def test_a_new_thread_gets_three_prompts_from_the_content(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi, catalogue: Catalogue
) -> None:
    started = event_body(thread_started())
    status, _ = await sender.event(started)
    assert status == 200
    await sender.event(started, retry=1)  # Slack delivers it again
    await settle(bot)
    [call] = slack_api.suggested_prompts()  # once for the thread
    assert (call["channel_id"], call["thread_ts"]) == (DM, THREAD)
    check_prompts(call, catalogue)
    assert slack_api.calls_to("chat.postMessage") == []  # prompts post nothing


async def test_every_thread_gets_prompts_and_the_messages_tab_does_not_welcome_again(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi, catalogue: Catalogue
) -> None:
    await sender.event(event_body(thread_started("1729999327.000001")))
    await settle(bot)
    await sender.event(event_body(messages_tab_opened()))
    await sender.event(event_body(thread_started("1729999400.000002")))
    await settle(bot)
    calls = slack_api.suggested_prompts()
    assert [c["thread_ts"] for c in calls] == ["1729999327.000001", "1729999400.000002"]
    assert calls[0]["prompts"] == calls[1]["prompts"]  # the same content, the same questions
    assert slack_api.calls_to("chat.postMessage") == []  # no second welcome in the DM


async def test_pressing_a_prompt_asks_its_question_and_gets_that_entry_in_the_thread(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi, catalogue: Catalogue
) -> None:
    await sender.event(event_body(thread_started()))
    await settle(bot)
    [call] = slack_api.suggested_prompts()
    prompts = check_prompts(call, catalogue)
    # Pressing a prompt sends its message as the person's own, in the thread.
    for prompt in prompts:
        text = as_slack_sends(prompt["message"])
        await sender.event(event_body(direct_message(text, thread_ts=THREAD)))
    await settle(bot)
    answers = in_thread(slack_api)
    assert len(answers) == 3
    by_id = {e.question: e for e in catalogue.entries}
    expected = {f"{by_id[p['message']].label}: {p['message']}" for p in prompts}
    assert {texts(a.body)[0] for a in answers} == expected
    for answer in answers:
        check_slack_limits(message_of(answer.body))


# -- when Slack refuses them -----------------------------------------------------------------


@pytest.mark.parametrize("error", ["missing_scope", "not_allowed_token_type"])
async def test_refused_prompts_give_the_welcome_with_buttons_in_the_thread(
    error: str,
    bot: BotServer,
    sender: SlackSender,
    slack_api: FakeSlackApi,
    catalogue: Catalogue,
) -> None:
    slack_api.fail(SET_PROMPTS, error)
    await sender.event(event_body(thread_started()))
    await settle(bot)
    [refused] = slack_api.calls_to(SET_PROMPTS, ok_only=False)
    assert refused.error == error
    [welcome] = slack_api.calls_to("chat.postMessage")
    assert (welcome.body["channel"], welcome.body["thread_ts"]) == (DM, THREAD)
    check_slack_limits(message_of(welcome.body))
    offered = buttons(welcome.body)
    assert len(offered) == 3
    assert all(catalogue.get(b["value"]) is not None for b in offered)

    await sender.action(welcome_click(welcome, 2, slack_api.response_url("w")))
    await settle(bot)
    [_, answer] = in_thread(slack_api)  # the answer goes beside the welcome, in the thread
    entry = catalogue.get(offered[2]["value"])
    assert texts(answer.body)[0] == f"{entry.label}: {entry.question}"
    check_slack_limits(message_of(answer.body))


# -- questions in a thread -------------------------------------------------------------------


async def test_a_question_in_a_thread_is_answered_there_and_a_plain_dm_in_the_dm(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    await sender.event(event_body(direct_message("is PEP still in effect?", thread_ts=THREAD)))
    await sender.event(event_body(direct_message("Q7")))
    await settle(bot)
    posts = slack_api.calls_to("chat.postMessage")
    assert len(posts) == 2 and all(p.body["channel"] == DM for p in posts)
    [threaded] = in_thread(slack_api)
    [plain] = [p for p in posts if "thread_ts" not in p.body]
    assert texts(threaded.body)[0].startswith("Q14: ")
    assert texts(plain.body)[0].startswith("Q7: ")
    for post in posts:
        check_slack_limits(message_of(post.body))


# -- Socket Mode -----------------------------------------------------------------------------


async def test_socket_mode_prompts_refusal_and_thread_answers(
    start_bot: StartBot,
    socket_mode: FakeSocketMode,
    slack_api: FakeSlackApi,
    catalogue: Catalogue,
) -> None:
    bot = await start_bot(mode=Mode.SOCKET)
    await socket_mode.wait_connected()

    async def deliver(event: dict[str, Any]) -> None:
        envelope = await socket_mode.deliver("events_api", event_body(event))
        await socket_mode.wait_ack(envelope)
        await settle(bot)

    await deliver(thread_started("1729999327.000001"))
    [call] = slack_api.suggested_prompts()
    assert (call["channel_id"], call["thread_ts"]) == (DM, "1729999327.000001")
    check_prompts(call, catalogue)
    assert slack_api.calls_to("chat.postMessage") == []

    slack_api.fail(SET_PROMPTS, "missing_scope")
    await deliver(thread_started(THREAD))
    [welcome] = in_thread(slack_api)
    check_slack_limits(message_of(welcome.body))
    assert len(buttons(welcome.body)) == 3

    await deliver(direct_message("Q14", thread_ts=THREAD))
    [_, answer] = in_thread(slack_api)
    assert texts(answer.body)[0].startswith("Q14: ")
    check_slack_limits(message_of(answer.body))
