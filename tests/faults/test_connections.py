"""Clients that connect and never finish a request cannot starve the public port: past a cap
new connections are refused at once, and those that send no request head in time are closed."""

from __future__ import annotations

import asyncio
import contextlib
import resource
from pathlib import Path

import aiohttp

from bot.slack.guard import BODY_TIMEOUT_S, HEAD_TIMEOUT_S
from tests.fakes.slack_api import RESPONSE_URL, FakeSlackApi
from tests.slack.slack_requests import SlackSender, command_body
from tests.slack.test_runner import http_port, reaped, serve_env, start_serve, terminate

# The descriptor limit most systems give a process; the flood is larger than it.
DESCRIPTORS = 1024
SLOW_CLIENTS = 1100


def common_descriptor_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (DESCRIPTORS, DESCRIPTORS))


Client = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def slow_client(port: int) -> Client | None:
    """Connect and send half a request head, then nothing; None if the connection was refused."""
    try:
        async with asyncio.timeout(5):  # a server that stopped accepting leaves it pending
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except (OSError, TimeoutError):
        return None
    writer.write(b"POST /slack/events HTTP/1.1\r\nHost: qabot\r\nX-Slack-Signature: v0=")
    with contextlib.suppress(ConnectionError):
        await writer.drain()
    return reader, writer  # the writer too: once collected, it would close the connection


async def closed_by_the_server(client: Client) -> bool:
    reader, writer = client
    try:
        return await reader.read(1) == b""
    except ConnectionError:
        return True
    finally:
        writer.close()


async def test_a_flood_of_slow_clients_is_shed_and_questions_are_answered_after_it(
    slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    env = serve_env(slack_api, tmp_path)
    proc = await start_serve(
        env, tmp_path, "--http", "--port", "0", preexec_fn=common_descriptor_limit
    )
    async with reaped(proc):
        port = await http_port(proc)
        readers = await asyncio.gather(*(slow_client(port) for _ in range(SLOW_CLIENTS)))
        held = [r for r in readers if r is not None]
        # Every one of them is closed: the ones past the cap at once, the rest at the deadline.
        async with asyncio.timeout(HEAD_TIMEOUT_S + 10):
            closed = await asyncio.gather(*(closed_by_the_server(r) for r in held))
        assert all(closed)
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            sender = SlackSender(session, f"http://127.0.0.1:{port}")
            status, _ = await sender.command(command_body("Q7", slack_api.response_url()))
        assert status == 200
        [reply] = await slack_api.wait_for(RESPONSE_URL)
        assert reply.body["response_type"] == "in_channel"
        # A body that stops halfway is answered 408 once its time is up, not waited for.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST /slack/events HTTP/1.1\r\nHost: qabot\r\nContent-Length: 100\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n\r\ntoken=abc"
        )
        await writer.drain()
        async with asyncio.timeout(BODY_TIMEOUT_S + 5):
            status_line = await reader.readline()
        writer.close()
        assert status_line.startswith(b"HTTP/1.1 408"), status_line
        err = (await terminate(proc)).decode()
    assert proc.returncode == 0, err
    assert "Too many open files" not in err and "Traceback" not in err
    assert err.count("connection cap") <= 2  # said once, not once per connection
