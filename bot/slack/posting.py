"""Sending replies: Web API calls and response_url posts, retried on 429, 5xx and lost links."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.observability.metrics import Metrics
from bot.render.blocks import Message

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A reply could not be delivered even after retries."""


def retry_handlers() -> list[AsyncRetryHandler]:
    """Retries for rate limits (waiting Retry-After), server errors and dropped connections."""
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=3),
        AsyncRateLimitErrorRetryHandler(max_retry_count=5),
        AsyncServerErrorRetryHandler(max_retry_count=3),
    ]


def web_client(
    token: str, base_url: str, session: aiohttp.ClientSession, metrics: Metrics | None = None
) -> AsyncWebClient:
    """The Web API client every reply goes through, on the shared connection pool."""
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        session=session,
        retry_handlers=metrics.counting_retries(retry_handlers()) if metrics else retry_handlers(),
    )


class Poster:
    """Posts messages to channels and threads, and to a command's or action's response_url."""

    def __init__(
        self,
        client: AsyncWebClient,
        session: aiohttp.ClientSession,
        metrics: Metrics | None = None,
    ) -> None:
        self.client = client
        self.metrics = metrics
        # One pool for every post: a new session per reply would cost a connection each time.
        self.session = session

    async def close(self) -> None:
        await self.session.close()

    async def post(self, channel: str, message: Message, thread_ts: str | None = None) -> str:
        """Post to a channel (in a thread when ``thread_ts`` is set); returns the message ts."""
        try:
            response = await self.client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=message["text"],
                blocks=message.get("blocks"),
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            if self.metrics is not None:
                self.metrics.observe_api_error("chat.postMessage", exc.response.status_code)
            raise DeliveryError(f"chat.postMessage failed: {exc.response.get('error')}") from None
        return str(response.get("ts", ""))

    async def respond(self, response_url: str, message: Message, *, in_channel: bool) -> None:
        """Answer through a response_url: in the channel for answers, else only to the asker."""
        payload: dict[str, Any] = {
            "response_type": "in_channel" if in_channel else "ephemeral",
            "replace_original": False,
            **message,
        }
        await self._webhook(response_url, payload)

    async def delete_original(self, response_url: str) -> None:
        """Remove the ephemeral message whose button was pressed."""
        await self._webhook(response_url, {"delete_original": True})

    async def _webhook(self, url: str, payload: dict[str, Any]) -> None:
        client = AsyncWebhookClient(url, session=self.session, retry_handlers=retry_handlers())
        response = await client.send_dict(payload)
        if response.status_code != 200:
            raise DeliveryError(f"response_url answered {response.status_code}: {response.body}")
