"""The Web API client ``serve`` builds: a lost connection is retried only where a repeat
cannot post twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.posting import posting_own_retries, web_client
from tests.fakes.slack_api import TOKEN, FakeSlackApi, Scripted
from tests.observability.test_endpoints import closed_port


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlackApi]:
    api = FakeSlackApi(token=TOKEN)
    await api.start()
    yield api
    await api.stop()


def clients(url: str, session: aiohttp.ClientSession) -> list[AsyncWebClient]:
    """The replies' client and the digests' client, as ``serve`` makes them."""
    replies = web_client(TOKEN, url, session)
    return [replies, posting_own_retries(replies)]


async def test_a_post_whose_answer_was_lost_is_not_sent_again(
    slack_api: FakeSlackApi, session: aiohttp.ClientSession
) -> None:
    for n, client in enumerate(clients(slack_api.url, session), start=1):
        slack_api.script("chat.postMessage", Scripted.post_then_drop())
        with pytest.raises(aiohttp.ClientError):
            await client.chat_postMessage(channel="C1", text="once")
        assert len(slack_api.posts) == n  # one post each, none repeated


async def test_a_read_whose_answer_was_lost_is_read_again(
    slack_api: FakeSlackApi, session: aiohttp.ClientSession
) -> None:
    for client in clients(slack_api.url, session):
        slack_api.script("conversations.history", Scripted.post_then_drop())
        result = await client.conversations_history(channel="C1")
        assert result["ok"]
    assert len(slack_api.calls_to("conversations.history")) == 4  # each read twice


async def test_a_post_that_never_connected_is_sent_once_slack_is_back(
    session: aiohttp.ClientSession,
) -> None:
    port = closed_port()
    for client in clients(f"http://127.0.0.1:{port}/api/", session):
        api = FakeSlackApi(token=TOKEN)
        posting = asyncio.create_task(client.chat_postMessage(channel="C1", text="late"))
        await asyncio.sleep(0.2)  # refused at least once: nothing listens yet
        await api.start(port)
        try:
            assert (await asyncio.wait_for(posting, 10))["ok"]
            assert len(api.posts) == 1
        finally:
            await api.stop()
