"""Real logging through the configured handler: formats, the request line, and no secrets."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot.matching import Matcher
from bot.observability.logs import REDACTED, configure_logging, log_request
from bot.observability.record import RequestRecord
from bot.responder import Responder
from bot.settings import Settings

# Built from parts so the file holds nothing a secret scanner would flag.
BOT_TOKEN = "xoxb-" + "111111-222222-AbCdEfGhIjKlMnOp"
APP_TOKEN = "xapp-" + "1-A0123456-333333-feedfacecafe"
SIGNING_SECRET = "8f7e6d5c4b3a" + "29180716253443526170"
OTHER_TOKEN = "xoxp-" + "999999-888888-ZyXwVuTs"
SECRETS = (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, OTHER_TOKEN)


def settings(log_format: str = "text", level: str = "DEBUG") -> Settings:
    return Settings(
        _env_file=None,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        QABOT_LOG_FORMAT=log_format,
        QABOT_LOG_LEVEL=level,
    )


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


def log_everything_secret() -> None:
    log = logging.getLogger("qabot.test")
    log.info("starting with bot token %s and app token %s", BOT_TOKEN, APP_TOKEN)
    log.warning(f"signing secret is {SIGNING_SECRET} (in the message itself)")
    log.info("a user pasted %r into channel C123", f"Bearer {OTHER_TOKEN}")
    log.info("extra fields", extra={"token": BOT_TOKEN, "channel": "C123"})
    log.info("nested", extra={"headers": {"Authorization": f"Bearer {APP_TOKEN}"}, "n": 3})
    logging.getLogger("slack_bolt.App").debug("headers %s", {"x-token": APP_TOKEN})
    try:
        raise RuntimeError(f"auth failed for {BOT_TOKEN} signed with {SIGNING_SECRET}")
    except RuntimeError:
        log.exception("call failed with %s", APP_TOKEN)
    log.info("stack", stack_info=True, extra={"note": f"sig={SIGNING_SECRET}"})


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_no_secret_reaches_the_output(log_format: str, restore_root: None) -> None:
    out = io.StringIO()
    configure_logging(settings(log_format), out)
    log_everything_secret()
    captured = out.getvalue()

    for secret in SECRETS:
        assert secret not in captured
    # Not even the recognisable parts of a token.
    assert "AbCdEfGhIjKlMnOp" not in captured and "feedfacecafe" not in captured
    assert captured.count(REDACTED) >= 8
    # Redaction removes the secrets, not the rest of the line.
    assert "into channel C123" in captured
    assert "RuntimeError: auth failed for [redacted] signed with [redacted]" in captured
    assert "call failed with [redacted]" in captured


def test_json_lines(restore_root: None) -> None:
    out = io.StringIO()
    configure_logging(settings("json", "INFO"), out)
    log_everything_secret()
    lines = [json.loads(line) for line in out.getvalue().splitlines()]

    # DEBUG is below the configured level: the slack_bolt line is not there.
    levels = [line["level"] for line in lines]
    assert levels == ["INFO", "WARNING", "INFO", "INFO", "INFO", "ERROR", "INFO"]
    assert lines[3]["token"] == REDACTED and lines[3]["channel"] == "C123"
    assert lines[4]["headers"] == "{'Authorization': 'Bearer [redacted]'}" and lines[4]["n"] == 3
    assert lines[5]["exception"].startswith("Traceback")
    assert lines[6]["note"] == f"sig={REDACTED}"
    assert all({"ts", "logger", "message"} <= line.keys() for line in lines)


async def test_slack_sdk_debug_output_is_redacted(restore_root: None) -> None:
    """slack-sdk logs whole response bodies at DEBUG; a token in one must not get through."""

    async def auth_test(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "user_id": "UBOT", "leaked": BOT_TOKEN})

    api = web.Application()
    api.router.add_post("/api/auth.test", auth_test)
    runner = web.AppRunner(api)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    out = io.StringIO()
    configure_logging(settings("text", "DEBUG"), out)
    client = AsyncWebClient(
        token=BOT_TOKEN, base_url=f"http://127.0.0.1:{runner.addresses[0][1]}/api/"
    )
    try:
        assert (await client.auth_test())["user_id"] == "UBOT"
    finally:
        await runner.cleanup()
    captured = out.getvalue()
    assert "Received the following response" in captured
    assert BOT_TOKEN not in captured
    assert "'leaked': '[redacted]'" in captured


def test_request_line(matcher: Matcher, restore_root: None) -> None:
    out = io.StringIO()
    configure_logging(settings("text", "INFO"), out)
    responder = Responder(matcher)
    pep = responder.respond("has PEP been terminated yet?")
    log_request(RequestRecord.from_reply("command", pep, 0.0421))
    declined = responder.respond("weather in Paris?")
    log_request(RequestRecord.from_reply("dm", declined, 0.5))
    log_request(RequestRecord.from_reply("mention", responder.respond("help"), 0.003))
    lines = out.getvalue().splitlines()

    assert len(lines) == 3
    assert lines[0].endswith(
        f"qabot.request: request surface=command answer=q14 confidence={pep.match.score:.3f} "
        "latency_ms=42.1"
    )
    assert (
        f"surface=dm answer=declined confidence={declined.match.score:.3f} latency_ms=500.0"
        in lines[1]
    )
    assert "surface=mention answer=help confidence=- latency_ms=3.0" in lines[2]


def test_request_line_as_json(matcher: Matcher, restore_root: None) -> None:
    out = io.StringIO()
    configure_logging(settings("json", "INFO"), out)
    reply = Responder(matcher).respond("has PEP been terminated yet?")
    log_request(RequestRecord.from_reply("action", reply, 0.25))
    line = json.loads(out.getvalue())
    assert line["surface"] == "action"
    assert line["outcome"] == "answered"
    assert line["entry_id"] == "q14"
    assert line["confidence"] == pytest.approx(reply.match.score, abs=1e-3)
    assert line["latency_ms"] == 250.0


def test_reconfiguring_replaces_only_its_own_handler(restore_root: None) -> None:
    root = logging.getLogger()
    before = len(root.handlers)
    first, second = io.StringIO(), io.StringIO()
    configure_logging(settings(), first)
    configure_logging(settings(), second)
    logging.getLogger("qabot.test").info("once")
    assert len(root.handlers) == before + 1
    assert first.getvalue() == "" and "once" in second.getvalue()


def test_unknown_level_is_a_settings_error(restore_root: None) -> None:
    from bot.settings import SettingsError

    with pytest.raises(SettingsError, match="QABOT_LOG_LEVEL: unknown level 'verbose'"):
        configure_logging(settings("text", "verbose"), io.StringIO())
