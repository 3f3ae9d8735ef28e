"""Socket Mode: slack-sdk's aiohttp client feeding envelopes to the Bolt app, reconnecting."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)


class SocketModeConnection:
    """One Socket Mode link: acks each envelope once Bolt has dispatched it."""

    def __init__(
        self,
        app: AsyncApp,
        app_token: str,
        web_client: AsyncWebClient,
        ping_interval: float = 10,
    ) -> None:
        self.app = app
        self.app_token = app_token
        self.web_client = web_client
        self.ping_interval = ping_interval
        self.client: SocketModeClient | None = None

    async def start(self) -> None:
        """Open the WebSocket; the client reconnects by itself after drops and refreshes."""
        # Ask for the first URL ourselves: a refused token fails here, once, instead of the
        # client retrying it forever in the background.
        opened = await self.web_client.apps_connections_open(app_token=self.app_token)
        self.client = SocketModeClient(
            app_token=self.app_token,
            web_client=self.web_client,
            ping_interval=self.ping_interval,
            logger=logging.getLogger("bot.slack.socket_mode"),
        )
        self.client.socket_mode_request_listeners.append(self._handle)
        self.client.wss_uri = opened["url"]
        await self.client.connect()

    async def connected(self) -> bool:
        return self.client is not None and await self.client.is_connected()

    async def stop(self) -> None:
        """Stop taking envelopes; unacked ones go back to Slack for another connection."""
        if self.client is not None:
            await self.client.close()

    async def _handle(self, client: AsyncBaseSocketModeClient, req: SocketModeRequest) -> None:
        headers: dict[str, str | Sequence[str]] = {}
        if req.retry_attempt is not None:
            headers["x-slack-retry-num"] = [str(req.retry_attempt)]
        if req.retry_reason is not None:
            headers["x-slack-retry-reason"] = [req.retry_reason]
        bolt_request = AsyncBoltRequest(mode="socket_mode", body=req.payload, headers=headers)
        bolt_response = await self.app.async_dispatch(bolt_request)
        payload = None
        if bolt_response.status == 200 and bolt_response.body:
            try:
                payload = json.loads(bolt_response.body)
            except ValueError:
                payload = {"text": bolt_response.body}
        elif bolt_response.status != 200:
            log.warning("envelope %s not handled (status %s)", req.type, bolt_response.status)
        await client.send_socket_mode_response(
            SocketModeResponse(envelope_id=req.envelope_id, payload=payload)
        )
