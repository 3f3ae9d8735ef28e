"""The scheduler against a real store and the Web API stand-in, on a clock that never waits."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.content import Catalogue
from bot.digest.message import slot_metadata
from bot.digest.schedule import Schedule, Schedules
from bot.digest.scheduler import RetryPolicy, Scheduler
from bot.store import Store
from tests.digest.clock import FakeClock
from tests.fakes.slack_api import FakeSlackApi, Scripted

UTC = dt.UTC
MONDAY = dt.datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 9:00 in New York, first Monday of EDT
WEEK = dt.timedelta(days=7)
GRACE = dt.timedelta(hours=6)


def weekly(name: str = "weekly", channel: str = "C1", **fields: str) -> Schedule:
    spec = {
        "name": name,
        "channel": channel,
        "cron": "0 9 * * 1",
        "timezone": "America/New_York",
        "kind": "rotate",
        **fields,
    }
    return Schedule.model_validate(spec)


def scheduler(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    clock: FakeClock,
    *schedules: Schedule,
    owner: str = "replica-a",
    **options: object,
) -> Scheduler:
    return Scheduler(
        Schedules(schedules or (weekly(),)),
        store,
        client,
        lambda: catalogue,
        grace=GRACE,
        clock=clock,
        owner=owner,
        **options,  # type: ignore[arg-type]
    )


async def test_due_slot_is_posted_once(
    store: Store, client: AsyncWebClient, catalogue: Catalogue, slack_api: FakeSlackApi
) -> None:
    clock = FakeClock(MONDAY + dt.timedelta(seconds=20))
    s = scheduler(store, client, catalogue, clock)
    (outcome,) = await s.tick()
    assert (outcome.status, outcome.due_at, outcome.entry_id) == ("posted", MONDAY, "q1")
    assert await s.tick() == []
    clock.advance(hours=1)
    assert await s.tick() == []
    (post,) = slack_api.posts
    assert post.channel == "C1"
    assert post.metadata == slot_metadata("weekly", MONDAY)
    assert catalogue.get("q1").answer in post.text  # type: ignore[union-attr,operator]
    (slot,) = store.slots("weekly")
    assert (slot.status, slot.entry_id, slot.message_ts, slot.attempts) == (
        "posted",
        "q1",
        post.ts,
        1,
    )


async def test_nothing_posted_before_the_due_time(
    store: Store, client: AsyncWebClient, catalogue: Catalogue, slack_api: FakeSlackApi
) -> None:
    s = scheduler(store, client, catalogue, FakeClock(MONDAY - dt.timedelta(seconds=1)))
    assert await s.tick() == []
    assert slack_api.calls == []


async def test_catch_up_after_downtime_posts_the_latest_slot_once(
    store: Store, client: AsyncWebClient, catalogue: Catalogue, slack_api: FakeSlackApi
) -> None:
    clock = FakeClock(MONDAY)
    s = scheduler(store, client, catalogue, clock)
    await s.tick()
    # Down for three weeks, back two hours after the third missed Monday.
    clock.set(MONDAY + 3 * WEEK + dt.timedelta(hours=2))
    (outcome,) = await s.tick()
    assert outcome.due_at == MONDAY + 3 * WEEK
    assert await s.tick() == []
    assert [slot.due_at for slot in store.slots("weekly")] == [MONDAY, MONDAY + 3 * WEEK]
    assert len(slack_api.posts) == 2


async def test_slot_older_than_the_grace_period_is_skipped(
    store: Store, client: AsyncWebClient, catalogue: Catalogue, slack_api: FakeSlackApi
) -> None:
    s = scheduler(store, client, catalogue, FakeClock(MONDAY + GRACE + dt.timedelta(minutes=1)))
    assert await s.tick() == []
    assert slack_api.posts == [] and store.slots() == []


async def test_rotation_continues_after_a_restart(
    store: Store, client: AsyncWebClient, catalogue: Catalogue, slack_api: FakeSlackApi
) -> None:
    clock = FakeClock(MONDAY)
    index = weekly("index", kind="index", cron="0 9 * * 2")  # same channel, no entry
    first = scheduler(store, client, catalogue, clock, weekly(), index)
    for day in range(10):
        clock.set(MONDAY + dt.timedelta(days=day))
        await first.tick()
    # A new process with a store of its own, on the same database.
    again = Store(store.url)
    second = scheduler(again, client, catalogue, clock, weekly(), index, owner="replica-b")
    for day in range(10, 21):
        clock.set(MONDAY + dt.timedelta(days=day))
        await second.tick()
    again.close()
    rotated = [s.entry_id for s in store.slots("weekly")]
    assert rotated == ["q1", "q2", "q3"]
    assert len(store.slots("index")) == 3
    assert len(slack_api.posts_to("C1")) == 6


async def test_rotation_repeats_only_after_every_entry(
    store: Store, client: AsyncWebClient, catalogue: Catalogue
) -> None:
    clock = FakeClock(MONDAY)
    s = scheduler(store, client, catalogue, clock)
    total = len(catalogue) + 2
    for week in range(total):
        clock.set(MONDAY + week * WEEK)
        await s.tick()
    ids = [slot.entry_id for slot in store.slots("weekly")]
    assert ids == [e.id for e in catalogue.entries] + ["q1", "q2"]


async def test_rate_limit_and_server_errors_are_retried_with_backoff(
    store: Store, client: AsyncWebClient, catalogue: Catalogue, slack_api: FakeSlackApi
) -> None:
    slack_api.script(
        "chat.postMessage",
        Scripted.rate_limited(7),
        Scripted.slack_error("internal_error", status=500),
        Scripted(503, body="upstream unavailable"),
    )
    clock = FakeClock(MONDAY)
    (outcome,) = await scheduler(store, client, catalogue, clock).tick()
    assert outcome.status == "posted"
    assert clock.sleeps == [7, 4, 8]  # Retry-After honoured, then exponential backoff
    attempts = slack_api.calls_to("chat.postMessage", ok_only=False)
    assert [c.status for c in attempts] == [429, 500, 503, 200]
    assert len(slack_api.posts) == 1
    (slot,) = store.slots()
    assert (slot.status, slot.attempts) == ("posted", 4)


async def test_refused_channel_is_logged_and_others_still_post(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    slack_api: FakeSlackApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    slack_api.refuse("CX", "not_in_channel")
    slack_api.refuse("CY", "channel_not_found")
    clock = FakeClock(MONDAY)
    schedules = (weekly("outside", "CX"), weekly("gone", "CY"), weekly("fine", "C1"))
    s = scheduler(store, client, catalogue, clock, *schedules)
    with caplog.at_level(logging.ERROR, logger="qabot.digest"):
        outcomes = {o.schedule: o for o in await s.tick()}
    assert outcomes["outside"].status == outcomes["gone"].status == "failed"
    assert outcomes["fine"].status == "posted"
    assert "digest outside: cannot post to channel CX: not_in_channel" in caplog.text
    assert "digest gone: cannot post to channel CY: channel_not_found" in caplog.text
    assert store.slots("outside")[0].error == "not_in_channel"
    # A refused slot is recorded as failed and not hammered again.
    calls = len(slack_api.calls)
    clock.advance(minutes=30)
    assert await s.tick() == []
    assert len(slack_api.calls) == calls


async def test_slot_given_back_after_failed_retries_is_retried_later(
    store: Store, client: AsyncWebClient, catalogue: Catalogue, slack_api: FakeSlackApi
) -> None:
    slack_api.script("chat.postMessage", *[Scripted.slack_error("internal_error", status=500)] * 3)
    clock = FakeClock(MONDAY)
    retry = RetryPolicy(attempts=3, give_back_for=dt.timedelta(minutes=2))
    s = scheduler(store, client, catalogue, clock, retry=retry)
    (outcome,) = await s.tick()
    assert (outcome.status, outcome.error) == ("retry", "internal_error")
    (slot,) = store.slots()
    assert (slot.status, slot.attempts, slot.error) == ("claimed", 3, "internal_error")
    assert await s.tick() == []  # given back until its retry time
    clock.advance(minutes=2, seconds=1)
    (outcome,) = await s.tick()
    assert (outcome.status, outcome.entry_id) == ("posted", "q1")
    assert len(slack_api.posts) == 1
    assert store.slots()[0].attempts == 4


async def test_claim_of_a_dead_poster_is_retried_once_it_expires(
    store: Store, client: AsyncWebClient, catalogue: Catalogue, slack_api: FakeSlackApi
) -> None:
    lease = dt.timedelta(minutes=10)
    assert store.claim_slot("weekly", MONDAY, "C1", "dead", lease, now=MONDAY)
    clock = FakeClock(MONDAY + dt.timedelta(minutes=1))
    s = scheduler(store, client, catalogue, clock, lease=lease)
    assert await s.tick() == []
    clock.set(MONDAY + lease + dt.timedelta(seconds=1))
    (outcome,) = await s.tick()
    assert outcome.status == "posted"
    assert len(slack_api.posts) == 1


async def test_crash_between_post_and_mark_does_not_post_again(
    store: Store, client: AsyncWebClient, catalogue: Catalogue, slack_api: FakeSlackApi
) -> None:
    # A poster claimed the slot, noted its attempt, posted, and died before marking it posted.
    lease = dt.timedelta(minutes=10)
    store.claim_slot("weekly", MONDAY, "C1", "dead", lease, now=MONDAY)
    store.start_attempt(
        "weekly", MONDAY, "dead", attempts=1, entry_id="q1", lease_until=MONDAY + lease
    )
    earlier = await client.chat_postMessage(
        channel="C1", text="Q1", metadata=slot_metadata("weekly", MONDAY)
    )
    clock = FakeClock(MONDAY + lease + dt.timedelta(minutes=1))
    (outcome,) = await scheduler(store, client, catalogue, clock, lease=lease).tick()
    assert (outcome.status, outcome.ts) == ("posted", earlier["ts"])
    assert len(slack_api.posts) == 1
    (slot,) = store.slots()
    assert (slot.status, slot.entry_id, slot.message_ts) == ("posted", "q1", earlier["ts"])


async def test_post_whose_answer_was_lost_is_not_posted_twice(
    store: Store, client: AsyncWebClient, catalogue: Catalogue, slack_api: FakeSlackApi
) -> None:
    slack_api.script("chat.postMessage", Scripted.post_then_drop())
    (outcome,) = await scheduler(store, client, catalogue, FakeClock(MONDAY)).tick()
    assert outcome.status == "posted"
    assert len(slack_api.posts) == 1
    assert slack_api.calls_to("conversations.history")


async def test_earlier_post_unknowable_then_it_is_posted(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    slack_api: FakeSlackApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    lease = dt.timedelta(minutes=10)
    store.claim_slot("weekly", MONDAY, "C1", "dead", lease, now=MONDAY)
    store.start_attempt(
        "weekly", MONDAY, "dead", attempts=1, entry_id="q5", lease_until=MONDAY + lease
    )
    slack_api.script("conversations.history", Scripted.slack_error("missing_scope"))
    clock = FakeClock(MONDAY + 2 * lease)
    with caplog.at_level(logging.WARNING, logger="qabot.digest"):
        (outcome,) = await scheduler(store, client, catalogue, clock, lease=lease).tick()
    # It posts the entry the first attempt chose, and says it could not check.
    assert (outcome.status, outcome.entry_id) == ("posted", "q5")
    assert "cannot look for an earlier post" in caplog.text and "missing_scope" in caplog.text


async def test_run_wakes_at_each_due_time_until_stopped(
    store: Store, client: AsyncWebClient, catalogue: Catalogue, slack_api: FakeSlackApi
) -> None:
    stop = asyncio.Event()
    daily = weekly("daily", cron="0 9 * * *")
    end = MONDAY + dt.timedelta(days=3, hours=1)

    class StoppingClock(FakeClock):
        async def sleep(self, seconds: float, stop_: asyncio.Event | None = None) -> None:
            await super().sleep(seconds, stop_)
            if self.current >= end:
                stop.set()

    clock = StoppingClock(MONDAY - dt.timedelta(hours=1))
    s = scheduler(store, client, catalogue, clock, daily, poll_seconds=7 * 24 * 3600)
    await asyncio.wait_for(s.run(stop), timeout=30)
    days = [MONDAY + dt.timedelta(days=d) for d in range(4)]
    assert [slot.due_at for slot in store.slots()] == days
    assert len(slack_api.posts) == 4
    # It slept until each due time, not in small steps.
    assert len(clock.sleeps) == 5


async def test_run_across_spring_forward_posts_at_nine_new_york_time(
    store: Store, client: AsyncWebClient, catalogue: Catalogue, slack_api: FakeSlackApi
) -> None:
    stop = asyncio.Event()
    end = dt.datetime(2026, 3, 17, tzinfo=UTC)

    class StoppingClock(FakeClock):
        async def sleep(self, seconds: float, stop_: asyncio.Event | None = None) -> None:
            await super().sleep(seconds, stop_)
            if self.current >= end:
                stop.set()

    clock = StoppingClock(dt.datetime(2026, 2, 28, tzinfo=UTC))
    s = scheduler(store, client, catalogue, clock, poll_seconds=3600)
    await asyncio.wait_for(s.run(stop), timeout=30)
    slots = store.slots("weekly")
    assert [s.due_at.hour for s in slots] == [14, 13, 13]  # UTC: EST, then EDT
    new_york = [s.due_at.astimezone(weekly().zone).strftime("%a %H:%M") for s in slots]
    assert new_york == ["Mon 09:00"] * 3
    assert [s.entry_id for s in slots] == ["q1", "q2", "q3"]


async def test_a_settled_slot_is_not_claimed_again_on_later_polls(
    store: Store, client: AsyncWebClient, catalogue: Catalogue, slack_api: FakeSlackApi
) -> None:
    claims: list[str] = []

    class CountingStore(Store):
        def claim_slot(self, *args, **kwargs) -> bool:  # type: ignore[no-untyped-def]
            claims.append(args[0])
            return super().claim_slot(*args, **kwargs)

    counting = CountingStore(store.url)
    clock = FakeClock(MONDAY)
    first, other = (
        scheduler(counting, client, catalogue, clock, owner=name) for name in ("a", "b")
    )
    await first.tick()
    for _ in range(5):  # polls within the grace period, by this replica and another
        clock.advance(minutes=1)
        assert await first.tick() == [] and await other.tick() == []
    assert claims == ["weekly"]
    counting.close()
