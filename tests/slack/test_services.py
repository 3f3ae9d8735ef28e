"""Services beside the server: started with it, stopped on shutdown; the claim purger."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.slack.claims import claim_purger
from bot.store import Store
from tests.slack.conftest import StartBot


async def test_claim_purger_forgets_old_claims_and_keeps_recent_ones(store: Store) -> None:
    now = dt.datetime.now(dt.UTC)
    assert store.claim_event("event:old", now=now - dt.timedelta(days=2))
    assert store.claim_event("event:recent", now=now - dt.timedelta(minutes=5))
    stop = asyncio.Event()
    stop.set()  # one pass, then return
    await claim_purger(store)(stop)
    assert store.claim_event("event:old")  # forgotten, so claimable again
    assert not store.claim_event("event:recent")


async def test_services_start_with_the_server_and_stop_before_it_returns(
    start_bot: StartBot,
) -> None:
    seen: list[str] = []
    running = asyncio.Event()

    async def service(stop: asyncio.Event) -> None:
        seen.append("started")
        running.set()
        await stop.wait()
        seen.append("stopped")

    bot = await start_bot(services=[service])
    await running.wait()
    assert seen == ["started"]
    await bot.stop()
    assert seen == ["started", "stopped"]
