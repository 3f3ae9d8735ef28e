"""Every acked request is answered exactly once, counted at the Slack stand-in, whatever
happens after the ack: Slack down, a post whose answer was lost, the process killed."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import aiohttp

from tests.fakes.slack_api import RESPONSE_URL, FakeSlackApi, Scripted
from tests.slack.slack_requests import CHANNEL, SlackSender, command_body, event_body, mention
from tests.slack.test_runner import http_port, reaped, serve_env, start_serve

# Short, so a takeover after a kill is quick to see; the mechanism is the same at 20 s.
LEASE = "3"


async def delivered(slack_api: FakeSlackApi, count: int, within: float = 45.0) -> None:
    """Wait until ``count`` replies were delivered; a moment more shows that no more come."""
    await slack_api.wait_until(lambda: len(slack_api.replies()) >= count, within)
    await asyncio.sleep(1.5)


async def serve(slack_api: FakeSlackApi, tmp_path: Path) -> asyncio.subprocess.Process:
    env = serve_env(slack_api, tmp_path, QABOT_REPLY_LEASE_SECONDS=LEASE)
    return await start_serve(env, tmp_path, "--http", "--port", "0")


def sender(session: aiohttp.ClientSession, port: int) -> SlackSender:
    return SlackSender(session, f"http://127.0.0.1:{port}")


def answered_keys(slack_api: FakeSlackApi) -> list[str]:
    """Which request each delivered reply answered: the response_url, or the mention's thread."""
    keys = []
    for call in slack_api.replies():
        if call.method == RESPONSE_URL:
            keys.append(call.path)
        else:
            keys.append(str(call.body.get("thread_ts")))
    return sorted(keys)


async def test_replies_held_back_by_a_slack_outage_go_out_once_it_ends(
    slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    async with reaped(await serve(slack_api, tmp_path)) as proc:
        port = await http_port(proc)
        slack_api.outage(RESPONSE_URL, 8.0)
        slack_api.outage("chat.postMessage", 8.0)
        async with aiohttp.ClientSession() as session:
            bot = sender(session, port)
            for n in range(4):
                url = slack_api.response_url(f"r{n}")
                status, _ = await bot.command(command_body("Q7", url, trigger_id=f"t{n}"))
                assert status == 200
                ts = f"1700000100.00010{n}"
                status, _ = await bot.event(event_body(mention("Q3", ts=ts), event_id=f"Ev{n}"))
                assert status == 200
        await delivered(slack_api, 8)
    expected = sorted(
        [f"/respond/r{n}" for n in range(4)] + [f"1700000100.00010{n}" for n in range(4)]
    )
    assert answered_keys(slack_api) == expected
    # They were tried during the outage, and given up on by no one.
    assert len(slack_api.calls_to(RESPONSE_URL, ok_only=False)) > 4


async def test_a_mention_reply_whose_answer_was_lost_is_found_not_posted_again(
    slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    async with reaped(await serve(slack_api, tmp_path)) as proc:
        port = await http_port(proc)
        slack_api.script("chat.postMessage", Scripted.post_then_drop())
        async with aiohttp.ClientSession() as session:
            status, _ = await sender(session, port).event(event_body(mention("Q3"), "Ev1"))
        assert status == 200
        await slack_api.wait_until(lambda: bool(slack_api.calls_to("conversations.replies")), 20)
        await asyncio.sleep(1.5)
    assert len(slack_api.posts_to(CHANNEL)) == 1


async def test_a_reply_cut_off_by_a_kill_is_sent_by_the_restarted_bot_once(
    slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    # Slack holds both replies; the bot is killed meanwhile. The response_url post never
    # arrives (the connection died with the process); the mention's post did reach Slack.
    slack_api.script(RESPONSE_URL, Scripted.slow(2.0))
    slack_api.script("chat.postMessage", Scripted.slow(2.0))
    async with reaped(await serve(slack_api, tmp_path)) as first:
        port = await http_port(first)
        async with aiohttp.ClientSession() as session:
            bot = sender(session, port)
            url = slack_api.response_url("r1")
            assert (await bot.command(command_body("Q7", url, trigger_id="t1")))[0] == 200
            assert (await bot.event(event_body(mention("Q3"), "Ev1")))[0] == 200
        await asyncio.sleep(0.8)  # both replies are on their way
        first.send_signal(signal.SIGKILL)
        await first.wait()
    async with reaped(await serve(slack_api, tmp_path)) as second:
        port = await http_port(second)
        async with aiohttp.ClientSession() as session:
            # Slack retries the mention, as it does when an answer is slow: it joins its job.
            status, _ = await sender(session, port).event(event_body(mention("Q3"), "Ev1"), retry=1)
            assert status == 200
        await delivered(slack_api, 2)
    assert [c.path for c in slack_api.calls_to(RESPONSE_URL)] == ["/respond/r1"]
    assert len(slack_api.posts_to(CHANNEL)) == 1


async def test_a_replica_takes_over_the_replies_of_one_killed_mid_reply(
    slack_api: FakeSlackApi, tmp_path: Path, store_url: str
) -> None:
    env = serve_env(
        slack_api, tmp_path, QABOT_REPLY_LEASE_SECONDS=LEASE, QABOT_DATABASE_URL=store_url
    )
    slack_api.script(RESPONSE_URL, Scripted.slow(2.0))
    slack_api.script("chat.postMessage", Scripted.slow(2.0))
    first = await start_serve(env, tmp_path, "--http", "--port", "0")
    second = await start_serve(env, tmp_path, "--http", "--port", "0")
    async with reaped(first), reaped(second):
        port, _ = await asyncio.gather(http_port(first), http_port(second))
        async with aiohttp.ClientSession() as session:
            bot = sender(session, port)
            url = slack_api.response_url("r1")
            assert (await bot.command(command_body("Q7", url, trigger_id="t1")))[0] == 200
            assert (await bot.event(event_body(mention("Q3"), "Ev1")))[0] == 200
        await asyncio.sleep(0.8)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        await delivered(slack_api, 2)
    assert [c.path for c in slack_api.calls_to(RESPONSE_URL)] == ["/respond/r1"]
    assert len(slack_api.posts_to(CHANNEL)) == 1
