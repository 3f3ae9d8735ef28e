"""Who the bot is in Slack, asked once at start and given to Bolt for every request.

Bolt's own single-workspace authorization asks ``auth.test`` on the first request and again on
every request while that fails: with Slack failing just after a start, each ack would wait on
it. Asked once at start instead, a request never waits on Slack before its ack.
"""

from __future__ import annotations

from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient


class Identity:
    """The bot's ``auth.test`` answer, as Bolt's ``authorize`` wants it."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        self._result: AuthorizeResult | None = None

    async def learn(self) -> None:
        """Ask Slack once; raises SlackApiError when the token is refused."""
        response = await self._client.auth_test()
        self._result = AuthorizeResult.from_auth_test_response(
            auth_test_response=response, bot_token=self._client.token
        )

    async def authorize(self) -> AuthorizeResult:
        """Bolt's ``authorize``: the answer learnt at start (asked now if it never was)."""
        if self._result is None:
            await self.learn()
        assert self._result is not None
        return self._result
