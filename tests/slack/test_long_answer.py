"""A long official answer reaches Slack whole: split over rich text blocks, each under the limit."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from bot.content import load_catalogue
from bot.matching import Matcher, Semantics
from tests.fakes.slack_api import RESPONSE_URL, FakeSlackApi
from tests.render.reading import check_slack_limits, shown
from tests.slack.conftest import StartBot, sender_for
from tests.slack.slack_requests import command_body

PARAGRAPH = (
    "Officers will consider the totality of the circumstances & document each decision "
    "<carefully>, consistent with the law and with the guidance issued by the Secretary. "
)
CONTENT = """\
sources:
- id: long-release
  title: A release with a long answer
  issuer: Example Agency
  released: 2017-02-21
  url: https://example.gov/long
  entries:
  - id: q1
    number: 1
    question: What does the long answer say?
    answer: |-
{answer}
"""


async def test_long_answer_is_split_into_blocks_and_never_cut(
    start_bot: StartBot, slack_api: FakeSlackApi, semantics: Semantics, tmp_path: Path
) -> None:
    paragraphs = [PARAGRAPH * 12 for _ in range(5)]
    answer = "\n\n".join(paragraphs)
    assert len(answer) > 3 * 3000
    indented = "\n".join(f"      {line}" if line else "" for line in answer.split("\n"))
    path = tmp_path / "long.yaml"
    path.write_text(CONTENT.format(answer=indented), encoding="utf-8")
    catalogue = load_catalogue(path)
    assert catalogue.get("q1").answer == answer

    bot = await start_bot(matcher=Matcher(catalogue, semantics))
    async with aiohttp.ClientSession() as session:
        await (await sender_for(bot, session)).command(command_body("Q1", slack_api.response_url()))
    [call] = await slack_api.wait_for(RESPONSE_URL)
    check_slack_limits(call.body)
    parts = [shown(b) for b in call.body["blocks"] if b["type"] == "rich_text"][1:]
    assert len(parts) >= 4
    assert all(len(part) < 3000 for part in parts)
    assert "".join(parts) == answer
