"""Golden tests: the whole payloads the bot posts for an answer, a decline, help and list.

The payloads are captured as Slack receives them (over HTTP, at the response_url stand-in) and
compared with ``tests/slack/golden/*.json``. After an intended change of the messages or the
content, regenerate them and review the diff:

    QABOT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/slack/test_golden.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import aiohttp
import pytest

from bot.content import Catalogue
from bot.matching import Candidate, Match, Matcher, Semantics
from tests.fakes.slack_api import RESPONSE_URL, FakeSlackApi
from tests.slack.conftest import StartBot, sender_for
from tests.slack.slack_requests import command_body

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("QABOT_UPDATE_GOLDEN") == "1"


class FixedSuggestions(Matcher):
    """Declines every question with the same three candidates.

    The matcher's ranking is tuned elsewhere; pinning it keeps this golden about the message.
    """

    def match(self, query: str) -> Match:
        ids = ("q14", "q15", "q8")
        candidates = tuple(
            Candidate(self.catalogue.get(i), 0.5 - n / 10) for n, i in enumerate(ids)
        )
        return Match(query, None, 0.5, candidates)


async def posted(start_bot: StartBot, api: FakeSlackApi, text: str, **bot_args) -> dict:
    bot = await start_bot(**bot_args)
    async with aiohttp.ClientSession() as session:
        sender = await sender_for(bot, session)
        status, _ = await sender.command(command_body(text, api.response_url()))
    assert status == 200
    [call] = await api.wait_for(RESPONSE_URL)
    return call.body


def check_golden(name: str, payload: dict) -> None:
    path = GOLDEN / f"{name}.json"
    rendered = json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if UPDATE:
        path.write_text(rendered, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"{path} is missing; create it with QABOT_UPDATE_GOLDEN=1")
    assert json.loads(rendered) == json.loads(path.read_text(encoding="utf-8"))


async def test_answer_payload(start_bot: StartBot, slack_api: FakeSlackApi) -> None:
    check_golden("answer", await posted(start_bot, slack_api, "Q14"))


async def test_decline_payload(
    start_bot: StartBot, slack_api: FakeSlackApi, catalogue: Catalogue, semantics: Semantics
) -> None:
    payload = await posted(
        start_bot,
        slack_api,
        "<!channel> will *PEP* come back & when?",
        matcher=FixedSuggestions(catalogue, semantics),
    )
    check_golden("decline", payload)


async def test_help_payload(start_bot: StartBot, slack_api: FakeSlackApi) -> None:
    check_golden("help", await posted(start_bot, slack_api, "help"))


async def test_list_payload(start_bot: StartBot, slack_api: FakeSlackApi) -> None:
    check_golden("list", await posted(start_bot, slack_api, "list"))
