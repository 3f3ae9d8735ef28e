"""Services beside the server: started with it, stopped on shutdown; the claim purger."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from bot.digest.schedule import load_schedules
from bot.settings import load_settings
from bot.slack.claims import claim_purger
from bot.slack.runner import digest_service
from bot.slack.server import BotServer
from bot.store import Store
from tests.conftest import CONTENT
from tests.fakes.slack_api import FakeSlackApi
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


class GatedClock:
    """A clock that sleeps until the test lets it go, then moves on by the sleep's length."""

    def __init__(self, now: dt.datetime) -> None:
        self.current = now
        self.sleeping = asyncio.Event()
        self.wake = asyncio.Event()

    def now(self) -> dt.datetime:
        return self.current

    async def sleep(self, seconds: float, stop: asyncio.Event | None = None) -> None:
        self.sleeping.set()
        await self.wake.wait()
        self.wake.clear()
        self.current += dt.timedelta(seconds=seconds)


async def test_digests_post_from_the_content_being_served_after_a_reload(
    start_bot: StartBot, slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    content = tmp_path / "qa.yaml"
    content.write_bytes(CONTENT.read_bytes())
    schedules_file = tmp_path / "schedules.yaml"
    schedules_file.write_text(
        "schedules:\n- {name: pinned, channel: C0DIGEST, cron: '*/5 * * * *', timezone: UTC,"
        " kind: entry, entry: q14}\n"
    )
    clock = GatedClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    server: asyncio.Future[BotServer] = asyncio.get_running_loop().create_future()

    async def digests(stop: asyncio.Event) -> None:
        bot = await server
        schedules = load_schedules(schedules_file, bot.responder.matcher.catalogue)
        settings = load_settings(QABOT_DIGEST_GRACE_MINUTES=60)
        await digest_service(bot, schedules, settings, None, clock)(stop)

    bot = await start_bot(content=content, services=[digests])
    server.set_result(bot)
    await clock.sleeping.wait()  # the 09:00 slot is posted from the content loaded at start
    clock.sleeping.clear()
    content.write_bytes(CONTENT.read_bytes().replace(b"number: 14", b"number: 41"))
    assert bot.reloader is not None
    assert (await bot.reloader.reload()).status == "ok"
    for _ in range(10):  # woken poll after poll until the 09:05 slot is posted
        if len(slack_api.calls_to("chat.postMessage")) == 2:
            break
        clock.sleeping.clear()
        clock.wake.set()
        await clock.sleeping.wait()
    first, second = slack_api.calls_to("chat.postMessage")
    assert first.body["text"].startswith("Q14: ") and second.body["text"].startswith("Q41: ")
    await bot.stop()
