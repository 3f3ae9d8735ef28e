"""Exactly once for real: two replicas racing on one database (SQLite, then PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys

import aiohttp

from bot.content import Catalogue
from bot.digest.scheduler import Scheduler
from bot.slack.posting import posting_own_retries, web_client
from bot.store import DigestLog, JobStore, Store
from tests.conftest import ROOT
from tests.digest.clock import FakeClock
from tests.digest.conftest import MakeRunner
from tests.digest.racer import EXPECTED, SCHEDULES, STEPS, T0
from tests.fakes.slack_api import TOKEN, FakeSlackApi


async def test_two_replicas_post_every_slot_exactly_once(
    store_url: str, catalogue: Catalogue, slack_api: FakeSlackApi, make_runner: MakeRunner
) -> None:
    clock = FakeClock(T0)
    stores = [Store(store_url), Store(store_url)]
    for s in stores:
        s.create_schema()  # both at start, as two replicas would
    session = aiohttp.ClientSession()
    replicas = [
        Scheduler(
            SCHEDULES,
            store,
            posting_own_retries(web_client(TOKEN, slack_api.url, session)),  # as `serve` builds it
            lambda: catalogue,
            make_runner(store, owner=f"replica-{n}"),
            grace=dt.timedelta(hours=6),
            clock=clock,
        )
        for n, store in enumerate(stores)
    ]
    ran = []
    for now in STEPS:
        clock.set(now)
        for result in await asyncio.gather(*(r.tick() for r in replicas)):
            ran.extend(result)

    slots = {
        (p.metadata["event_payload"]["schedule"], p.metadata["event_payload"]["due_at"])
        for p in slack_api.posts
        if p.metadata is not None
    }
    assert len(slack_api.posts) == EXPECTED
    assert len(slots) == EXPECTED
    # Each slot's job was written and run by one replica; the other found it there.
    assert len(ran) == len({slot.key for slot in ran}) == EXPECTED
    assert JobStore(stores[0]).counts() == {"done": EXPECTED}
    assert len(DigestLog(stores[0]).posts()) == EXPECTED
    # The rotation stayed in order although either replica may have posted any slot.
    rotated = [p.entry_id for p in DigestLog(stores[1]).posts("rotate")]
    assert rotated == [e.id for e in catalogue.entries[:12]]
    assert [p.channel for p in slack_api.posts].count("C3") == 6
    for s in stores:
        s.close()
    await session.close()


async def test_two_replica_processes_post_every_slot_exactly_once(
    store_url: str, slack_api: FakeSlackApi
) -> None:
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.digest.racer",
            store_url,
            slack_api.url,
            f"process-{n}",
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for n in range(2)
    ]
    for proc in procs:
        assert proc.stdout is not None
        assert await asyncio.wait_for(proc.stdout.readline(), 60) == b"ready\n"
    for proc in procs:  # both start ticking at once
        assert proc.stdin is not None
        proc.stdin.write(b"go\n")
        await proc.stdin.drain()
    results = [await asyncio.wait_for(proc.communicate(), 60) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0]
    posted_by = [int(out.decode().strip()) for out, _ in results]
    assert sum(posted_by) == EXPECTED
    slots = {
        (p.metadata["event_payload"]["schedule"], p.metadata["event_payload"]["due_at"])
        for p in slack_api.posts
        if p.metadata is not None
    }
    assert len(slack_api.posts) == len(slots) == EXPECTED
    store = Store(store_url)
    assert JobStore(store).counts() == {"done": EXPECTED}
    assert len(DigestLog(store).posts()) == EXPECTED
    store.close()
