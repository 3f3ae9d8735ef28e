"""``qabot serve`` as operators meet it: clear one-line errors, and a graceful SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest

from bot.cli import main
from bot.digest.scheduler import slot_key
from bot.slack.server import ACK_DRAIN_SECONDS, SERVICE_STOP_SECONDS
from bot.store import DigestLog, JobStore, Store
from tests.conftest import CONTENT, ROOT
from tests.fakes.slack_api import RESPONSE_URL, FakeSlackApi, Scripted
from tests.slack.conftest import StartBot
from tests.slack.slack_requests import SIGNING_SECRET, SlackSender, command_body
from tests.test_yamlfile import LAUGHS, limit_memory

SLACK_VARS = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No Slack variables and no .env file: each test sets exactly what it means to."""
    monkeypatch.chdir(tmp_path)
    for name in SLACK_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("QABOT_CONTENT", str(CONTENT))
    monkeypatch.setenv("QABOT_DATABASE_URL", f"sqlite:///{tmp_path / 'state.sqlite3'}")
    return monkeypatch


@pytest.mark.parametrize(
    ("env", "args", "variable"),
    [
        ({}, ["serve"], "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, ["serve"], "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, ["serve"], "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, ["serve"], "SLACK_APP_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, ["serve", "--http"], "SECRET"),
    ],
)
def test_missing_or_malformed_tokens_are_one_line_exit_2(
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    args: list[str],
    variable: str,
) -> None:
    for name, value in env.items():
        clean_env.setenv(name, value)
    assert main(args) == 2
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert variable in lines[0]
    assert "Connecting to Slack" in lines[0]
    assert "Traceback" not in err
    for value in env.values():
        assert value not in err + out  # a token is never echoed back


def test_invalid_content_prints_each_problem_and_exits_non_zero(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("sources:\n  - id: x\n    title: T\n")
    clean_env.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    clean_env.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    clean_env.setenv("QABOT_CONTENT", str(broken))
    assert main(["serve"]) == 1
    err = capsys.readouterr().err
    assert f"{broken}:" in err
    assert "Traceback" not in err


def serve_env(slack_api: FakeSlackApi, tmp_path: Path, **extra: str) -> dict[str, str]:
    # The child starts in tmp_path: PYTHONPATH makes it run this checkout, not whichever one
    # the environment's editable install points at.
    path = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
    return {
        **{k: v for k, v in os.environ.items() if k not in SLACK_VARS},
        "PYTHONPATH": path,
        "SLACK_BOT_TOKEN": "xoxb-1-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api.url,
        "QABOT_CONTENT": str(CONTENT),
        "QABOT_DATABASE_URL": f"sqlite:///{tmp_path / 'state.sqlite3'}",
        **extra,
    }


async def start_serve(
    env: dict[str, str], cwd: Path, *args: str, preexec_fn: Callable[[], None] | None = None
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", *args,
        cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        preexec_fn=preexec_fn,
    )  # fmt: skip


@contextlib.asynccontextmanager
async def reaped(proc: asyncio.subprocess.Process) -> AsyncIterator[asyncio.subprocess.Process]:
    """The server process, killed on the way out if the test did not stop it."""
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            # Draining the pipes too: a child that filled one would never be seen to end.
            await proc.communicate()


async def http_port(proc: asyncio.subprocess.Process) -> int:
    """The port from the server's start-up line (it serves on a free one)."""
    assert proc.stdout is not None
    async with asyncio.timeout(20):
        banner = (await proc.stdout.readline()).decode()
    assert "serving in http mode" in banner, banner
    return int(banner.rsplit("port ", 1)[1].rstrip(")\n"))


async def terminate(proc: asyncio.subprocess.Process) -> bytes:
    """SIGTERM, then the process's remaining stderr once it has exited."""
    proc.send_signal(signal.SIGTERM)
    async with asyncio.timeout(20):
        _, err = await proc.communicate()
    return err


@pytest.mark.parametrize(
    ("method", "extra", "variable"),
    [
        ("auth.test", {}, "SLACK_BOT_TOKEN"),
        ("apps.connections.open", {"SLACK_APP_TOKEN": "xapp-1-revoked"}, "SLACK_APP_TOKEN"),
    ],
)
async def test_token_refused_by_slack_is_one_line_exit_2(
    slack_api: FakeSlackApi, tmp_path: Path, method: str, extra: dict[str, str], variable: str
) -> None:
    slack_api.handlers[method] = lambda _body: {"ok": False, "error": "invalid_auth"}
    proc = await start_serve(serve_env(slack_api, tmp_path, **extra), tmp_path, "--port", "0")
    async with asyncio.timeout(20):
        _, err = await proc.communicate()
    assert proc.returncode == 2
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1, lines
    last = lines[0]
    assert last.startswith(f"qabot serve: {variable} was refused by Slack (invalid_auth)")
    assert "Connecting to Slack" in last
    assert "Traceback" not in err.decode()
    assert slack_api.calls_to(method)


async def test_sigterm_finishes_the_reply_in_flight_then_exits_0(
    slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    proc = await start_serve(serve_env(slack_api, tmp_path), tmp_path, "--http", "--port", "0")
    async with reaped(proc):
        port = await http_port(proc)
        slack_api.script(RESPONSE_URL, Scripted.slow(1.0))
        async with aiohttp.ClientSession() as session:
            sender = SlackSender(session, f"http://127.0.0.1:{port}")
            status, _ = await sender.command(command_body("Q7", slack_api.response_url()))
        assert status == 200
        err = await terminate(proc)
    assert proc.returncode == 0, err.decode()
    [reply] = slack_api.calls_to(RESPONSE_URL)
    assert reply.body["response_type"] == "in_channel"


async def test_serve_keeps_its_start_up_objects_out_of_garbage_collection(
    slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    # They live as long as the process; walking them in every full collection stalled acks.
    proc = await start_serve(serve_env(slack_api, tmp_path), tmp_path, "--http", "--port", "0")
    async with reaped(proc):
        await http_port(proc)
        err = (await terminate(proc)).decode()
    frozen = re.search(r"start-up objects kept out of garbage collection: (\d+)", err)
    assert frozen is not None, err
    assert int(frozen.group(1)) > 10_000  # the content, the model's wrappers, the app


async def test_serve_posts_due_digests(slack_api: FakeSlackApi, tmp_path: Path) -> None:
    # Due daily two minutes ago: one slot is due at start, inside the grace period, and no
    # other comes due while the test runs.
    earlier = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
    schedules = tmp_path / "schedules.yaml"
    schedules.write_text(
        "schedules:\n"
        f"- {{name: weekly, channel: C0DIGEST, cron: '{earlier:%M %H} * * *', timezone: UTC,"
        " kind: rotate, intro: Question of the week}\n"
    )
    env = serve_env(slack_api, tmp_path, QABOT_SCHEDULES=str(schedules))
    # Slack fails the first try: the server's job runner tries the digest again.
    slack_api.script("chat.postMessage", Scripted.server_error())
    proc = await start_serve(env, tmp_path, "--http", "--port", "0")
    async with reaped(proc):
        async with asyncio.timeout(30):
            [post] = await slack_api.wait_for("chat.postMessage")
        await terminate(proc)
    assert proc.returncode == 0
    assert post.body["channel"] == "C0DIGEST"
    assert "Question of the week" in str(post.body["blocks"])
    assert "Released February 21, 2017" in str(post.body["blocks"])
    store = Store(env["QABOT_DATABASE_URL"])
    (logged,) = DigestLog(store).posts()
    assert len(slack_api.posts) == 1 and slack_api.calls_to("conversations.history")
    assert (logged.entry_id, logged.message_ts) == ("q1", slack_api.posts[0].ts)
    assert JobStore(store).status(slot_key("weekly", logged.due_at)) == ("done", 2, None)
    store.close()


def test_invalid_schedule_file_stops_serve(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    schedules = tmp_path / "schedules.yaml"
    schedules.write_text(
        "schedules:\n- {name: x, channel: C1, cron: 'not a cron', timezone: UTC, kind: index}\n"
    )
    clean_env.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    clean_env.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    clean_env.setenv("QABOT_SCHEDULES", str(schedules))
    assert main(["serve"]) == 1
    err = capsys.readouterr().err
    assert f"{schedules}:2:" in err
    assert "QABOT_SCHEDULES" in err
    assert "Traceback" not in err


async def test_hostile_content_saved_while_serving_is_rejected_and_a_good_edit_is_served(
    slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    content = tmp_path / "qa.yaml"
    content.write_bytes(CONTENT.read_bytes())
    env = serve_env(slack_api, tmp_path, QABOT_CONTENT=str(content), QABOT_WATCH_CONTENT="false")
    proc = await start_serve(env, tmp_path, "--http", "--port", "0", preexec_fn=limit_memory)
    async with reaped(proc):
        assert proc.stderr is not None
        port = await http_port(proc)
        async with aiohttp.ClientSession() as session:
            sender = SlackSender(session, f"http://127.0.0.1:{port}")
            hostile = [
                (LAUGHS.encode(), f"{content}:1: YAML anchors and aliases"),
                (b"#" * (50 * 1024 * 1024), f"{content}:0: the file is larger than 5 MB"),
            ]
            for number, (text, problem) in enumerate(hostile):
                content.write_bytes(text)
                proc.send_signal(signal.SIGHUP)
                # Asked while the reload runs, and answered from the content loaded before.
                key = f"during{number}"
                status, _ = await sender.command(command_body("Q7", slack_api.response_url(key)))
                assert status == 200
                async with asyncio.timeout(60):
                    while problem not in (line := (await proc.stderr.readline()).decode()):
                        assert line, "the server ended"
                assert "content reload rejected" in line
            # Then a good edit: served from the next question on.
            content.write_bytes(CONTENT.read_bytes().replace(b"number: 14", b"number: 140"))
            proc.send_signal(signal.SIGHUP)
            async with asyncio.timeout(60):
                while "content reloaded" not in (await proc.stderr.readline()).decode():
                    pass
            status, _ = await sender.command(command_body("Q140", slack_api.response_url("after")))
            assert status == 200
            await slack_api.wait_for(RESPONSE_URL, 3)
        await terminate(proc)
    assert proc.returncode == 0
    answers = {c.path.rsplit("/", 1)[1]: c.body for c in slack_api.calls_to(RESPONSE_URL)}
    assert answers.keys() == {"during0", "during1", "after"}
    assert all(body["response_type"] == "in_channel" for body in answers.values())
    assert "Q140: " in str(answers["after"]["blocks"])


async def test_a_stalled_request_and_a_hung_reply_do_not_hold_shutdown_past_the_grace(
    start_bot: StartBot, slack_api: FakeSlackApi
) -> None:
    grace = 2.0
    bot = await start_bot(shutdown_grace=grace)
    slack_api.script(RESPONSE_URL, Scripted.slow(grace + 3))  # longer than the grace
    async with aiohttp.ClientSession() as session:
        sender = SlackSender(session, f"http://127.0.0.1:{bot.port}")
        assert (await sender.command(command_body("Q7", slack_api.response_url())))[0] == 200
    assert bot.deps is not None and len(bot.deps.tracker) == 1  # the reply, hung
    # A client that announces a body and stops sending it half way.
    _, writer = await asyncio.open_connection("127.0.0.1", bot.port)
    writer.write(
        b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Length: 1000\r\n"
        b'Content-Type: application/json\r\n\r\n{"type": '
    )
    await writer.drain()
    await asyncio.sleep(0.2)  # the server is now reading the body
    try:
        # Well inside the 30 s the deploy files give, whatever a client or Slack does.
        async with asyncio.timeout(grace + ACK_DRAIN_SECONDS + SERVICE_STOP_SECONDS + 3):
            await bot.stop()
    finally:
        writer.close()
    assert len(bot.deps.tracker) == 0
