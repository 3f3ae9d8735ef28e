"""Every acked request is answered exactly once, counted at the Slack stand-in, whatever
happens after the ack: Slack down, a post whose answer was lost, the process killed."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import make_url

from tests.fakes.slack_api import RESPONSE_URL, FakeSlackApi, Scripted
from tests.fakes.socket_mode import FakeSocketMode
from tests.fakes.tcp_proxy import TcpProxy
from tests.slack.slack_requests import CHANNEL, SlackSender, command_body, event_body, mention
from tests.slack.test_runner import http_port, reaped, serve_env, start_serve

# Short, so a takeover after a kill is quick to see; the mechanism is the same at 20 s.
LEASE = "3"


async def database_behind_proxy(store_url: str) -> tuple[TcpProxy, str]:
    """A proxy in front of the test database, and the URL that reaches the database through it."""
    database = make_url(store_url)
    proxy = TcpProxy(database.host or "127.0.0.1", database.port or 5432)
    await proxy.start()
    through = database.set(host="127.0.0.1", port=proxy.port)
    return proxy, through.render_as_string(hide_password=False)


async def delivered(slack_api: FakeSlackApi, count: int, within: float = 45.0) -> None:
    """Wait until ``count`` replies were delivered; a moment more shows that no more come."""
    await slack_api.wait_until(lambda: len(slack_api.replies()) >= count, within)
    await asyncio.sleep(1.5)


async def serve(
    slack_api: FakeSlackApi, tmp_path: Path, **extra: str
) -> asyncio.subprocess.Process:
    """``qabot serve --http`` with the short lease, and ``extra`` settings."""
    env = serve_env(slack_api, tmp_path, QABOT_REPLY_LEASE_SECONDS=LEASE, **extra)
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
    slack_api.script(RESPONSE_URL, Scripted.slow(2.0))
    slack_api.script("chat.postMessage", Scripted.slow(2.0))
    first = await serve(slack_api, tmp_path, QABOT_DATABASE_URL=store_url)
    second = await serve(slack_api, tmp_path, QABOT_DATABASE_URL=store_url)
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


async def test_a_burst_while_slack_is_slow_is_answered_once_each_without_timeouts(
    slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    # 400 replies, Slack taking 10 s over each: four rounds of the 100 pooled connections.
    burst = 400
    slack_api.script(RESPONSE_URL, *[Scripted.slow(10.0)] * burst)
    async with reaped(await serve(slack_api, tmp_path)) as proc:
        port = await http_port(proc)
        async with aiohttp.ClientSession() as session:
            bot = sender(session, port)

            async def ask(n: int) -> int:
                url = slack_api.response_url(f"r{n}")
                return (await bot.command(command_body("Q7", url, trigger_id=f"t{n}")))[0]

            assert await asyncio.gather(*(ask(n) for n in range(burst))) == [200] * burst
            await delivered(slack_api, burst, within=120)
            async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
                metrics = await response.text()
    assert answered_keys(slack_api) == sorted(f"/respond/r{n}" for n in range(burst))
    # None waited out its timeout in the connection pool and had to be tried again.
    retries = [
        line for line in metrics.splitlines() if line.startswith("qabot_reply_retries_total")
    ]
    assert sum(float(line.rsplit(" ", 1)[1]) for line in retries) == 0, retries


async def test_slack_refusing_connections_holds_replies_back_until_it_listens_again(
    slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    async with reaped(await serve(slack_api, tmp_path)) as proc:
        port = await http_port(proc)
        await slack_api.stop()  # nothing listens on Slack's port: connections are refused
        async with aiohttp.ClientSession() as session:
            bot = sender(session, port)
            for n in range(3):
                url = slack_api.response_url(f"r{n}")
                assert (await bot.command(command_body("Q7", url, trigger_id=f"t{n}")))[0] == 200
                ts = f"1700000100.00010{n}"
                assert (await bot.event(event_body(mention("Q3", ts=ts), f"Ev{n}")))[0] == 200
            await asyncio.sleep(6.0)
            await slack_api.start(port=slack_api.port)
            await delivered(slack_api, 6)
    expected = [f"/respond/r{n}" for n in range(3)] + [f"1700000100.00010{n}" for n in range(3)]
    assert answered_keys(slack_api) == sorted(expected)


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
async def test_with_the_database_down_questions_are_still_answered_once(
    slack_api: FakeSlackApi, tmp_path: Path, store_url: str
) -> None:
    proxy, through = await database_behind_proxy(store_url)
    async with reaped(await serve(slack_api, tmp_path, QABOT_DATABASE_URL=through)) as proc:
        port = await http_port(proc)
        async with aiohttp.ClientSession() as session:
            bot = sender(session, port)
            assert (await bot.health())[1]["status"] == "ok"
            await proxy.cut()
            for n in range(4):
                url = slack_api.response_url(f"r{n}")
                assert (await bot.command(command_body("Q7", url, trigger_id=f"t{n}")))[0] == 200
                ts = f"1700000100.00010{n}"
                event = event_body(mention("Q3", ts=ts), f"Ev{n}")
                assert (await bot.event(event))[0] == 200
                assert (await bot.event(event, retry=1))[0] == 200  # Slack's retry: not again
            await delivered(slack_api, 8)
            status, health = await bot.health()
            assert (status, health["status"]) == (200, "degraded")
            await proxy.restore()
            url = slack_api.response_url("after")
            assert (await bot.command(command_body("Q7", url, trigger_id="t-after")))[0] == 200
            await delivered(slack_api, 9)
            assert (await bot.health())[1]["status"] == "ok"
    await proxy.cut()
    expected = [f"/respond/r{n}" for n in range(4)] + [f"1700000100.00010{n}" for n in range(4)]
    assert answered_keys(slack_api) == sorted([*expected, "/respond/after"])


async def started_socket_mode(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    proc = await start_serve(env, cwd, "--port", "0")
    assert proc.stdout is not None
    async with asyncio.timeout(20):
        banner = (await proc.stdout.readline()).decode()
    assert "serving in socket mode" in banner, banner
    return proc


async def test_in_socket_mode_an_outage_and_a_kill_still_give_one_reply_each(
    slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    link = FakeSocketMode(slack_api)
    await link.start()
    env = serve_env(
        slack_api, tmp_path, QABOT_REPLY_LEASE_SECONDS=LEASE, SLACK_APP_TOKEN="xapp-1-test"
    )
    try:
        async with reaped(await started_socket_mode(env, tmp_path)) as first:
            await link.wait_connected(1)
            # Slack answers 500 to every post for a while; one reply is slowed down, and the
            # bot is killed while it is on its way.
            slack_api.outage("chat.postMessage", 4.0)
            ts = "1700000100.000100"
            event = event_body(mention("Q3", ts=ts), "Ev1")
            await link.wait_ack(await link.deliver("events_api", event))
            slack_api.script(RESPONSE_URL, Scripted.slow(2.0))
            body = command_body("Q7", slack_api.response_url("r1"), trigger_id="t1")
            await link.wait_ack(await link.deliver("slash_commands", body))
            await asyncio.sleep(0.8)
            first.send_signal(signal.SIGKILL)
            await first.wait()
        async with reaped(await started_socket_mode(env, tmp_path)):
            await link.wait_connected(2)
            await delivered(slack_api, 2)
    finally:
        await link.stop()
    assert answered_keys(slack_api) == ["/respond/r1", ts]


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
async def test_with_the_database_frozen_questions_and_health_still_answer(
    slack_api: FakeSlackApi, tmp_path: Path, store_url: str
) -> None:
    proxy, through = await database_behind_proxy(store_url)
    async with reaped(await serve(slack_api, tmp_path, QABOT_DATABASE_URL=through)) as proc:
        port = await http_port(proc)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
            bot = sender(session, port)
            assert (await bot.health())[1]["status"] == "ok"
            proxy.freeze()  # as a server stopped with SIGSTOP: connected, silent
            for n in range(3):
                url = slack_api.response_url(f"r{n}")
                assert (await bot.command(command_body("Q7", url, trigger_id=f"t{n}")))[0] == 200
            await delivered(slack_api, 3, within=30)
            status, health = await bot.health()
            assert (status, health["status"]) == (200, "degraded")
            await proxy.restore()
            # The jobs the frozen store wrote late were settled as answered: once their leases
            # have run out, no sweep sends them again.
            await asyncio.sleep(float(LEASE) + 3)
    await proxy.cut()
    assert answered_keys(slack_api) == [f"/respond/r{n}" for n in range(3)]


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
async def test_in_socket_mode_the_database_down_still_gives_one_reply_each(
    slack_api: FakeSlackApi, tmp_path: Path, store_url: str
) -> None:
    link = FakeSocketMode(slack_api)
    await link.start()
    proxy, through = await database_behind_proxy(store_url)
    env = serve_env(
        slack_api,
        tmp_path,
        QABOT_REPLY_LEASE_SECONDS=LEASE,
        QABOT_DATABASE_URL=through,
        SLACK_APP_TOKEN="xapp-1-test",
    )
    try:
        async with reaped(await started_socket_mode(env, tmp_path)):
            await link.wait_connected(1)
            await proxy.cut()
            for n in range(3):
                body = command_body("Q7", slack_api.response_url(f"r{n}"), trigger_id=f"t{n}")
                await link.wait_ack(await link.deliver("slash_commands", body))
            event = event_body(mention("Q3"), "Ev1")
            await link.wait_ack(await link.deliver("events_api", event))
            # Slack redelivers an envelope it thinks was lost: answered once all the same.
            await link.wait_ack(await link.deliver("events_api", event, retry_attempt=1))
            await delivered(slack_api, 4)
            await proxy.restore()
    finally:
        await proxy.cut()
        await link.stop()
    expected = [*(f"/respond/r{n}" for n in range(3)), "1700000100.000100"]
    assert answered_keys(slack_api) == sorted(expected)
