"""HTTP mode end to end: the real aiohttp server, signed requests, the Web API stand-in."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import create_engine

from bot.endpoints import EVENTS_PATH, HEALTH_PATH
from bot.slack.http import MAX_BODY
from bot.slack.server import BotServer
from tests.fakes.slack_api import RESPONSE_URL, FakeSlackApi, Scripted
from tests.observability.test_endpoints import closed_port
from tests.render.reading import answer_shown, buttons, texts
from tests.slack.conftest import DECLINE_ALL, StartBot, get_json, sender_for
from tests.slack.slack_requests import (
    CHANNEL,
    USER,
    SlackSender,
    action_body,
    command_body,
    direct_message,
    event_body,
    form,
    mention,
    signed_headers,
)
from tests.test_reload import FULL, INVALID, INVALID_LINE, write


async def settle(bot: BotServer) -> None:
    """Wait until every reply the bot started has been delivered (or has failed)."""
    assert bot.deps is not None
    assert await bot.deps.tracker.drain(10)


def section_texts(payload: dict) -> list[str]:
    """What each section and rich text block shows: the question first, then the answer."""
    return texts(payload)


# -- slash commands --------------------------------------------------------------------------


async def test_slash_command_answer_is_posted_in_channel(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi, catalogue
) -> None:
    status, _ = await sender.command(
        command_body("has PEP been terminated yet?", slack_api.response_url())
    )
    assert status == 200
    [call] = await slack_api.wait_for(RESPONSE_URL)
    await settle(bot)
    entry = catalogue.get("q14")
    assert call.body["response_type"] == "in_channel"
    assert section_texts(call.body)[0] == f"Q14: {entry.question}"
    assert answer_shown(call.body) == entry.answer
    assert f"<@{USER}>" in json.dumps(call.body["blocks"])
    assert "February 21, 2017" in json.dumps(call.body["blocks"])
    assert entry.answer in call.body["text"].replace("&amp;", "&")
    assert len(slack_api.replies()) == 1


async def test_each_question_is_logged_without_its_text(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    await sender.command(command_body("has PEP been terminated yet?", slack_api.response_url("a")))
    await sender.command(command_body("help", slack_api.response_url("b")))
    await slack_api.wait_for(RESPONSE_URL, 2)
    await settle(bot)
    bot.deps.close()  # waits for the query log's writes
    assert bot.store.query_count() == 1  # help is not a question


async def test_slash_command_by_number(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi, catalogue
) -> None:
    await sender.command(command_body("Q7", slack_api.response_url("a")))
    await sender.command(command_body("7", slack_api.response_url("b")))
    calls = await slack_api.wait_for(RESPONSE_URL, 2)
    for call in calls:
        assert call.body["response_type"] == "in_channel"
        assert section_texts(call.body)[0].startswith("Q7: ")
        assert answer_shown(call.body) == catalogue.get("q7").answer


async def test_a_command_holding_the_word_payload_is_answered(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    # Bolt reads any form containing "payload" as an interactive payload, empty without one.
    body = command_body("Q7", slack_api.response_url())
    body["team_domain"] = "payloads-inc"
    assert (await sender.command(body))[0] == 200
    [call] = await slack_api.wait_for(RESPONSE_URL)
    assert section_texts(call.body)[0].startswith("Q7: ")


async def test_help_and_list_are_ephemeral(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi, catalogue
) -> None:
    await sender.command(command_body("", slack_api.response_url("empty")))
    await sender.command(command_body("help", slack_api.response_url("help")))
    await sender.command(command_body("list", slack_api.response_url("list")))
    await slack_api.wait_for(RESPONSE_URL, 3)
    by_path = {c.path.rsplit("/", 1)[1]: c.body for c in slack_api.calls_to(RESPONSE_URL)}
    assert by_path["empty"]["response_type"] == "ephemeral"
    assert by_path["help"]["response_type"] == "ephemeral"
    assert "/qa list" in by_path["help"]["text"]
    assert by_path["list"]["response_type"] == "ephemeral"
    listed = "\n".join(section_texts(by_path["list"]))
    for entry in catalogue.entries:
        assert f"*{entry.label}*" in listed


async def test_decline_offers_buttons_and_a_press_posts_that_answer(
    start_bot: StartBot, slack_api: FakeSlackApi, catalogue
) -> None:
    bot = await start_bot(threshold=DECLINE_ALL)
    async with aiohttp.ClientSession() as session:
        sender = await sender_for(bot, session)
        await sender.command(
            command_body("has PEP been terminated yet?", slack_api.response_url("d"))
        )
        [decline] = await slack_api.wait_for(RESPONSE_URL)
        assert decline.body["response_type"] == "ephemeral"
        assert decline.body["text"].startswith("No official answer found for")
        offered = buttons(decline.body)
        assert 1 <= len(offered) <= 3
        assert all(b["action_id"].startswith("qa_suggest") for b in offered)
        chosen = catalogue.get(offered[0]["value"])
        assert chosen is not None

        status, _ = await sender.action(action_body(chosen.id, slack_api.response_url("press")))
        assert status == 200
        await settle(bot)
    pressed = [c for c in slack_api.calls_to(RESPONSE_URL) if c.path.endswith("/press")]
    assert [c.body.get("response_type") for c in pressed] == ["in_channel", None]
    assert section_texts(pressed[0].body)[0] == f"{chosen.label}: {chosen.question}"
    assert pressed[1].body == {"delete_original": True}
    assert not slack_api.calls_to("chat.postMessage")


async def test_button_under_a_threaded_decline_answers_in_that_thread(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi, catalogue
) -> None:
    payload = action_body(
        "q3", slack_api.response_url(), ephemeral=False, thread_ts="1700000000.000001"
    )
    await sender.action(payload)
    [post] = await slack_api.wait_for("chat.postMessage")
    assert post.body["channel"] == CHANNEL
    assert post.body["thread_ts"] == "1700000000.000001"
    assert catalogue.get("q3").answer in "".join(section_texts(post.body))


# -- events ----------------------------------------------------------------------------------


async def test_mention_outside_a_thread_starts_one_on_the_mention(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    status, _ = await sender.event(
        event_body(mention("<@UBOT> has PEP been terminated yet?", ts="1700000100.000100"))
    )
    assert status == 200
    [post] = await slack_api.wait_for("chat.postMessage")
    assert post.body["channel"] == CHANNEL
    assert post.body["thread_ts"] == "1700000100.000100"
    assert section_texts(post.body)[0].startswith("Q14: ")
    assert "UBOT" not in json.dumps(post.body["blocks"])


async def test_mention_inside_a_thread_answers_in_that_thread(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    event = mention("<@UBOT> Q7", ts="1700000100.000900", thread_ts="1700000000.000001")
    await sender.event(event_body(event))
    [post] = await slack_api.wait_for("chat.postMessage")
    assert post.body["thread_ts"] == "1700000000.000001"
    assert section_texts(post.body)[0].startswith("Q7: ")


async def test_declined_mention_is_a_threaded_reply_with_suggestions(
    start_bot: StartBot, slack_api: FakeSlackApi
) -> None:
    bot = await start_bot(threshold=DECLINE_ALL)
    async with aiohttp.ClientSession() as session:
        sender = await sender_for(bot, session)
        await sender.event(event_body(mention("<@UBOT> has PEP been terminated yet?")))
        [post] = await slack_api.wait_for("chat.postMessage")
    assert post.body["thread_ts"] == "1700000100.000100"
    assert post.body["text"].startswith("No official answer found")
    assert buttons(post.body)


async def test_direct_message_is_answered_in_the_dm(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    await sender.event(event_body(direct_message("has PEP been terminated yet?")))
    [post] = await slack_api.wait_for("chat.postMessage")
    assert post.body["channel"] == "D123DM"
    assert "thread_ts" not in post.body
    assert section_texts(post.body)[0].startswith("Q14: ")


async def test_slack_escapes_are_undone_once_in_and_done_once_out(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi, matcher
) -> None:
    # Slack sends "&", "<" and ">" typed by a person as "&amp;", "&lt;" and "&gt;".
    typed = "DACA & the new memos"
    sent = "DACA &amp; the new memos"
    expected = matcher.match(typed).entry
    assert expected is not None and matcher.match(sent).entry is None  # the escape matters

    await sender.command(command_body(sent, slack_api.response_url()))
    await sender.event(event_body(mention(f"<@UBOT> {sent}")))
    await sender.event(event_body(direct_message(sent)))
    await slack_api.wait_for(RESPONSE_URL)
    await slack_api.wait_for("chat.postMessage", 2)
    await settle(bot)
    replies = slack_api.replies()
    assert len(replies) == 3
    for reply in replies:
        assert section_texts(reply.body)[0].startswith(f"{expected.label}: ")
        payload = json.dumps(reply.body["blocks"], ensure_ascii=False)
        # Shown back as typed: escaped once for Slack to display "&", never "&amp;amp;".
        assert "“DACA &amp; the new memos”" in payload
        assert "&amp;amp;" not in payload


async def test_bot_messages_edits_and_own_messages_get_no_reply(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    ignored = [
        direct_message("Q7", bot_id="BOTHER", user="UOTHERBOT"),
        direct_message("Q7", subtype="message_changed"),
        direct_message("Q7", user="UBOT"),
        direct_message("Q7", subtype="channel_join"),
    ]
    for event in ignored:
        status, _ = await sender.event(event_body(event))
        assert status == 200
    await sender.event(event_body(direct_message("Q3")))
    await slack_api.wait_for("chat.postMessage")
    await settle(bot)
    [post] = slack_api.calls_to("chat.postMessage")
    assert section_texts(post.body)[0].startswith("Q3: ")


async def test_mentions_by_bots_get_no_reply(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    await sender.event(event_body({**mention("<@UBOT> Q7"), "bot_id": "BOTHER"}))
    await sender.event(event_body(mention("<@UBOT> Q3", ts="1700000100.000200")))
    [post] = await slack_api.wait_for("chat.postMessage")
    await settle(bot)
    assert len(slack_api.calls_to("chat.postMessage")) == 1
    assert section_texts(post.body)[0].startswith("Q3: ")


async def test_url_verification_echoes_the_challenge(bot: BotServer, sender: SlackSender) -> None:
    body = json.dumps({"token": "t", "challenge": "abc123", "type": "url_verification"})
    status, text = await sender.post_raw(body, signed_headers(body, "application/json"))
    assert status == 200
    assert json.loads(text)["challenge"] == "abc123"


# -- security and robustness -----------------------------------------------------------------


async def test_forged_signature_and_stale_timestamp_are_rejected(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    raw = form(command_body("Q7", slack_api.response_url()))
    forged = signed_headers(raw, "application/x-www-form-urlencoded", secret="not-the-secret")
    stale = signed_headers(
        raw, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 600
    )
    unsigned = {"content-type": "application/x-www-form-urlencoded"}
    for headers in (forged, stale, unsigned):
        status, _ = await sender.post_raw(raw, headers)
        assert status == 401
    assert bot.deps is not None and len(bot.deps.tracker) == 0
    assert slack_api.replies() == []


async def test_the_same_event_delivered_twice_is_answered_once(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    body = event_body(mention("<@UBOT> Q7"), event_id="EvDUPLICATE1")
    assert (await sender.event(body))[0] == 200
    assert (await sender.event(body, retry=1))[0] == 200
    assert (await sender.event(body, retry=2))[0] == 200
    await slack_api.wait_for("chat.postMessage")
    await settle(bot)
    assert len(slack_api.calls_to("chat.postMessage")) == 1


async def test_the_same_command_trigger_twice_is_answered_once(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    body = command_body("Q7", slack_api.response_url(), trigger_id="trigger.same")
    await sender.command(body)
    await sender.command(body)
    await slack_api.wait_for(RESPONSE_URL)
    await settle(bot)
    assert len(slack_api.calls_to(RESPONSE_URL)) == 1


async def test_rate_limited_post_is_retried_and_delivered_once(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    slack_api.script("chat.postMessage", Scripted.rate_limited(retry_after=0))
    await sender.event(event_body(mention("<@UBOT> Q7")))
    await slack_api.wait_for("chat.postMessage")
    await settle(bot)
    attempts = slack_api.calls_to("chat.postMessage", ok_only=False)
    assert [c.status for c in attempts] == [429, 200]
    assert len(slack_api.replies()) == 1


async def test_server_error_from_the_web_api_is_retried_and_delivered_once(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    slack_api.script("chat.postMessage", Scripted.server_error())
    await sender.event(event_body(direct_message("Q7")))
    await slack_api.wait_for("chat.postMessage")
    await settle(bot)
    attempts = slack_api.calls_to("chat.postMessage", ok_only=False)
    assert [c.status for c in attempts] == [500, 200]


async def test_server_error_on_response_url_is_retried_and_delivered_once(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    slack_api.script(RESPONSE_URL, Scripted.server_error())
    await sender.command(command_body("Q7", slack_api.response_url()))
    await slack_api.wait_for(RESPONSE_URL)
    await settle(bot)
    attempts = slack_api.calls_to(RESPONSE_URL, ok_only=False)
    assert [c.status for c in attempts] == [500, 200]


async def test_channel_mention_in_a_question_never_pings(
    start_bot: StartBot, slack_api: FakeSlackApi
) -> None:
    bot = await start_bot()
    async with aiohttp.ClientSession() as session:
        sender = await sender_for(bot, session)
        question = "<!channel> <!here> <!everyone> <@U999> has PEP been terminated yet?"
        await sender.command(command_body(question, slack_api.response_url("a")))
        await sender.command(command_body("<!channel> tell me a joke", slack_api.response_url("b")))
        await sender.event(event_body(mention(f"<@UBOT> {question}")))
        await settle(bot)
    sent = [json.dumps(c.body) for c in slack_api.replies()]
    assert len(sent) == 3
    for payload in sent:
        for ping in ("<!channel>", "<!here>", "<!everyone>", "<@U999>"):
            assert ping not in payload
    assert "&lt;!channel&gt;" in sent[0] or "&lt;!channel&gt;" in sent[1]


async def test_odd_bodies_get_clean_statuses_and_the_server_stays_healthy(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    big = command_body("where " * 7000, slack_api.response_url("big"))
    assert len(big["text"]) >= 40_000
    assert (await sender.command(big))[0] == 200
    assert (await sender.command(command_body("   ", slack_api.response_url("blank"))))[0] == 200

    not_json = "{this is not json"
    status, _ = await sender.post_raw(not_json, signed_headers(not_json, "application/json"))
    assert status == 400
    status, _ = await sender.post_raw("[1, 2]", signed_headers("[1, 2]", "application/json"))
    assert status == 400
    not_utf8 = b"caf\xe9 \xff"
    status, _ = await sender.post_raw(not_utf8, signed_headers(not_utf8, "text/plain"))
    assert status == 400

    await settle(bot)
    kinds = {c.path.rsplit("/", 1)[1]: c.body["response_type"] for c in slack_api.replies()}
    assert kinds == {"big": "ephemeral", "blank": "ephemeral"}
    status, health = await sender.health()
    assert status == 200 and health["status"] == "ok"


# Bodies that break a careless parser: a form whose payload is not JSON, JSON nested 100,000
# deep, JSON that is not an object or of a shape Bolt trips over, bytes that are not UTF-8.
MALFORMED = [
    ("application/json", b'{"type": "event_callback", "authorizations": "x"}'),
    ("application/x-www-form-urlencoded", b"payload=%7Bnot-json"),
    ("application/x-www-form-urlencoded", b"payload=%5B1%5D"),
    ("application/json", b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    ("application/json", b"{this is not json"),
    ("application/json", b"[1, 2]"),
    ("text/plain", b"caf\xe9 \xff"),
]


def no_tracebacks(records: list[logging.LogRecord]) -> list[str]:
    """Log lines that carry a traceback or are errors: there should be none."""
    return [
        f"{r.name}: {r.getMessage()}" for r in records if r.exc_info or r.levelno >= logging.ERROR
    ]


async def test_unsigned_bodies_are_refused_before_anything_parses_them(
    bot: BotServer, sender: SlackSender, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for content_type, body in MALFORMED:
        unsigned = {"content-type": content_type}
        forged = signed_headers(body, content_type, secret="not-the-secret")
        bad_timestamp = {**signed_headers(body, content_type), "x-slack-request-timestamp": "1e9"}
        for headers in (unsigned, forged, bad_timestamp):
            status, text = await sender.post_raw(body, headers)
            assert (status, json.loads(text)) == (401, {"error": "invalid signature"}), body[:20]
    assert no_tracebacks(caplog.records) == []
    assert bot.deps is not None and len(bot.deps.tracker) == 0


async def test_signed_malformed_bodies_get_400_and_no_traceback(
    bot: BotServer, sender: SlackSender, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for content_type, body in MALFORMED:
        status, text = await sender.post_raw(body, signed_headers(body, content_type))
        assert status == 400, (body[:20], text)
        assert set(json.loads(text)) == {"error"}
    assert no_tracebacks(caplog.records) == []
    status, health = await sender.health()
    assert status == 200 and health["status"] == "ok"


async def test_a_body_over_the_cap_is_refused_also_without_a_length(
    bot: BotServer, sender: SlackSender
) -> None:
    big = b"payload=" + b"x" * MAX_BODY
    status, _ = await sender.post_raw(big, signed_headers(big, "application/x-www-form-urlencoded"))
    assert status == 413

    async def chunks() -> AsyncIterator[bytes]:  # sent chunked, with no Content-Length
        for start in range(0, len(big), 64 * 1024):
            yield big[start : start + 64 * 1024]

    headers = signed_headers(big, "application/x-www-form-urlencoded")
    async with sender.session.post(
        sender.base_url + EVENTS_PATH, data=chunks(), headers=headers
    ) as resp:
        assert resp.status == 413


async def test_an_unknown_button_is_acked_and_logged_once(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    payload = action_body("q3", slack_api.response_url())
    payload["actions"][0]["action_id"] = "retired_button"
    status, _ = await sender.action(payload)
    assert status == 200
    await settle(bot)
    mentions = [r for r in caplog.records if "retired_button" in r.getMessage()]
    assert [(r.levelno, r.name) for r in mentions] == [
        (logging.WARNING, "bot.slack.listeners.unhandled")
    ]
    assert not [r for r in caplog.records if "Unhandled request" in r.getMessage()]
    assert slack_api.replies() == []


async def test_healthz_on_the_public_port_says_only_ok(bot: BotServer, sender: SlackSender) -> None:
    assert await sender.health() == (200, {"status": "ok"})


async def test_with_the_store_unreachable_replies_go_out_once_and_health_is_degraded(
    start_bot: StartBot, slack_api: FakeSlackApi, tmp_path
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    bot = await start_bot()
    assert bot.store is not None
    bot.store.close()
    bot.store.engine = create_engine(f"sqlite:///{blocker}/state.db")
    async with aiohttp.ClientSession() as session:
        sender = await sender_for(bot, session)
        status, body = await sender.health()
        command = command_body("Q7", slack_api.response_url(), trigger_id="trigger.down")
        mentioned = event_body(mention("<@UBOT> Q7"), event_id="EvSTOREDOWN")
        for _ in range(2):  # each delivered twice, as Slack retries
            assert (await sender.command(command))[0] == 200
            assert (await sender.event(mentioned))[0] == 200
        await settle(bot)
    assert (status, body) == (200, {"status": "degraded"})
    assert len(slack_api.calls_to(RESPONSE_URL)) == 1
    assert len(slack_api.calls_to("chat.postMessage")) == 1


async def test_a_rejected_reload_is_degraded_publicly_and_detailed_on_the_metrics_port(
    start_bot: StartBot, tmp_path: Path, catalogue
) -> None:
    content = tmp_path / "content" / "qa.yaml"
    content.parent.mkdir()
    write(content, FULL)
    bot = await start_bot(content=content, metrics_port=closed_port())
    assert bot.reloader is not None and bot.options.metrics_port is not None
    public = f"http://127.0.0.1:{bot.port}{HEALTH_PATH}"
    detailed = f"http://127.0.0.1:{bot.options.metrics_port}{HEALTH_PATH}"
    status, body = await get_json(detailed)
    assert (status, body["status"], body["entries"]) == (200, "ok", len(catalogue))

    write(content, INVALID)
    assert (await bot.reloader.reload()).status == "rejected"

    async with aiohttp.ClientSession() as session, session.get(public) as resp:
        status, text = resp.status, await resp.text()
    # Still serving the previous content: up, but someone should look at the metrics port.
    assert (status, json.loads(text)) == (200, {"status": "degraded"})
    assert "qa.yaml" not in text and str(tmp_path) not in text
    status, body = await get_json(detailed)
    assert (status, body["status"]) == (200, "degraded")
    assert body["last_reload"]["errors"][0].startswith(f"{content}:{INVALID_LINE}: entry q22")
    assert body["content_version"] == catalogue.version and body["store"] is True


async def test_two_replicas_sharing_a_store_answer_a_retried_event_once(
    start_bot: StartBot, slack_api: FakeSlackApi, store_url: str
) -> None:
    first = await start_bot(database_url=store_url)
    second = await start_bot(database_url=store_url)
    body = event_body(mention("<@UBOT> Q7"), event_id="EvREPLICAS")
    async with aiohttp.ClientSession() as session:
        assert (await (await sender_for(first, session)).event(body))[0] == 200
        assert (await (await sender_for(second, session)).event(body, retry=1))[0] == 200
    await slack_api.wait_for("chat.postMessage")
    await settle(first)
    await settle(second)
    assert len(slack_api.calls_to("chat.postMessage")) == 1


async def test_slack_failing_after_start_costs_no_auth_test_per_request(
    bot: BotServer, sender: SlackSender, slack_api: FakeSlackApi, catalogue
) -> None:
    # Asked once at start; were Bolt to ask again per request, these would wait on 500s.
    assert len(slack_api.calls_to("auth.test", ok_only=False)) == 1
    slack_api.script("auth.test", *[Scripted.server_error()] * 20)
    for n in range(5):
        body = command_body("Q7", slack_api.response_url(f"cold{n}"))
        body["user_id"] = "U0TWO"  # a request from someone else the bot has not seen
        assert (await sender.command(body))[0] == 200
    await slack_api.wait_for(RESPONSE_URL, 5)
    await settle(bot)
    assert len(slack_api.calls_to("auth.test", ok_only=False)) == 1
