"""One replica in a process of its own, for the race test: ``python -m tests.digest.racer``.

It prepares, prints ``ready``, waits for a line on stdin so that both replicas start together,
ticks through the race test's clock steps, and prints how many slots' jobs it wrote and ran.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path

import aiohttp

from bot.content import load_catalogue
from bot.digest.schedule import Schedule, Schedules
from bot.digest.scheduler import Scheduler
from bot.slack.jobs import JobRunner
from bot.slack.posting import posting_own_retries, web_client
from bot.store import JobStore, Store
from tests.digest.clock import FakeClock
from tests.fakes.slack_api import TOKEN

CONTENT = Path(__file__).resolve().parents[2] / "content" / "qa.yaml"

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


async def race(database_url: str, api_url: str, owner: str) -> int:
    catalogue = load_catalogue(CONTENT)
    store = Store(database_url)
    store.create_schema()
    clock = FakeClock(STEPS[0])
    session = aiohttp.ClientSession()
    client = posting_own_retries(web_client(TOKEN, api_url, session))  # as `serve` builds it
    # Nothing fails here, so no sweep is needed, and nothing is ever spawned.
    runner = JobRunner(JobStore(store), asyncio.to_thread, lambda coro, name: None, owner=owner)
    replica = Scheduler(
        SCHEDULES,
        store,
        client,
        lambda: catalogue,
        runner,
        grace=dt.timedelta(hours=6),
        clock=clock,
    )
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)
    ran = 0
    for now in STEPS:
        clock.set(now)
        ran += len(await replica.tick())
    store.close()
    await session.close()
    return ran


if __name__ == "__main__":
    print(asyncio.run(race(*sys.argv[1:4])), flush=True)
