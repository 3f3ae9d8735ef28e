"""Several documents loaded at once, end to end: numbers that ask "which?", lists that page."""

from __future__ import annotations

import shutil
from pathlib import Path

import aiohttp
import pytest

from bot.render.browse import MORE_ACTION
from bot.slack.config import Mode
from bot.slack.server import BotServer
from tests.conftest import CONTENT
from tests.content.synthetic import source, write
from tests.fakes.slack_api import RESPONSE_URL, FakeSlackApi
from tests.fakes.socket_mode import FakeSocketMode
from tests.render.reading import check_slack_limits
from tests.slack.conftest import StartBot, sender_for
from tests.slack.slack_requests import action_body, command_body


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The interior release and 17 more documents, all with a Q14; "big" has 60 questions."""
    folder = tmp_path_factory.mktemp("content")
    shutil.copy(CONTENT, folder / "a-interior.yaml")  # files load in name order
    others = [source(f"doc{n:02d}", 14, short=f"doc{n:02d}") for n in range(16)]
    write(folder / "others.yaml", *others, source("big", 60, short="big"))
    return folder


async def settle(bot: BotServer) -> None:
    assert bot.deps is not None
    assert await bot.deps.tracker.drain(10)


def buttons(payload: dict) -> list[dict]:
    return [e for b in payload["blocks"] if b["type"] == "actions" for e in b["elements"]]


def posted(slack_api: FakeSlackApi, key: str) -> list[dict]:
    return [c.body for c in slack_api.calls_to(RESPONSE_URL) if c.path.endswith(f"/{key}")]


async def test_a_shared_number_asks_which_and_the_choice_is_posted(
    start_bot: StartBot, slack_api: FakeSlackApi, library: Path
) -> None:
    bot = await start_bot(content=library)
    async with aiohttp.ClientSession() as session:
        sender = await sender_for(bot, session)
        await sender.command(command_body("Q14", slack_api.response_url("which")))
        await settle(bot)
        [which] = posted(slack_api, "which")
        assert which["response_type"] == "ephemeral"
        check_slack_limits(which)
        choices = buttons(which)
        assert [b["value"] for b in choices] == [
            "q14",
            *(f"doc{n:02d}-14" for n in range(16)),
            "big-14",
        ]

        await sender.action(action_body("doc03-14", slack_api.response_url("chose")))
        await sender.command(command_body("interior 14", slack_api.response_url("named")))
        await settle(bot)
    answer, delete = posted(slack_api, "chose")
    assert answer["response_type"] == "in_channel"
    assert answer["text"].startswith("doc03 Q14: What does doc03 say")
    assert delete == {"delete_original": True}
    [named] = posted(slack_api, "named")
    assert named["response_type"] == "in_channel"
    assert named["text"].startswith("interior Q14: ")
    for message in (answer, named):
        check_slack_limits({k: v for k, v in message.items() if k in ("text", "blocks")})


async def test_lists_page_with_more_buttons_shown_to_the_presser(
    start_bot: StartBot, slack_api: FakeSlackApi, library: Path
) -> None:
    bot = await start_bot(content=library)
    async with aiohttp.ClientSession() as session:
        sender = await sender_for(bot, session)
        await sender.command(command_body("list", slack_api.response_url("docs")))
        await sender.command(command_body("list big", slack_api.response_url("big")))
        await settle(bot)
        [docs] = posted(slack_api, "docs")
        [big] = posted(slack_api, "big")
        [more_docs] = [b for b in buttons(docs) if b["action_id"] == MORE_ACTION]
        [more_big] = [b for b in buttons(big) if b["action_id"] == MORE_ACTION]
        # Pressed under a message in the channel, not an ephemeral one: the page still goes
        # to the presser alone.
        for value, key in ((more_docs["value"], "docs2"), (more_big["value"], "big2")):
            press = action_body(value, slack_api.response_url(key), ephemeral=False)
            press["actions"][0]["action_id"] = MORE_ACTION
            await sender.action(press)
        await settle(bot)
    [docs2] = posted(slack_api, "docs2")
    [big2] = posted(slack_api, "big2")
    for page in (docs, big, docs2, big2):
        assert page["response_type"] == "ephemeral" and page["replace_original"] is False
        check_slack_limits(page)
    shown = docs["text"] + "\n" + docs2["text"]
    assert [line.split(":")[0] for line in shown.splitlines()] == [
        "interior",
        *(f"doc{n:02d}" for n in range(16)),
        "big",
    ]
    assert big["text"].splitlines()[-1].startswith("big Q25: ")
    assert big2["text"].splitlines()[0].startswith("big Q26: ")
    assert not slack_api.calls_to("chat.postMessage")


async def test_more_pressed_in_socket_mode(
    start_bot: StartBot, socket_mode: FakeSocketMode, slack_api: FakeSlackApi, library: Path
) -> None:
    bot = await start_bot(mode=Mode.SOCKET, content=library)
    await socket_mode.wait_connected()
    press = action_body("list:big:2", slack_api.response_url("page3"))
    press["actions"][0]["action_id"] = MORE_ACTION
    envelope = await socket_mode.deliver("interactive", press)
    await socket_mode.wait_ack(envelope)
    await settle(bot)
    [page] = posted(slack_api, "page3")
    assert page["text"].splitlines()[0].startswith("big Q51: ")
    assert not buttons(page)  # the last page
    check_slack_limits(page)


async def test_a_button_press_delivered_twice_is_answered_once(
    start_bot: StartBot, slack_api: FakeSlackApi, library: Path
) -> None:
    bot = await start_bot(content=library)
    choose = action_body("doc01-14", slack_api.response_url("choose"), trigger_id="trigger.c")
    more = action_body("list:big:1", slack_api.response_url("more"), trigger_id="trigger.m")
    more["actions"][0]["action_id"] = MORE_ACTION
    async with aiohttp.ClientSession() as session:
        sender = await sender_for(bot, session)
        for press in (choose, more, choose, more):  # as a retried delivery repeats it
            assert (await sender.action(press))[0] == 200
        await settle(bot)
    assert [b.get("response_type") for b in posted(slack_api, "choose")] == ["in_channel", None]
    assert len(posted(slack_api, "more")) == 1
