"""The scheduler against a real store, its job runner and the Web API stand-in, on a clock that
never waits: due slots become reply jobs, delivered and retried by the runner."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.content import Catalogue
from bot.digest.message import slot_metadata
from bot.digest.schedule import Schedule, Schedules
from bot.digest.scheduler import KIND, LIFETIME, Scheduler, Slot, slot_key
from bot.observability.metrics import Metrics
from bot.slack.jobs import JobRunner
from bot.slack.posting import posting_own_retries, web_client
from bot.store import DigestLog, JobStore, Store
from tests.digest.clock import FakeClock
from tests.digest.conftest import MakeRunner, sweep_until
from tests.fakes.slack_api import TOKEN, FakeSlackApi, Scripted
from tests.observability.test_endpoints import closed_port
from tests.observability.test_metrics import samples

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
    runner: JobRunner,
    *schedules: Schedule,
    **options: object,
) -> Scheduler:
    return Scheduler(
        Schedules(schedules or (weekly(),)),
        store,
        client,
        lambda: catalogue,
        runner,
        grace=GRACE,
        clock=clock,
        **options,  # type: ignore[arg-type]
    )


def job(store: Store, schedule: str = "weekly", due_at: dt.datetime = MONDAY):
    """Status, attempts and last error of a slot's job."""
    return JobStore(store).status(slot_key(schedule, due_at))


def posted(store: Store, schedule: str | None = None) -> list[str | None]:
    return [p.entry_id for p in DigestLog(store).posts(schedule)]


def leave_job(store: Store, entry: str, lease: dt.timedelta) -> Slot:
    """The job of Monday's slot, as a replica that died while running it left it."""
    slot = Slot("weekly", MONDAY, "C1", entry)
    now = dt.datetime.now(UTC)
    JobStore(store).enqueue(
        slot.key,
        KIND,
        slot.payload(),
        owner="dead",
        lease_until=now + lease,
        expires_at=now + LIFETIME,
        now=now,
    )
    return slot


async def test_due_slot_is_posted_once_as_a_job(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    slack_api: FakeSlackApi,
    make_runner: MakeRunner,
) -> None:
    clock = FakeClock(MONDAY + dt.timedelta(seconds=20))
    s = scheduler(store, client, catalogue, clock, make_runner(store))
    (slot,) = await s.tick()
    assert (slot.due_at, slot.entry_id) == (MONDAY, "q1")
    assert slot.key == "digest:weekly:2026-03-09T13:00:00+00:00"
    assert await s.tick() == []
    clock.advance(hours=1)
    assert await s.tick() == []
    (post,) = slack_api.posts
    assert post.channel == "C1"
    assert post.metadata == slot_metadata("weekly", MONDAY)
    assert catalogue.get("q1").answer in post.text
    assert job(store) == ("done", 1, None)
    (logged,) = DigestLog(store).posts("weekly")
    assert (logged.due_at, logged.entry_id, logged.message_ts) == (MONDAY, "q1", post.ts)


def test_a_slot_key_is_the_same_on_every_replica_and_fits_the_job_table() -> None:
    new_york = MONDAY.astimezone(weekly().zone)
    assert slot_key("weekly", new_york) == slot_key("weekly", MONDAY)
    assert slot_key("weekly", MONDAY) != slot_key("weekly", MONDAY + WEEK)
    longest = slot_key("n" * 128, MONDAY + dt.timedelta(microseconds=1))
    assert len(longest) <= 255


async def test_nothing_posted_before_the_due_time(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    slack_api: FakeSlackApi,
    make_runner: MakeRunner,
) -> None:
    clock = FakeClock(MONDAY - dt.timedelta(seconds=1))
    s = scheduler(store, client, catalogue, clock, make_runner(store))
    assert await s.tick() == []
    assert slack_api.calls == [] and JobStore(store).counts() == {}


async def test_catch_up_after_downtime_posts_the_latest_slot_once(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    slack_api: FakeSlackApi,
    make_runner: MakeRunner,
) -> None:
    clock = FakeClock(MONDAY)
    s = scheduler(store, client, catalogue, clock, make_runner(store))
    await s.tick()
    # Down for three weeks, back two hours after the third missed Monday.
    clock.set(MONDAY + 3 * WEEK + dt.timedelta(hours=2))
    (slot,) = await s.tick()
    assert slot.due_at == MONDAY + 3 * WEEK
    assert await s.tick() == []
    assert [p.due_at for p in DigestLog(store).posts()] == [MONDAY, MONDAY + 3 * WEEK]
    assert len(slack_api.posts) == 2


async def test_slot_older_than_the_grace_period_is_skipped(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    slack_api: FakeSlackApi,
    make_runner: MakeRunner,
) -> None:
    clock = FakeClock(MONDAY + GRACE + dt.timedelta(minutes=1))
    s = scheduler(store, client, catalogue, clock, make_runner(store))
    assert await s.tick() == []
    assert slack_api.posts == [] and DigestLog(store).posts() == []


async def test_rotation_continues_after_a_restart(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    slack_api: FakeSlackApi,
    make_runner: MakeRunner,
) -> None:
    clock = FakeClock(MONDAY)
    index = weekly("index", kind="index", cron="0 9 * * 2")  # same channel, no entry
    first = scheduler(store, client, catalogue, clock, make_runner(store), weekly(), index)
    for day in range(10):
        clock.set(MONDAY + dt.timedelta(days=day))
        await first.tick()
    # A new process with a store of its own, on the same database.
    again = Store(store.url)
    runner = make_runner(again, owner="replica-b")
    second = scheduler(again, client, catalogue, clock, runner, weekly(), index)
    for day in range(10, 21):
        clock.set(MONDAY + dt.timedelta(days=day))
        await second.tick()
    again.close()
    assert posted(store, "weekly") == ["q1", "q2", "q3"]
    assert posted(store, "index") == [None] * 3
    assert len(slack_api.posts_to("C1")) == 6


async def test_rotation_repeats_only_after_every_entry(
    store: Store, client: AsyncWebClient, catalogue: Catalogue, make_runner: MakeRunner
) -> None:
    clock = FakeClock(MONDAY)
    s = scheduler(store, client, catalogue, clock, make_runner(store))
    for week in range(len(catalogue) + 2):
        clock.set(MONDAY + week * WEEK)
        await s.tick()
    assert posted(store, "weekly") == [e.id for e in catalogue.entries] + ["q1", "q2"]


async def test_rate_limit_and_server_errors_are_retried_with_growing_backoff(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    slack_api: FakeSlackApi,
    make_runner: MakeRunner,
) -> None:
    slack_api.script(
        "chat.postMessage",
        Scripted.rate_limited(),
        Scripted.slack_error("internal_error", status=500),
        Scripted(503, body="upstream unavailable"),
    )
    metrics = Metrics()
    runner = make_runner(store, metrics=metrics)
    s = scheduler(store, client, catalogue, FakeClock(MONDAY), runner)
    await s.tick()
    assert job(store) == ("pending", 1, "chat.postMessage failed: ratelimited")
    await sweep_until(runner, lambda: job(store)[0] != "pending")
    assert job(store) == ("done", 4, None)
    # Counted as digests, apart from the replies to people.
    counted = samples(metrics)
    assert counted[("qabot_reply_retries_total", frozenset({("kind", "digest")}))] == 3
    delivered = frozenset({("kind", "digest"), ("result", "delivered")})
    assert counted[("qabot_reply_jobs_total", delivered)] == 1
    attempts = slack_api.calls_to("chat.postMessage", ok_only=False)
    assert [c.status for c in attempts] == [429, 500, 503, 200]
    # Each retry waited for its turn, twice as long as the one before.
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(attempts)]
    waits = [runner.policy.delay(n).total_seconds() for n in (1, 2, 3)]
    assert [gap >= wait for gap, wait in zip(gaps, waits, strict=True)] == [True] * 3
    assert len(slack_api.posts) == 1 and posted(store) == ["q1"]


async def test_a_rate_limited_post_waits_as_long_as_slack_asks(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    slack_api: FakeSlackApi,
    make_runner: MakeRunner,
) -> None:
    slack_api.script("chat.postMessage", Scripted.rate_limited(retry_after=1))
    runner = make_runner(store)
    assert runner.policy.delay(1).total_seconds() < 1  # the backoff alone would come back sooner
    s = scheduler(store, client, catalogue, FakeClock(MONDAY), runner)
    await s.tick()
    await sweep_until(runner, lambda: job(store)[0] != "pending")
    assert job(store) == ("done", 2, None)
    first, second = slack_api.calls_to("chat.postMessage", ok_only=False)
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 1.0


async def test_a_retry_posts_the_entry_chosen_when_the_slot_was_due(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    slack_api: FakeSlackApi,
    make_runner: MakeRunner,
) -> None:
    slack_api.script("chat.postMessage", Scripted.server_error())
    runner = make_runner(store)
    s = scheduler(store, client, catalogue, FakeClock(MONDAY), runner)
    (slot,) = await s.tick()
    assert slot.entry_id == "q1"
    # Meanwhile another schedule posts q1 to the channel: the rotation alone would now say q2.
    DigestLog(store).record("other", MONDAY, "C1", "q1", "1.1")
    await sweep_until(runner, lambda: job(store)[0] != "pending")
    (post,) = slack_api.posts
    assert post.text is not None and post.text.startswith("Q1: ")
    assert DigestLog(store).post("weekly", MONDAY).entry_id == "q1"


async def test_a_job_found_past_its_lifetime_is_given_up_unposted_and_counted(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    slack_api: FakeSlackApi,
    make_runner: MakeRunner,
) -> None:
    # Every replica was down for longer than a digest is wanted.
    slot = Slot("weekly", MONDAY, "C1", "q1")
    now = dt.datetime.now(UTC)
    JobStore(store).enqueue(
        slot.key, KIND, slot.payload(), owner="dead", lease_until=now, expires_at=now, now=now
    )
    metrics = Metrics()
    runner = make_runner(store, metrics=metrics)
    scheduler(store, client, catalogue, FakeClock(MONDAY), runner)  # its handler is registered
    await sweep_until(runner, lambda: job(store)[0] != "pending")
    assert job(store) == ("failed", 1, "expired")
    assert slack_api.posts == [] and posted(store) == []
    failed = frozenset({("kind", "digest"), ("result", "failed")})
    assert samples(metrics)[("qabot_reply_jobs_total", failed)] == 1


async def test_slack_out_of_reach_is_retried_until_it_is_back(
    store: Store, catalogue: Catalogue, make_runner: MakeRunner
) -> None:
    port = closed_port()
    runner = make_runner(store)
    async with aiohttp.ClientSession() as session:
        client = posting_own_retries(web_client(TOKEN, f"http://127.0.0.1:{port}/api/", session))
        s = scheduler(store, client, catalogue, FakeClock(MONDAY), runner)
        await s.tick()  # the client's own tries at connecting are used up
        status, attempts, error = job(store)
        assert (status, attempts) == ("pending", 1) and "ClientConnectorError" in str(error)
        api = FakeSlackApi(token=TOKEN)
        await api.start(port)
        try:
            await sweep_until(runner, lambda: job(store)[0] != "pending")
            assert job(store)[:2] == ("done", 2)
            assert len(api.posts) == 1 and posted(store) == ["q1"]
        finally:
            await api.stop()


async def test_a_slot_slack_keeps_failing_is_given_up_at_the_end_of_its_lifetime(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    slack_api: FakeSlackApi,
    make_runner: MakeRunner,
) -> None:
    slack_api.outage("chat.postMessage", 60)
    runner = make_runner(store)
    lifetime = dt.timedelta(seconds=1)
    s = scheduler(store, client, catalogue, FakeClock(MONDAY), runner, lifetime=lifetime)
    await s.tick()
    await sweep_until(runner, lambda: job(store)[0] != "pending")
    status, attempts, _ = job(store)
    assert status == "failed" and attempts >= 3  # retried while it lived, then given up
    assert slack_api.posts == [] and posted(store) == []


async def test_refused_channels_are_logged_not_retried_and_others_still_post(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    slack_api: FakeSlackApi,
    make_runner: MakeRunner,
    caplog: pytest.LogCaptureFixture,
) -> None:
    slack_api.refuse("CX", "not_in_channel")
    slack_api.refuse("CY", "channel_not_found")
    slack_api.refuse("CZ", "is_archived")
    schedules = (
        weekly("outside", "CX"),
        weekly("gone", "CY"),
        weekly("archived", "CZ"),
        weekly("fine", "C1"),
    )
    metrics = Metrics()
    runner = make_runner(store, metrics=metrics)
    clock = FakeClock(MONDAY)
    s = scheduler(store, client, catalogue, clock, runner, *schedules)
    with caplog.at_level(logging.ERROR, logger="qabot.digest"):
        await s.tick()
    assert "digest outside: cannot post to channel CX: not_in_channel (invite the bot" in (
        caplog.text
    )
    assert "digest gone: cannot post to channel CY: channel_not_found (check the" in caplog.text
    assert "digest archived: cannot post to channel CZ: is_archived (the channel" in caplog.text
    assert job(store, "outside") == ("failed", 1, "chat.postMessage failed: not_in_channel")
    assert job(store, "gone")[0] == job(store, "archived")[0] == "failed"
    assert job(store, "fine")[0] == "done"
    assert posted(store) == ["q1"]
    # What the digest alert watches: three given up, one delivered.
    counted = samples(metrics)
    assert (
        counted[("qabot_reply_jobs_total", frozenset({("kind", "digest"), ("result", "failed")}))]
        == 3
    )
    assert (
        counted[
            ("qabot_reply_jobs_total", frozenset({("kind", "digest"), ("result", "delivered")}))
        ]
        == 1
    )
    # Refused for good: neither the sweep nor later polls try them again.
    calls = len(slack_api.calls)
    for _ in range(5):
        await runner.sweep_once()
        clock.advance(minutes=30)
        assert await s.tick() == []
    assert len(slack_api.calls) == calls


async def test_job_of_a_dead_replica_is_taken_over_once_its_lease_runs_out(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    slack_api: FakeSlackApi,
    make_runner: MakeRunner,
) -> None:
    leave_job(store, "q1", lease=dt.timedelta(seconds=1))
    runner = make_runner(store)
    s = scheduler(store, client, catalogue, FakeClock(MONDAY + dt.timedelta(minutes=1)), runner)
    assert await s.tick() == []  # the slot has its job: only the holder, or a sweep, runs it
    assert await runner.sweep_once() == 0 and slack_api.posts == []
    await sweep_until(runner, lambda: job(store)[0] != "pending")
    assert job(store)[:2] == ("done", 2)
    assert len(slack_api.posts) == 1 and posted(store) == ["q1"]


async def test_crash_between_post_and_mark_does_not_post_again(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    slack_api: FakeSlackApi,
    make_runner: MakeRunner,
) -> None:
    # A replica wrote the job, posted, and died before marking it done.
    leave_job(store, "q1", lease=dt.timedelta(0))
    earlier = await client.chat_postMessage(
        channel="C1", text="Q1", metadata=slot_metadata("weekly", MONDAY)
    )
    runner = make_runner(store)
    scheduler(store, client, catalogue, FakeClock(MONDAY), runner)  # registers the handler
    await sweep_until(runner, lambda: job(store)[0] != "pending")
    assert len(slack_api.posts) == 1
    assert slack_api.calls_to("conversations.history")
    (logged,) = DigestLog(store).posts()
    assert (logged.entry_id, logged.message_ts) == ("q1", earlier["ts"])


async def test_post_whose_answer_was_lost_is_not_posted_twice(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    slack_api: FakeSlackApi,
    make_runner: MakeRunner,
) -> None:
    slack_api.script("chat.postMessage", Scripted.post_then_drop())
    runner = make_runner(store)
    await scheduler(store, client, catalogue, FakeClock(MONDAY), runner).tick()
    assert job(store)[0] == "pending"
    await sweep_until(runner, lambda: job(store)[0] != "pending")
    assert job(store)[:2] == ("done", 2)
    assert len(slack_api.posts) == 1
    assert slack_api.calls_to("conversations.history")
    (logged,) = DigestLog(store).posts()
    assert logged.message_ts == slack_api.posts[0].ts


async def test_earlier_post_unknowable_then_it_is_posted(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    slack_api: FakeSlackApi,
    make_runner: MakeRunner,
    caplog: pytest.LogCaptureFixture,
) -> None:
    leave_job(store, "q5", lease=dt.timedelta(0))
    slack_api.script("conversations.history", Scripted.slack_error("missing_scope"))
    runner = make_runner(store)
    scheduler(store, client, catalogue, FakeClock(MONDAY), runner)
    with caplog.at_level(logging.WARNING, logger="qabot.digest"):
        await sweep_until(runner, lambda: job(store)[0] != "pending")
    # It posts the entry chosen when the job was written, and says it could not check.
    assert posted(store) == ["q5"] and len(slack_api.posts) == 1
    assert "cannot look for an earlier post" in caplog.text and "missing_scope" in caplog.text


async def test_run_wakes_at_each_due_time_until_stopped(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    slack_api: FakeSlackApi,
    make_runner: MakeRunner,
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
    runner = make_runner(store)
    s = scheduler(store, client, catalogue, clock, runner, daily, poll_seconds=7 * 24 * 3600)
    await asyncio.wait_for(s.run(stop), timeout=30)
    days = [MONDAY + dt.timedelta(days=d) for d in range(4)]
    assert [p.due_at for p in DigestLog(store).posts()] == days
    assert len(slack_api.posts) == 4
    # It slept until each due time, not in small steps.
    assert len(clock.sleeps) == 5


async def test_run_across_spring_forward_posts_at_nine_new_york_time(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    slack_api: FakeSlackApi,
    make_runner: MakeRunner,
) -> None:
    stop = asyncio.Event()
    end = dt.datetime(2026, 3, 17, tzinfo=UTC)

    class StoppingClock(FakeClock):
        async def sleep(self, seconds: float, stop_: asyncio.Event | None = None) -> None:
            await super().sleep(seconds, stop_)
            if self.current >= end:
                stop.set()

    clock = StoppingClock(dt.datetime(2026, 2, 28, tzinfo=UTC))
    s = scheduler(store, client, catalogue, clock, make_runner(store), poll_seconds=3600)
    await asyncio.wait_for(s.run(stop), timeout=30)
    posts = DigestLog(store).posts("weekly")
    assert [p.due_at.hour for p in posts] == [14, 13, 13]  # UTC: EST, then EDT
    new_york = [p.due_at.astimezone(weekly().zone).strftime("%a %H:%M") for p in posts]
    assert new_york == ["Mon 09:00"] * 3
    assert [p.entry_id for p in posts] == ["q1", "q2", "q3"]


async def test_a_slot_with_a_job_is_not_written_again_on_later_polls(
    store: Store, client: AsyncWebClient, catalogue: Catalogue, make_runner: MakeRunner
) -> None:
    written: list[str] = []

    class CountingJobs(JobStore):
        def enqueue(self, key: str, *args, **kwargs):
            written.append(key)
            return super().enqueue(key, *args, **kwargs)

    clock = FakeClock(MONDAY)
    first, other = (make_runner(store, owner=name) for name in ("a", "b"))
    other.jobs = CountingJobs(store)
    first.jobs = CountingJobs(store)
    replicas = [scheduler(store, client, catalogue, clock, r) for r in (first, other)]
    await replicas[0].tick()
    for _ in range(5):  # polls within the grace period, by this replica and another
        clock.advance(minutes=1)
        assert [await r.tick() for r in replicas] == [[], []]
    assert written == [slot_key("weekly", MONDAY)]


async def test_a_posted_slot_whose_job_was_purged_is_not_posted_again(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    slack_api: FakeSlackApi,
    make_runner: MakeRunner,
) -> None:
    clock = FakeClock(MONDAY)
    await scheduler(store, client, catalogue, clock, make_runner(store)).tick()
    JobStore(store).purge(dt.datetime.now(UTC) + dt.timedelta(seconds=1))
    assert JobStore(store).counts() == {}
    # A process started after the purge, still within the slot's grace period.
    again = scheduler(store, client, catalogue, clock, make_runner(store, owner="replica-b"))
    assert await again.tick() == []
    assert len(slack_api.posts) == 1


async def test_a_replica_without_schedules_leaves_digest_jobs_to_those_with_them(
    store: Store,
    client: AsyncWebClient,
    catalogue: Catalogue,
    slack_api: FakeSlackApi,
    make_runner: MakeRunner,
) -> None:
    leave_job(store, "q1", lease=dt.timedelta(0))
    without = make_runner(store, owner="no-schedules")
    assert await without.sweep_once() == 0
    assert job(store) == ("pending", 1, None) and slack_api.calls == []
    runner = make_runner(store)
    scheduler(store, client, catalogue, FakeClock(MONDAY), runner)
    await sweep_until(runner, lambda: job(store)[0] != "pending")
    assert posted(store) == ["q1"]
