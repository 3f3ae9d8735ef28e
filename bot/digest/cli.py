"""``qabot digest list | preview NAME | post NAME``: look at and post the scheduled digests."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.content import Catalogue
    from bot.digest.schedule import Schedule, Schedules
    from bot.digest.scheduler import Outcome
    from bot.settings import Settings
    from bot.store import Store

# The commands import their modules when run: `qabot ask` need not load the scheduler.

EXIT_INVALID = 1
EXIT_CONFIG = 2
# Someone is waiting at the terminal: a few quick tries, then report.
_CLI_ATTEMPTS = 3


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
    """The latest recorded slot: when, what became of it, and why when it failed."""
    slots = store.slots(schedule.name)
    if not slots:
        return "-"
    last = slots[-1]
    what = " ".join(x for x in (last.status, last.entry_id, last.error) if x)
    return f"{last.due_at.astimezone(schedule.zone):%Y-%m-%d %H:%M %Z} {what}"


def cmd_preview(args: argparse.Namespace) -> int:
    from bot.digest.message import digest_message, pick_entry
    from bot.render import terminal

    settings, catalogue, schedules = _load(args)
    schedule = _named(schedules, args.name)
    posted: list[str] = []
    if schedule.kind == "rotate":
        store = _store(settings)
        posted = store.posted_entries(schedule.channel)
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
        outcome = asyncio.run(_post_now(settings, store, schedules, schedule, catalogue))
        if outcome is not None and outcome.status == "retry":
            # Nobody retries a manual slot later; record it as failed, with its error.
            store.finish_slot(
                schedule.name,
                outcome.due_at,
                posted=False,
                entry_id=outcome.entry_id,
                error=outcome.error,
                attempts=_CLI_ATTEMPTS,
            )
    finally:
        store.close()
    if outcome is None or outcome.status != "posted":
        error = outcome.error if outcome else "the slot is already claimed"
        raise _Exit(f"digest {schedule.name}: not posted: {error}", EXIT_INVALID)
    what = f" ({outcome.entry_id})" if outcome.entry_id else ""
    print(f"digest {schedule.name}: posted to {schedule.channel}{what}, ts {outcome.ts}")
    return 0


async def _post_now(
    settings: Settings,
    store: Store,
    schedules: Schedules,
    schedule: Schedule,
    catalogue: Catalogue,
) -> Outcome | None:
    import datetime as dt

    from slack_sdk.web.async_client import AsyncWebClient

    from bot.digest.scheduler import RetryPolicy, Scheduler
    from bot.slack.posting import posting_own_retries

    assert settings.slack_bot_token is not None
    client = posting_own_retries(
        AsyncWebClient(
            token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url
        )
    )
    scheduler = Scheduler(
        schedules,
        store,
        client,
        lambda: catalogue,
        grace=dt.timedelta(minutes=settings.digest_grace_minutes),
        retry=RetryPolicy(attempts=_CLI_ATTEMPTS, base_seconds=1.0, max_seconds=10.0),
    )
    # A manual post is a slot of its own, at this instant; it never stands in for a cron slot.
    now = dt.datetime.now(dt.UTC)
    return await scheduler.post_slot(schedule, now)


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
