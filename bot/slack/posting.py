"""Sending replies: Web API calls and response_url posts, retried on 429, 5xx and lost links."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.observability.metrics import Metrics
from bot.render.blocks import Message
from bot.render.prompts import Prompt

log = logging.getLogger(__name__)

# Connections to Slack at once, in the shared pool and so in the poster's queue (aiohttp's
# default pool size).
CONNECTIONS = 100


class DeliveryError(Exception):
    """A reply was not delivered: for good, or (``transient``) worth trying again later.

    ``unanswered`` means the request may have reached Slack although no answer came back, so a
    post may be there already.
    """

    def __init__(
        self,
        message: str,
        *,
        transient: bool = False,
        unanswered: bool = False,
        retry_after: float | None = None,
        code: str | None = None,
    ):
        super().__init__(message)
        self.transient = transient
        self.unanswered = unanswered
        self.code = code  # see _error_code
        # Seconds Slack asked to wait (Retry-After) before the next try, when it said.
        self.retry_after = retry_after


# Web API errors that say "later", not "never" (for replies and digests alike).
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable"}
)
# Marks a reply post with the job it answers, so a retry can find it (see find_reply).
REPLY_EVENT_TYPE = "qabot_reply"


def reply_metadata(job_key: str) -> dict[str, Any]:
    """Message metadata naming the job a post answers."""
    return {"event_type": REPLY_EVENT_TYPE, "event_payload": {"job": job_key}}


def is_reply_to(message: dict[str, Any], job_key: str) -> bool:
    """True when a message read back from Slack is the post answering ``job_key``."""
    meta = message.get("metadata") or {}
    return (
        meta.get("event_type") == REPLY_EVENT_TYPE
        and (meta.get("event_payload") or {}).get("job") == job_key
    )


def api_failure(method: str, exc: SlackApiError) -> DeliveryError:
    """What a Web API error means for trying again."""
    status = exc.response.status_code
    error = _slack_error(exc)
    transient = status == 429 or status >= 500 or error in TRANSIENT_ERRORS
    return DeliveryError(
        f"{method} failed: {error or f'HTTP {status}'}",
        transient=transient,
        retry_after=_retry_after(exc.response.headers or {}),
        code=_error_code(exc),
    )


def _slack_error(exc: SlackApiError) -> str | None:
    """Slack's error (``not_in_channel``); None when the answer gave none."""
    return exc.response.get("error") if isinstance(exc.response.data, dict) else None


def _error_code(exc: SlackApiError) -> str:
    """Slack's error, or ``http_503`` when the answer gave none."""
    return str(_slack_error(exc) or f"http_{exc.response.status_code}")


def _retry_after(headers: Mapping[str, Any]) -> float | None:
    """The Retry-After header's delay in seconds; None when absent or not a number of seconds."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    try:
        seconds = float(value) if value is not None else -1.0
    except ValueError:
        return None
    return seconds if 0 <= seconds < 86_400 else None


def connection_failure(method: str, exc: BaseException) -> DeliveryError:
    """A call that got no answer: worth trying again; it may have arrived unless it was never
    connected."""
    unanswered = not isinstance(exc, aiohttp.ClientConnectorError)
    name = f"{type(exc).__name__}: {exc}".rstrip(": ")
    return DeliveryError(f"{method}: {name}", transient=True, unanswered=unanswered)


class ConnectionRetry(AsyncRetryHandler):
    """Retries a failed connection only where doing the call again cannot post twice.

    A connection that was never made reached no one, so any call may be made again. One that
    dropped after the request went out may have posted already: only a read is repeated then,
    and a post is left to its caller, which looks for it before posting again.
    """

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if isinstance(error, aiohttp.ClientConnectorError):
            return True
        if isinstance(error, (aiohttp.ServerConnectionError, aiohttp.ClientOSError)):
            return _reads_only(request.url)
        return False


def _reads_only(url: str) -> bool:
    method = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return method == "auth.test" or method.endswith(_READ_SUFFIXES)


_READ_SUFFIXES = (".history", ".replies", ".info", ".list")


def retry_handlers() -> list[AsyncRetryHandler]:
    """Retries for rate limits (waiting Retry-After), server errors and failed connections."""
    return [
        ConnectionRetry(max_retry_count=3),
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


def posting_own_retries(client: AsyncWebClient, metrics: Metrics | None = None) -> AsyncWebClient:
    """The same client for a caller that retries 429s and 5xx itself (the digest scheduler, which
    looks in the channel before posting again): only failed connections are retried here."""
    handlers: list[AsyncRetryHandler] = [ConnectionRetry(max_retry_count=3)]
    return AsyncWebClient(
        token=client.token,
        base_url=client.base_url,
        session=client.session,
        timeout=client.timeout,
        retry_handlers=metrics.counting_retries(handlers) if metrics else handlers,
    )


async def post_message(
    client: AsyncWebClient,
    channel: str,
    message: Message,
    *,
    thread_ts: str | None = None,
    metadata: dict[str, Any] | None = None,
    metrics: Metrics | None = None,
) -> str:
    """Post to a channel (in a thread when ``thread_ts`` is set), tagged with ``metadata``;
    returns the message ts, or raises DeliveryError."""
    method = "chat.postMessage"
    try:
        response = await client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=message["text"],
            blocks=message.get("blocks"),
            metadata=metadata,
            unfurl_links=False,
            unfurl_media=False,
        )
    except SlackApiError as exc:
        if metrics is not None:
            metrics.observe_api_error(method, exc.response.status_code)
        raise api_failure(method, exc) from None
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise connection_failure(method, exc) from None
    return str(response.get("ts") or "")


async def find_message(
    client: AsyncWebClient,
    channel: str,
    matches: Callable[[dict[str, Any]], bool],
    *,
    thread_ts: str | None = None,
    since: float = 0.0,
) -> str | None:
    """The ts of the message ``matches`` picks, read back from a thread, or from the channel
    since ``since``; None when there is none, or Slack cannot be asked (the caller then posts:
    see the README)."""
    try:
        if thread_ts:
            response = await client.conversations_replies(
                channel=channel, ts=thread_ts, include_all_metadata=True, limit=200
            )
        else:
            response = await client.conversations_history(
                channel=channel, oldest=f"{since:.6f}", include_all_metadata=True, limit=200
            )
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
        reason = _error_code(exc) if isinstance(exc, SlackApiError) else type(exc).__name__
        log.warning("cannot look for an earlier post (%s); posting it", reason)
        return None
    for found in response.get("messages") or []:
        if matches(found):
            return str(found.get("ts"))
    return None


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
        # The SDK's timeout counts the wait for a pooled connection too: in a burst, replies
        # queued behind a slow Slack would time out unsent. They queue here instead, where
        # waiting costs nothing, and each is timed only once it has a connection.
        self._slots = asyncio.Semaphore(CONNECTIONS)

    async def close(self) -> None:
        await self.session.close()

    async def post(
        self,
        channel: str,
        message: Message,
        thread_ts: str | None = None,
        job_key: str | None = None,
    ) -> str:
        """Post to a channel (in a thread when ``thread_ts`` is set), marked as the reply to
        ``job_key`` when given; returns the message ts."""
        metadata = reply_metadata(job_key) if job_key else None
        async with self._slots:
            return await post_message(
                self.client,
                channel,
                message,
                thread_ts=thread_ts,
                metadata=metadata,
                metrics=self.metrics,
            )

    async def find_reply(
        self, channel: str, thread_ts: str | None, job_key: str, since: float
    ) -> str | None:
        """The ts of the post answering ``job_key`` if an earlier attempt got it out; None when
        there is none, or Slack cannot be asked (the caller then posts: see the README)."""
        async with self._slots:
            return await find_message(
                self.client,
                channel,
                lambda found: is_reply_to(found, job_key),
                thread_ts=thread_ts,
                since=since,
            )

    async def suggest_prompts(
        self, channel: str, thread_ts: str, prompts: Sequence[Prompt], title: str
    ) -> None:
        """Set Slack's suggested prompts in an assistant thread; DeliveryError when refused."""
        method = "assistant.threads.setSuggestedPrompts"
        try:
            async with self._slots:
                await self.client.assistant_threads_setSuggestedPrompts(
                    channel_id=channel, thread_ts=thread_ts, prompts=list(prompts), title=title
                )
        except SlackApiError as exc:
            if self.metrics is not None:
                self.metrics.observe_api_error(method, exc.response.status_code)
            raise api_failure(method, exc) from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise connection_failure(method, exc) from None

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
        try:
            async with self._slots:
                response = await client.send_dict(payload)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise connection_failure("response_url", exc) from None
        status = response.status_code
        if status != 200:
            # 404 is an expired or used-up URL: no later try can work.
            raise DeliveryError(
                f"response_url answered {status}: {response.body}",
                transient=status == 429 or status >= 500,
            )
