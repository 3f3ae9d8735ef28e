"""The entry point ``qabot serve`` starts: real clock, settings, store; stops when told."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.content import Catalogue
from bot.digest.schedule import ScheduleError
from bot.digest.scheduler import build_scheduler, run_scheduler
from bot.settings import Settings
from bot.store import Store
from tests.fakes.slack_api import FakeSlackApi

EVERY_MINUTE = """\
schedules:
- name: minutely
  channel: C1
  cron: "* * * * *"
  kind: entry
  entry: q3
"""


def settings_for(tmp_path: Path, schedules: str | None) -> Settings:
    path = None
    if schedules is not None:
        path = tmp_path / "schedules.yaml"
        path.write_text(schedules, encoding="utf-8")
    return Settings(
        QABOT_SCHEDULES=path,
        QABOT_DATABASE_URL=f"sqlite:///{tmp_path / 'state.sqlite3'}",
        QABOT_DIGEST_GRACE_MINUTES=5,
    )


async def test_posts_the_due_slot_and_stops_when_told(
    tmp_path: Path, client: AsyncWebClient, catalogue: Catalogue, slack_api: FakeSlackApi
) -> None:
    settings = settings_for(tmp_path, EVERY_MINUTE)
    stop = asyncio.Event()
    task = asyncio.create_task(run_scheduler(settings, client, lambda: catalogue, stop))
    # The slot of the current minute is within the grace period: it is posted at once.
    await slack_api.wait_for("chat.postMessage")
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    assert slack_api.posts[0].channel == "C1"
    store = Store(settings.database_url)
    assert [(s.schedule, s.status, s.entry_id) for s in store.slots()][:1] == [
        ("minutely", "posted", "q3")
    ]
    store.close()


async def test_without_a_schedule_file_it_returns_at_once(
    tmp_path: Path, client: AsyncWebClient, catalogue: Catalogue
) -> None:
    settings = settings_for(tmp_path, None)
    await asyncio.wait_for(run_scheduler(settings, client, lambda: catalogue, asyncio.Event()), 10)
    assert build_scheduler(settings, client, lambda: catalogue) is None


def test_invalid_schedule_file_refuses_to_start(
    tmp_path: Path, client: AsyncWebClient, catalogue: Catalogue
) -> None:
    settings = settings_for(tmp_path, EVERY_MINUTE.replace("q3", "q404"))
    with pytest.raises(ScheduleError) as info:
        build_scheduler(settings, client, lambda: catalogue)
    assert [p.line for p in info.value.problems] == [6]
