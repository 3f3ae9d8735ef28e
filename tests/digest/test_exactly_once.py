"""Exactly once for real: two replicas racing on one database (SQLite, then PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt

from slack_sdk.web.async_client import AsyncWebClient

from bot.content import Catalogue
from bot.digest.schedule import Schedule, Schedules
from bot.digest.scheduler import Scheduler
from bot.store import Store
from tests.digest.conftest import FakeClock
from tests.digest.fake_web_api import TOKEN, FakeWebApi

T0 = dt.datetime(2026, 3, 8, 0, 0, tzinfo=dt.UTC)
SCHEDULES = Schedules(
    tuple(
        Schedule.model_validate(spec)
        for spec in (
            {"name": "rotate", "channel": "C1", "cron": "*/10 * * * *", "kind": "rotate"},
            {"name": "index", "channel": "C2", "cron": "*/15 * * * *", "kind": "index"},
            {
                "name": "pep",
                "channel": "C3",
                "cron": "*/20 * * * *",
                "kind": "entry",
                "entry": "q14",
            },
        )
    )
)
# Steps of five minutes from 00:00 to 01:55: 12 + 8 + 6 due slots.
STEPS = [T0 + dt.timedelta(minutes=5 * k) for k in range(24)]
EXPECTED = 12 + 8 + 6


async def test_two_replicas_post_every_slot_exactly_once(
    store_url: str, catalogue: Catalogue, web_api: FakeWebApi
) -> None:
    clock = FakeClock(T0)
    stores = [Store(store_url), Store(store_url)]
    for s in stores:
        s.create_schema()  # both at start, as two replicas would
    replicas = [
        Scheduler(
            SCHEDULES,
            store,
            AsyncWebClient(token=TOKEN, base_url=web_api.url, retry_handlers=[]),
            lambda: catalogue,
            grace=dt.timedelta(hours=6),
            clock=clock,
            owner=f"replica-{n}",
        )
        for n, store in enumerate(stores)
    ]
    outcomes = []
    for now in STEPS:
        clock.set(now)
        for result in await asyncio.gather(*(r.tick() for r in replicas)):
            outcomes.extend(result)

    slots = {
        (p["metadata"]["event_payload"]["schedule"], p["metadata"]["event_payload"]["due_at"])
        for p in web_api.posts
    }
    assert len(web_api.posts) == EXPECTED
    assert len(slots) == EXPECTED
    assert len(outcomes) == EXPECTED and {o.status for o in outcomes} == {"posted"}
    recorded = stores[0].slots()
    assert len(recorded) == EXPECTED and {r.status for r in recorded} == {"posted"}
    # The rotation stayed in order although either replica may have posted any slot.
    rotated = [r.entry_id for r in stores[1].slots("rotate")]
    assert rotated == [e.id for e in catalogue.entries[:12]]
    assert [p["channel"] for p in web_api.posts].count("C3") == 6
    for s in stores:
        s.close()
