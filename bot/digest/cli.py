"""``qabot digest list | preview NAME | post NAME``: look at and post the scheduled digests."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.content import Catalogue
    from bot.digest.schedule import Schedule, Schedules
    from bot.settings import Settings
    from bot.store import DigestPost, Store

# The commands import their modules when run: `qabot ask` need not load the scheduler.

EXIT_INVALID = 1
EXIT_CONFIG = 2
# Someone is waiting at the terminal: a few quick tries (at 1, 3 and 7 s), then report. The job
# is given up then, so no server posts it later, unseen.
_CLI_LIFETIME_S = 10.0
_CLI_POLL_S = 0.2


def add_digest_commands(subparsers: Any) -> None:
    """Add ``digest list``, ``digest preview NAME`` and ``digest post NAME`` to the CLI."""
    digest = subparsers.add_parser("digest", help="list, preview or post the scheduled digests")
    digest.add_argument("--schedules", help="schedule file (default: $QABOT_SCHEDULES)")
    actions = digest.add_subparsers(title="digest commands", metavar="ACTION")

    listing = actions.add_parser("list", help="the schedules and when each is next due")
    listing.set_defaults(handler=_guarded(cmd_list))
    preview = actions.add_parser("preview", help="print the message a digest would post now")
    preview.add_argument("name")
    preview.set_defaults(handler=_guarded(cmd_preview))
    post = actions.add_parser("post", help="post a digest now, recorded like a scheduled post")
    post.add_argument("name")
    post.set_defaults(handler=_guarded(cmd_post))


class _Exit(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _guarded(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    # Failures are printed as lines on stderr with an exit code, never as a traceback.
    def handler(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except _Exit as exc:
            print(str(exc), file=sys.stderr)
            return exc.code

    return handler


def cmd_list(args: argparse.Namespace) -> int:
    import datetime as dt

    from bot.digest.due import next_due

    settings, _, schedules = _load(args)
    store = _store(settings)
    now = dt.datetime.now(dt.UTC)
    rows = [("NAME", "KIND", "CHANNEL", "CRON", "TIME ZONE", "NEXT DUE", "LAST SLOT")]
    for s in schedules:
        due = next_due(s.cron, s.zone, now)
        when = f"{due.astimezone(s.zone):%Y-%m-%d %H:%M %Z} ({due:%Y-%m-%d %H:%M} UTC)"
        kind = f"entry {s.entry}" if s.kind == "entry" else s.kind
        rows.append((s.name, kind, s.channel, s.cron, s.timezone, when, _last(store, s)))
    store.close()
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]))
    print(f"{len(schedules)} schedule{'s' * (len(schedules) != 1)} in {schedules.path}")
    return 0


def _last(store: Store, schedule: Schedule) -> str:
    """The latest slot: when, what became of it (posted, pending or failed), and why when it
    failed; from its job while the store keeps it, else from the log of posts."""
    import datetime as dt

    from bot.digest.scheduler import KIND, Slot
    from bot.store import DigestLog, JobStore

    seen: list[tuple[dt.datetime, tuple[str | None, ...]]] = []
    if posts := DigestLog(store).posts(schedule.name):
        seen.append((posts[-1].due_at, ("posted", posts[-1].entry_id)))
    if newest := JobStore(store).newest(f"{KIND}:{schedule.name}:"):
        job, status, error = newest
        if status != "done":  # a delivered job is in the log of posts, with what was posted
            slot = Slot.from_payload(job.payload)
            seen.append((slot.due_at, (status, slot.entry_id, error)))
    if not seen:
        return "-"
    due_at, fields = max(seen, key=lambda item: item[0])
    what = " ".join(x for x in fields if x)
    return f"{due_at.astimezone(schedule.zone):%Y-%m-%d %H:%M %Z} {what}"


def cmd_preview(args: argparse.Namespace) -> int:
    from bot.digest.message import digest_message, pick_entry
    from bot.render import terminal

    settings, catalogue, schedules = _load(args)
    schedule = _named(schedules, args.name)
    posted: list[str] = []
    if schedule.kind == "rotate":
        from bot.store import DigestLog

        store = _store(settings)
        posted = DigestLog(store).posted_entries(schedule.channel)
        store.close()
    entry = pick_entry(schedule, catalogue, posted)
    sys.stdout.write(terminal.render(digest_message(schedule, catalogue, entry)))
    return 0


def cmd_post(args: argparse.Namespace) -> int:
    import asyncio

    settings, catalogue, schedules = _load(args)
    schedule = _named(schedules, args.name)
    if not settings.slack_bot_token or not settings.slack_bot_token.get_secret_value():
        raise _Exit(
            "SLACK_BOT_TOKEN is not set; qabot digest post needs the bot token", EXIT_CONFIG
        )
    store = _store(settings)
    try:
        post, error = asyncio.run(_post_now(settings, store, schedules, schedule, catalogue))
    finally:
        store.close()
    if post is None:
        raise _Exit(f"digest {schedule.name}: not posted: {error}", EXIT_INVALID)
    what = f" ({post.entry_id})" if post.entry_id else ""
    print(f"digest {schedule.name}: posted to {post.channel}{what}, ts {post.message_ts}")
    return 0


async def _post_now(
    settings: Settings,
    store: Store,
    schedules: Schedules,
    schedule: Schedule,
    catalogue: Catalogue,
) -> tuple[DigestPost | None, str | None]:
    """Post a slot of its own, at this instant, as a job like any other; the post, or the
    error that stopped it."""
    import asyncio
    import datetime as dt

    from slack_sdk.web.async_client import AsyncWebClient

    from bot.digest.scheduler import Scheduler, slot_key
    from bot.slack.jobs import JobPolicy, JobRunner
    from bot.slack.posting import posting_own_retries
    from bot.store import DigestLog, JobStore

    assert settings.slack_bot_token is not None
    client = posting_own_retries(
        AsyncWebClient(
            token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url
        )
    )
    jobs = JobRunner(
        JobStore(store),
        asyncio.to_thread,
        lambda coro, name: asyncio.ensure_future(coro),  # unused: no sweep runs here
        policy=JobPolicy(base_seconds=1.0, max_seconds=4.0),
    )
    scheduler = Scheduler(
        schedules,
        store,
        client,
        lambda: catalogue,
        jobs,
        grace=dt.timedelta(minutes=settings.digest_grace_minutes),
        lifetime=dt.timedelta(seconds=_CLI_LIFETIME_S),
    )
    # A manual post is a slot of its own, at this instant; it never stands in for a cron slot.
    now = dt.datetime.now(dt.UTC)
    await scheduler.submit(schedule, now)
    key = slot_key(schedule.name, now)
    # Tried again here until posted or given up: past its lifetime the job fails for good.
    while (state := await asyncio.to_thread(jobs.jobs.status, key)) and state[0] == "pending":
        if not await jobs.run_if_due(key):
            await asyncio.sleep(_CLI_POLL_S)
    post = await asyncio.to_thread(DigestLog(store).post, schedule.name, now)
    return post, state[2] if state else "the store could not keep the job"


def _load(args: argparse.Namespace) -> tuple[Settings, Catalogue, Schedules]:
    from pathlib import Path

    from bot.content import ContentError, load_catalogue
    from bot.digest.schedule import ScheduleError, load_schedules
    from bot.settings import SettingsError, load_settings

    overrides: dict[str, object] = {}
    if getattr(args, "content", None):
        overrides["QABOT_CONTENT"] = args.content
    if getattr(args, "schedules", None):
        overrides["QABOT_SCHEDULES"] = args.schedules
    try:
        settings = load_settings(**overrides)
    except SettingsError as exc:
        raise _Exit(str(exc), EXIT_CONFIG) from None
    if settings.schedules is None:
        raise _Exit(
            "QABOT_SCHEDULES is not set; point it at a schedule file "
            "(example: deploy/schedules.example.yaml) or pass --schedules PATH",
            EXIT_CONFIG,
        )
    try:
        catalogue = load_catalogue(settings.content)
    except ContentError as exc:
        raise _Exit(f"{exc}\ncontent is invalid; fix it and run: qabot content check", 1) from None
    try:
        schedules = load_schedules(Path(settings.schedules), catalogue)
    except ScheduleError as exc:
        count = len(exc.problems)
        raise _Exit(f"{exc}\n{count} problem{'s' * (count != 1)} found", EXIT_INVALID) from None
    return settings, catalogue, schedules


def _named(schedules: Schedules, name: str) -> Schedule:
    schedule = schedules.get(name)
    if schedule is None:
        known = ", ".join(s.name for s in schedules) or "none"
        raise _Exit(f"no schedule named {name!r} in {schedules.path} (known: {known})", 1)
    return schedule


def _store(settings: Settings) -> Store:
    from bot.store import Store, StoreError

    try:
        store = Store(settings.database_url)
        store.create_schema()
    except StoreError as exc:
        raise _Exit(str(exc), EXIT_CONFIG) from None
    return store
