"""Votes on answers, kept questions, the message shortcut and the Messages tab welcome, end to
end: signed requests (and Socket Mode envelopes) in, the Web API stand-in's calls out."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import aiohttp

from bot.slack.config import Mode
from bot.slack.server import BotServer
from bot.store import QuestionKind, QuestionStore, VoteStore
from tests.fakes.slack_api import RESPONSE_URL, FakeSlackApi, Post
from tests.fakes.socket_mode import FakeSocketMode
from tests.render.reading import buttons, check_slack_limits, texts
from tests.slack.conftest import DECLINE_ALL, StartBot, sender_for
from tests.slack.slack_requests import (
    CHANNEL,
    TEAM,
    USER,
    SlackSender,
    command_body,
    event_body,
    mention,
)

VOTER = "U456VOTER"
DM = "D123DM"
QUESTION = "has PEP been terminated yet? write to jane.doe@example.com"
_ids = itertools.count(1)


async def settle(bot: BotServer) -> None:
    assert bot.deps is not None
    assert await bot.deps.tracker.drain(10)


def keep_store_writes(bot: BotServer) -> None:
    """Wait for the writes queued off the reply path (query log, kept questions)."""
    assert bot.deps is not None
    bot.deps.close()


def message_of(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k in ("text", "blocks")}


def feedback_element(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    [block] = [b for b in blocks if b["type"] == "context_actions"]
    [element] = block["elements"]
    assert element["type"] == "feedback_buttons"
    return element


def vote_click(
    post: Post,
    helpful: bool,
    response_url: str,
    voter: str = VOTER,
    trigger_id: str | None = None,
) -> dict[str, Any]:
    """A click on the feedback buttons of a posted answer, as Slack sends it."""
    element = feedback_element(post.blocks)
    pressed = element["positive_button" if helpful else "negative_button"]
    n = next(_ids)
    return {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "example"},
        "user": {"id": voter, "team_id": TEAM},
        "api_app_id": "A1",
        "token": "legacy",
        "container": {
            "type": "message",
            "message_ts": post.ts,
            "channel_id": post.channel,
            "is_ephemeral": False,
        },
        "trigger_id": trigger_id or f"vote.{n}",
        "channel": {"id": post.channel, "name": "general"},
        "message": {"type": "message", "ts": post.ts, "bot_id": "BBOT", "blocks": post.blocks},
        "response_url": response_url,
        "actions": [
            {
                "type": "feedback_buttons",
                "action_id": element["action_id"],
                "block_id": "qa_feedback",
                "value": pressed["value"],
                "text": pressed["text"],
                "action_ts": f"1700000600.{n:06d}",
            }
        ],
    }


async def answered_mention(bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi) -> Post:
    await sender.event(event_body(mention(f"<@UBOT> {QUESTION}", ts="1700000100.000100")))
    await slack_api.wait_for("chat.postMessage")
    await settle(bot)
    [post] = slack_api.posts_to(CHANNEL)
    assert texts({"blocks": post.blocks})[0].startswith("Q14: ")
    check_slack_limits({"text": post.text, "blocks": post.blocks})
    return post


def responses(slack_api: FakeSlackApi, key: str) -> list[dict[str, Any]]:
    return [c.body for c in slack_api.calls_to(RESPONSE_URL) if c.path.endswith(f"/{key}")]


# -- votes -----------------------------------------------------------------------------------


async def test_a_vote_counts_once_and_a_changed_vote_replaces_it(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    post = await answered_mention(bot, sender, slack_api)
    up = vote_click(post, True, slack_api.response_url("up"), trigger_id="vote.up")
    await sender.action(up)
    await sender.action(up)  # the same click delivered again
    await settle(bot)
    votes = VoteStore(bot.store)
    [first] = votes.votes()
    assert (first.voter, first.answer_key) == (VOTER, f"{CHANNEL}:{post.ts}")
    assert (first.entry_id, first.helpful, first.surface) == ("q14", True, "mention")
    assert first.confidence is not None and 0 < first.confidence <= 1

    [thanks] = responses(slack_api, "up")  # thanked once, privately
    assert thanks["response_type"] == "ephemeral"
    assert "Thanks" in thanks["text"]
    check_slack_limits(message_of(thanks))

    await sender.action(vote_click(post, False, slack_api.response_url("down")))
    await settle(bot)
    [changed] = votes.votes()
    assert changed.helpful is False
    assert changed.created_at == first.created_at and changed.updated_at >= first.updated_at
    assert [r["response_type"] for r in responses(slack_api, "down")] == ["ephemeral"]
    # Votes only ever answer privately: nothing else was posted in the channel.
    assert len(slack_api.posts_to(CHANNEL)) == 1


async def test_not_what_i_asked_offers_other_answers_and_keeps_the_masked_question(
    start_bot: StartBot, slack_api: FakeSlackApi
) -> None:
    bot = await start_bot(keep_questions_days=30)
    async with aiohttp.ClientSession() as session:
        sender = await sender_for(bot, session)
        post = await answered_mention(bot, sender, slack_api)
        await sender.action(vote_click(post, False, slack_api.response_url("down")))
        await settle(bot)
    [offer] = responses(slack_api, "down")
    assert offer["response_type"] == "ephemeral"
    check_slack_limits(message_of(offer))
    offered = buttons(offer)
    assert 1 <= len(offered) <= 3
    assert all(b["action_id"].startswith("qa_suggest") for b in offered)
    assert "q14" not in {b["value"] for b in offered}  # not the answer voted down
    keep_store_writes(bot)
    [kept] = QuestionStore(bot.store).kept_questions()
    assert kept.kind is QuestionKind.VOTED_DOWN
    assert (kept.entry_id, kept.surface) == ("q14", "mention")
    assert kept.text == "has PEP been terminated yet? write to [email]"
    assert "jane" not in json.dumps(kept.__dict__, default=str)


async def test_not_what_i_asked_keeps_nothing_with_zero_days(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    post = await answered_mention(bot, sender, slack_api)
    await sender.action(vote_click(post, False, slack_api.response_url("down")))
    await settle(bot)
    [offer] = responses(slack_api, "down")
    assert buttons(offer)  # the alternatives are offered all the same
    keep_store_writes(bot)
    assert QuestionStore(bot.store).kept_questions(dismissed=None) == []
    [vote] = VoteStore(bot.store).votes()
    assert vote.helpful is False


async def test_slash_command_answers_carry_plain_vote_buttons(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    await sender.command(command_body("Q14", slack_api.response_url("answer")))
    await settle(bot)
    [answer] = responses(slack_api, "answer")
    check_slack_limits(message_of(answer))
    labels = [b["text"]["text"] for b in buttons(answer)]
    assert labels == ["Answered my question", "Not what I asked"]
    assert json.loads(buttons(answer)[1]["value"])["s"] == "command"


# -- declined questions ----------------------------------------------------------------------


async def test_a_declined_question_is_kept_masked_only_with_keep_days(
    start_bot: StartBot, slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    keeping = await start_bot(threshold=DECLINE_ALL, keep_questions_days=7)
    silent = await start_bot(
        threshold=DECLINE_ALL, database_url=f"sqlite:///{tmp_path / 'silent.sqlite3'}"
    )
    asked = "is my case safe? call me at 555-123-4567"
    async with aiohttp.ClientSession() as session:
        for n, bot in enumerate((keeping, silent)):
            sender = await sender_for(bot, session)
            await sender.command(command_body(asked, slack_api.response_url(f"d{n}")))
            await settle(bot)
            [decline] = responses(slack_api, f"d{n}")
            assert decline["text"].startswith("No official answer found")
            keep_store_writes(bot)
    [kept] = QuestionStore(keeping.store).kept_questions()
    assert kept.kind is QuestionKind.DECLINED and kept.surface == "command"
    assert kept.text == "is my case safe? call me at [phone]"
    assert QuestionStore(silent.store).kept_questions(dismissed=None) == []


async def test_a_declined_dm_is_kept(start_bot: StartBot, slack_api: FakeSlackApi) -> None:
    bot = await start_bot(threshold=DECLINE_ALL, keep_questions_days=7)
    async with aiohttp.ClientSession() as session:
        sender = await sender_for(bot, session)
        dm = {
            "type": "message",
            "channel_type": "im",
            "channel": DM,
            "user": USER,
            "text": "where do I mail &lt;form&gt; to?",
            "ts": "1700000200.000001",
        }
        await sender.event(event_body(dm))
        await settle(bot)
    keep_store_writes(bot)
    [kept] = QuestionStore(bot.store).kept_questions()
    assert (kept.kind, kept.surface, kept.text) == (
        QuestionKind.DECLINED,
        "dm",
        "where do I mail <form> to?",
    )


# -- the message shortcut --------------------------------------------------------------------


def shortcut_body(text: str, response_url: str, thread_ts: str | None = None) -> dict[str, Any]:
    n = next(_ids)
    message: dict[str, Any] = {
        "type": "message",
        "user": "U999OTHER",
        "ts": "1700000700.000100",
        "text": text,
    }
    if thread_ts:
        message["thread_ts"] = thread_ts
    return {
        "type": "message_action",
        "token": "legacy",
        "action_ts": f"1700000800.{n:06d}",
        "team": {"id": TEAM, "domain": "example"},
        "user": {"id": USER, "name": "asker"},
        "channel": {"id": CHANNEL, "name": "general"},
        "callback_id": "qa_find",
        "trigger_id": f"shortcut.{n}",
        "message_ts": message["ts"],
        "message": message,
        "response_url": response_url,
    }


def post_in_thread_click(shown: dict[str, Any], response_url: str) -> dict[str, Any]:
    [button] = [b for b in buttons(shown) if b["action_id"] == "qa_post_thread"]
    n = next(_ids)
    return {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "example"},
        "user": {"id": USER, "team_id": TEAM},
        "api_app_id": "A1",
        "token": "legacy",
        "container": {
            "type": "message",
            "message_ts": f"1700000900.{n:06d}",
            "channel_id": CHANNEL,
            "is_ephemeral": True,
        },
        "trigger_id": f"post.{n}",
        "channel": {"id": CHANNEL, "name": "general"},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": button["action_id"],
                "block_id": "qa_shortcut",
                "value": button["value"],
                "action_ts": f"1700000950.{n:06d}",
                "text": button["text"],
            }
        ],
    }


async def test_shortcut_answers_privately_and_posts_in_the_thread_on_request(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    status, _ = await sender.action(
        shortcut_body("has PEP been terminated yet?", slack_api.response_url("find"))
    )
    assert status == 200
    await settle(bot)
    [shown] = responses(slack_api, "find")
    assert shown["response_type"] == "ephemeral"
    assert texts(shown)[0].startswith("Q14: ")
    check_slack_limits(message_of(shown))
    assert not slack_api.calls_to("chat.postMessage")  # nothing public yet

    await sender.action(post_in_thread_click(shown, slack_api.response_url("post")))
    await settle(bot)
    [post] = slack_api.calls_to("chat.postMessage")
    assert post.body["channel"] == CHANNEL
    assert post.body["thread_ts"] == "1700000700.000100"
    assert texts(post.body)[0].startswith("Q14: ")
    check_slack_limits(message_of(post.body))
    feedback_element(post.body["blocks"])  # the answer in the thread can be voted on
    assert responses(slack_api, "post") == [{"delete_original": True}]


async def test_shortcut_on_a_reply_posts_in_its_thread(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    await sender.action(
        shortcut_body("Q7", slack_api.response_url("find"), thread_ts="1700000600.000001")
    )
    await settle(bot)
    [shown] = responses(slack_api, "find")
    await sender.action(post_in_thread_click(shown, slack_api.response_url("post")))
    await settle(bot)
    [post] = slack_api.calls_to("chat.postMessage")
    assert post.body["thread_ts"] == "1700000600.000001"


# -- the Messages tab welcome ----------------------------------------------------------------


def home_opened(tab: str = "messages", user: str = USER) -> dict[str, Any]:
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": DM,
        "tab": tab,
        "event_ts": f"1700001000.{next(_ids):06d}",
    }


async def test_welcome_is_posted_once_per_person(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi, catalogue
) -> None:
    await sender.event(event_body(home_opened()))
    await settle(bot)
    await sender.event(event_body(home_opened()))  # opened again: a new event
    await sender.event(event_body(home_opened(user="U777NEW")))
    await settle(bot)
    # The claim purge forgets every event claim, but not who was welcomed.
    bot.store.purge_events(older_than=dt.datetime(2999, 1, 1, tzinfo=dt.UTC))
    await sender.event(event_body(home_opened()))
    await settle(bot)
    posts = slack_api.posts_to(DM)
    assert len(posts) == 2  # one per person
    welcome = {"text": posts[0].text, "blocks": posts[0].blocks}
    check_slack_limits(welcome)
    offered = buttons(welcome)
    assert len(offered) == 3
    assert all(b["action_id"].startswith("qa_suggest") for b in offered)
    assert all(catalogue.get(b["value"]) is not None for b in offered)
    assert len({b["value"] for b in offered}) == 3


async def test_welcome_buttons_post_their_answer_in_the_dm(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi, catalogue
) -> None:
    await sender.event(event_body(home_opened()))
    await settle(bot)
    [welcome] = slack_api.posts_to(DM)
    button = buttons({"blocks": welcome.blocks})[0]
    click = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "example"},
        "user": {"id": USER, "team_id": TEAM},
        "api_app_id": "A1",
        "container": {"type": "message", "message_ts": welcome.ts, "channel_id": DM},
        "trigger_id": "welcome.click",
        "channel": {"id": DM, "name": "directmessage"},
        "message": {"type": "message", "ts": welcome.ts, "bot_id": "BBOT"},
        "response_url": slack_api.response_url("w"),
        "actions": [{**button, "block_id": "qa_welcome", "action_ts": "1700001100.000001"}],
    }
    await sender.action(click)
    await settle(bot)
    answer = slack_api.posts_to(DM)[-1]
    entry = catalogue.get(button["value"])
    assert texts({"blocks": answer.blocks})[0] == f"{entry.label}: {entry.question}"


async def test_home_tab_opens_are_not_welcomed(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    await sender.event(event_body(home_opened(tab="home")))
    await settle(bot)
    assert slack_api.posts_to(DM) == []


async def test_socket_mode_welcome_and_vote(
    start_bot: StartBot, socket_mode: FakeSocketMode, slack_api: FakeSlackApi
) -> None:
    bot = await start_bot(mode=Mode.SOCKET)
    await socket_mode.wait_connected()
    for _ in range(2):
        envelope = await socket_mode.deliver("events_api", event_body(home_opened()))
        await socket_mode.wait_ack(envelope)
        await settle(bot)
    [welcome] = slack_api.posts_to(DM)
    check_slack_limits({"text": welcome.text, "blocks": welcome.blocks})

    envelope = await socket_mode.deliver("events_api", event_body(mention("<@UBOT> Q14")))
    await socket_mode.wait_ack(envelope)
    await settle(bot)
    [post] = slack_api.posts_to(CHANNEL)
    for helpful in (True, False):
        click = vote_click(post, helpful, slack_api.response_url(f"v{helpful}"))
        await socket_mode.wait_ack(await socket_mode.deliver("interactive", click))
        await settle(bot)
    [vote] = VoteStore(bot.store).votes()
    assert (vote.entry_id, vote.helpful, vote.surface) == ("q14", False, "mention")
    assert [r["response_type"] for r in responses(slack_api, "vTrue")] == ["ephemeral"]
