"""Socket Mode end to end: a real WebSocket stand-in delivering envelopes, acks recorded."""

from __future__ import annotations

import aiohttp

from bot.slack.config import Mode
from bot.slack.server import BotServer
from tests.fakes.slack_api import RESPONSE_URL, FakeSlackApi
from tests.fakes.socket_mode import FakeSocketMode
from tests.observability.test_endpoints import closed_port
from tests.render.reading import answer_shown, shown
from tests.slack.conftest import StartBot, get_json
from tests.slack.slack_requests import action_body, command_body, event_body, mention


async def start_socket_bot(start_bot: StartBot, socket_mode: FakeSocketMode) -> BotServer:
    bot = await start_bot(mode=Mode.SOCKET)
    await socket_mode.wait_connected()
    return bot


async def settle(bot: BotServer) -> None:
    assert bot.deps is not None
    assert await bot.deps.tracker.drain(10)


async def test_slash_command_envelope_is_acked_and_answered(
    start_bot: StartBot, socket_mode: FakeSocketMode, slack_api: FakeSlackApi
) -> None:
    bot = await start_socket_bot(start_bot, socket_mode)
    envelope = await socket_mode.deliver(
        "slash_commands", command_body("has PEP been terminated yet?", slack_api.response_url())
    )
    ack = await socket_mode.wait_ack(envelope)
    assert ack == {"envelope_id": envelope}
    [reply] = await slack_api.wait_for(RESPONSE_URL)
    assert reply.body["response_type"] == "in_channel"
    assert shown(reply.body["blocks"][0]).startswith("Q14: ")
    await settle(bot)


async def test_mention_envelope_is_acked_and_answered_in_thread(
    start_bot: StartBot, socket_mode: FakeSocketMode, slack_api: FakeSlackApi
) -> None:
    await start_socket_bot(start_bot, socket_mode)
    body = event_body(mention("<@UBOT> Q7", ts="1700000500.000100"))
    envelope = await socket_mode.deliver("events_api", body)
    await socket_mode.wait_ack(envelope)
    [post] = await slack_api.wait_for("chat.postMessage")
    assert post.body["thread_ts"] == "1700000500.000100"
    assert shown(post.body["blocks"][0]).startswith("Q7: ")


async def test_button_press_envelope_posts_the_chosen_answer_in_channel(
    start_bot: StartBot, socket_mode: FakeSocketMode, slack_api: FakeSlackApi, catalogue
) -> None:
    bot = await start_socket_bot(start_bot, socket_mode)
    envelope = await socket_mode.deliver(
        "interactive", action_body("q14", slack_api.response_url("press"))
    )
    await socket_mode.wait_ack(envelope)
    await settle(bot)
    first, second = slack_api.calls_to(RESPONSE_URL)
    assert first.body["response_type"] == "in_channel"
    assert catalogue.get("q14").answer == answer_shown(first.body)
    assert second.body == {"delete_original": True}


async def test_redelivered_envelope_is_acked_again_but_answered_once(
    start_bot: StartBot, socket_mode: FakeSocketMode, slack_api: FakeSlackApi
) -> None:
    bot = await start_socket_bot(start_bot, socket_mode)
    body = event_body(mention("<@UBOT> Q7"), event_id="EvREDELIVERED")
    first = await socket_mode.deliver("events_api", body, envelope_id="env-a")
    again = await socket_mode.deliver("events_api", body, envelope_id="env-b", retry_attempt=1)
    command = command_body("Q3", slack_api.response_url(), trigger_id="trigger.redelivered")
    third = await socket_mode.deliver("slash_commands", command, envelope_id="env-c")
    fourth = await socket_mode.deliver("slash_commands", command, envelope_id="env-d")
    for envelope in (first, again, third, fourth):
        await socket_mode.wait_ack(envelope)
    await slack_api.wait_for("chat.postMessage")
    await slack_api.wait_for(RESPONSE_URL)
    await settle(bot)
    assert len(slack_api.calls_to("chat.postMessage")) == 1
    assert len(slack_api.calls_to(RESPONSE_URL)) == 1


async def test_dropped_connection_is_reestablished_and_keeps_answering(
    start_bot: StartBot, socket_mode: FakeSocketMode, slack_api: FakeSlackApi
) -> None:
    bot = await start_socket_bot(start_bot, socket_mode)
    await socket_mode.drop()
    await socket_mode.wait_connected(count=2)
    assert len(slack_api.calls_to("apps.connections.open")) == 2
    envelope = await socket_mode.deliver("events_api", event_body(mention("<@UBOT> Q7")))
    await socket_mode.wait_ack(envelope)
    await slack_api.wait_for("chat.postMessage")
    await settle(bot)
    assert socket_mode.acks_of(envelope) == [{"envelope_id": envelope}]


async def test_healthz_reports_the_socket_connection(
    start_bot: StartBot, socket_mode: FakeSocketMode
) -> None:
    bot = await start_bot(mode=Mode.SOCKET, metrics_port=closed_port())
    await socket_mode.wait_connected()
    assert await get_json(f"http://127.0.0.1:{bot.port}/healthz") == (200, {"status": "ok"})
    status, body = await get_json(f"http://127.0.0.1:{bot.options.metrics_port}/healthz")
    assert status == 200 and body["socket_mode"] is True

    async with (
        aiohttp.ClientSession() as session,
        session.post(f"http://127.0.0.1:{bot.port}/slack/events", data="{}") as resp,
    ):
        # Socket Mode takes no HTTP deliveries: nothing unverified can reach the app.
        assert resp.status in (404, 405)
