"""``qabot digest list | preview | post`` as a user runs them."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.content import Catalogue
from bot.digest.due import next_due
from bot.digest.schedule import load_schedules
from bot.digest.scheduler import KIND, Slot
from bot.store import DigestLog, JobStore, Store
from tests.conftest import CONTENT, ROOT
from tests.digest.test_schedule import EXAMPLE, GOOD
from tests.fakes.slack_api import TOKEN, FakeSlackApi, Scripted

ENV = ("SLACK_BOT_TOKEN", "SLACK_API_URL", "QABOT_SCHEDULES", "QABOT_DATABASE_URL")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Settings for the commands: the real content, a schedule file, a fresh SQLite store."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    schedules = tmp_path / "schedules.yaml"
    schedules.write_text(GOOD, encoding="utf-8")
    values = {
        "QABOT_CONTENT": str(CONTENT),
        "QABOT_SCHEDULES": str(schedules),
        "QABOT_DATABASE_URL": f"sqlite:///{tmp_path / 'state.sqlite3'}",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def test_list_shows_each_schedule_with_its_next_due_time(
    env: dict[str, str], catalogue: Catalogue, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["digest", "--schedules", str(EXAMPLE), "list"]) == 0
    out = capsys.readouterr().out
    for schedule in load_schedules(EXAMPLE, catalogue):
        (line,) = [row for row in out.splitlines() if row.startswith(schedule.name + " ")]
        due = next_due(schedule.cron, schedule.zone, dt.datetime.now(dt.UTC))
        assert f"({due:%Y-%m-%d %H:%M} UTC)" in line
        assert due.astimezone(schedule.zone).strftime("%Y-%m-%d %H:%M %Z") in line
    assert out.rstrip().endswith(f"3 schedules in {EXAMPLE}")


def write_job(store: Store, slot: Slot, error: str | None) -> None:
    """A slot's job, as a replica left it: still being tried, or failed with ``error``."""
    now = dt.datetime.now(dt.UTC)
    jobs = JobStore(store)
    jobs.enqueue(
        slot.key, KIND, slot.payload(), owner="x", lease_until=now, expires_at=now, now=now
    )
    if error is not None:
        jobs.finish(slot.key, "x", error)


def test_list_shows_what_became_of_the_last_slot(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store(env["QABOT_DATABASE_URL"])
    store.create_schema()
    due = dt.datetime(2026, 3, 13, 7, 30, tzinfo=dt.UTC)
    DigestLog(store).record("one", due - dt.timedelta(days=1), "C2", "q14", "1.1")
    write_job(store, Slot("one", due, "C2", "q14"), "chat.postMessage failed: not_in_channel")
    DigestLog(store).record("index", due, "C3", None, "1.2")
    write_job(store, Slot("index", due - dt.timedelta(days=7), "C3", None), "earlier")
    write_job(store, Slot("weekly", due, "C1", "q2"), None)
    store.close()
    assert main(["digest", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[-2:] == ["LAST", "SLOT"]
    (one,) = [line for line in lines if line.startswith("one ")]
    assert one.endswith("2026-03-13 08:30 CET failed q14 chat.postMessage failed: not_in_channel")
    (index,) = [line for line in lines if line.startswith("index ")]
    assert index.endswith("2026-03-13 07:30 UTC posted")
    (weekly,) = [line for line in lines if line.startswith("weekly ")]
    assert weekly.endswith("2026-03-13 03:30 EDT pending q2")


def test_list_of_schedules_never_posted(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["digest", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(line.endswith(" -") for line in lines[1:-1])


def test_preview_prints_the_next_rotation_entry_with_its_citation(
    env: dict[str, str], catalogue: Catalogue, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["digest", "preview", "weekly"]) == 0
    out = capsys.readouterr().out
    q1 = catalogue.get("q1")
    assert q1 is not None
    assert out.startswith("Question of the week\n\nQ1: " + q1.question)
    assert q1.answer in out
    assert "U.S. Department of Homeland Security" in out and "Released February 21, 2017" in out
    # Once Q1 has been posted to the channel, the preview moves on to Q2.
    store = Store(env["QABOT_DATABASE_URL"])
    DigestLog(store).record("weekly", dt.datetime.now(dt.UTC), "C1", "q1", "1.1")
    store.close()
    assert main(["digest", "preview", "weekly"]) == 0
    assert "\n\nQ2: " in capsys.readouterr().out


def test_preview_of_the_index(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["digest", "preview", "index"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Q1 ") and "Q22 " in out and "Released February 21, 2017" in out


def test_unknown_name(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["digest", "preview", "nope"]) == 1
    assert "no schedule named 'nope'" in capsys.readouterr().err


def test_invalid_schedule_file_is_reported_by_line(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    Path(env["QABOT_SCHEDULES"]).write_text(GOOD.replace("entry: q14", "entry: q99"))
    assert main(["digest", "list"]) == 1
    err = capsys.readouterr().err.splitlines()
    path = env["QABOT_SCHEDULES"]
    assert err == [
        f"{path}:17: schedule one: unknown entry 'q99' (not in the loaded content)",
        "1 problem found",
    ]


def test_schedule_file_not_configured(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("QABOT_SCHEDULES")
    assert main(["digest", "list"]) == 2
    assert capsys.readouterr().err.startswith("QABOT_SCHEDULES is not set")


def test_post_without_token_is_one_clear_line(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["digest", "post", "weekly"]) == 2
    err = capsys.readouterr().err
    assert err == "SLACK_BOT_TOKEN is not set; qabot digest post needs the bot token\n"


async def _qabot(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_post_now_goes_through_the_web_api_and_is_recorded(
    env: dict[str, str], slack_api: FakeSlackApi
) -> None:
    env = {**env, "SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": slack_api.url}
    code, out, err = await _qabot("digest", "post", "weekly", env=env)
    assert (code, err) == (0, "")
    (first,) = slack_api.posts
    assert out == f"digest weekly: posted to C1 (q1), ts {first.ts}\n"
    assert "Released February 21, 2017" in str(first.blocks)
    assert TOKEN not in out + err
    # Recorded like a scheduled post: the rotation moves on.
    code, out, _ = await _qabot("digest", "post", "weekly", env=env)
    assert code == 0 and "(q2)" in out
    store = Store(env["QABOT_DATABASE_URL"])
    logged = DigestLog(store).posts("weekly")
    assert [(p.entry_id, p.message_ts) for p in logged] == [
        ("q1", first.ts),
        ("q2", slack_api.posts[1].ts),
    ]
    store.close()


async def test_post_to_a_channel_without_the_bot(
    env: dict[str, str], slack_api: FakeSlackApi
) -> None:
    slack_api.refuse("C2", "not_in_channel")
    env = {**env, "SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": slack_api.url}
    code, _, err = await _qabot("digest", "post", "one", env=env)
    assert code == 1
    assert "digest one: cannot post to channel C2: not_in_channel (invite the bot" in err
    assert err.rstrip().endswith("digest one: not posted: chat.postMessage failed: not_in_channel")
    assert len(slack_api.calls_to("chat.postMessage", ok_only=False)) == 1  # refused: not retried


async def test_post_now_is_tried_again_when_slack_fails_for_a_moment(
    env: dict[str, str], slack_api: FakeSlackApi
) -> None:
    slack_api.script("chat.postMessage", Scripted.server_error(), Scripted.rate_limited())
    env = {**env, "SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": slack_api.url}
    code, out, _ = await _qabot("digest", "post", "weekly", env=env)
    assert code == 0 and "(q1)" in out
    attempts = slack_api.calls_to("chat.postMessage", ok_only=False)
    assert [c.status for c in attempts] == [500, 429, 200] and len(slack_api.posts) == 1


async def test_post_now_gives_up_when_slack_keeps_failing(
    env: dict[str, str], slack_api: FakeSlackApi
) -> None:
    slack_api.outage("chat.postMessage", 60)
    env = {**env, "SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": slack_api.url}
    code, _, err = await _qabot("digest", "post", "weekly", env=env)
    assert code == 1
    assert err.rstrip().endswith("digest weekly: not posted: chat.postMessage failed: fatal_error")
    assert len(slack_api.calls_to("chat.postMessage", ok_only=False)) >= 3  # a few quick tries
    # Given up for good: no server sharing the store posts it later, unseen.
    store = Store(env["QABOT_DATABASE_URL"])
    assert JobStore(store).counts() == {"failed": 1}
    store.close()
