"""The digest loop: claim each due slot in the store, post it once, record the outcome.

The store decides who posts a slot, so replicas sharing a database never both post it. A post
attempt is noted before it is made; whoever takes over a slot whose poster died first looks in
the channel for the earlier post (it carries the slot in its metadata) before posting again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.content.models import Catalogue, Entry
from bot.digest.clock import Clock, SystemClock
from bot.digest.due import next_due, slot_due
from bot.digest.message import digest_message, is_slot_post, pick_entry, slot_metadata
from bot.digest.schedule import Schedule, Schedules, load_schedules
from bot.observability.metrics import Metrics
from bot.settings import Settings
from bot.slack.posting import TRANSIENT_ERRORS
from bot.store import Store
from bot.store.store import default_owner

log = logging.getLogger("qabot.digest")

CatalogueProvider = Callable[[], Catalogue]
Status = Literal["posted", "failed", "retry", "lost"]

# Errors worth another try: Slack is busy or broken for a moment, not refusing the post.
_HINTS = {
    "not_in_channel": "invite the bot to the channel",
    "channel_not_found": "check the channel id in the schedule file",
    "is_archived": "the channel is archived",
}


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently one claim of a slot is tried before it is given back."""

    attempts: int = 5
    base_seconds: float = 2.0
    max_seconds: float = 60.0
    give_back_for: dt.timedelta = dt.timedelta(minutes=2)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_seconds)
        return min(self.base_seconds * 2 ** (attempt - 1), self.max_seconds)


@dataclass(frozen=True)
class Outcome:
    """What became of one slot this process claimed."""

    schedule: str
    due_at: dt.datetime
    status: Status
    entry_id: str | None = None
    ts: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class _Failure:
    error: str
    transient: bool
    retry_after: float | None = None
    # No answer came back: the post may have reached Slack all the same.
    unanswered: bool = False


class Scheduler:
    """Posts every schedule's due slot exactly once across all replicas sharing ``store``."""

    def __init__(
        self,
        schedules: Schedules,
        store: Store,
        client: AsyncWebClient,
        catalogue_provider: CatalogueProvider,
        *,
        grace: dt.timedelta,
        clock: Clock | None = None,
        owner: str | None = None,
        lease: dt.timedelta = dt.timedelta(minutes=10),
        retry: RetryPolicy | None = None,
        poll_seconds: float = 60.0,
        metrics: Metrics | None = None,
    ) -> None:
        self.metrics = metrics
        self.schedules = schedules
        self.store = store
        self.client = client
        self.catalogue_provider = catalogue_provider
        self.grace = grace
        self.clock = clock or SystemClock()
        self.owner = owner or default_owner()
        self.lease = lease
        self.retry = retry or RetryPolicy()
        self.poll_seconds = poll_seconds
        # The latest slot of each schedule known to be posted or failed, so not asked again.
        self._settled: dict[str, dt.datetime] = {}

    async def run(self, stop: asyncio.Event) -> None:
        """Post due slots until ``stop`` is set; wakes at the next due time, or to poll."""
        log.info(
            "digest scheduler started: %d schedule(s), owner %s", len(self.schedules), self.owner
        )
        while not stop.is_set():
            await self.tick()
            now = self.clock.now()
            wake = min((self.next_due(s, now) for s in self.schedules), default=None)
            seconds = self.poll_seconds
            if wake is not None:
                seconds = min(seconds, (wake - now).total_seconds())
            await self.clock.sleep(max(seconds, 0.0), stop)
        log.info("digest scheduler stopped")

    async def tick(self) -> list[Outcome]:
        """Post the slot each schedule is due for now, if no one has; one failure stops none."""
        outcomes: list[Outcome] = []
        for schedule in self.schedules:
            due_at = slot_due(schedule.cron, schedule.zone, self.clock.now(), self.grace)
            if due_at is None:
                continue
            try:
                outcome = await self.post_slot(schedule, due_at)
            except Exception:
                log.exception("digest %s: slot %s could not be handled", schedule.name, due_at)
                continue
            if outcome is not None:
                outcomes.append(outcome)
        return outcomes

    @staticmethod
    def next_due(schedule: Schedule, now: dt.datetime) -> dt.datetime:
        return next_due(schedule.cron, schedule.zone, now)

    async def post_slot(self, schedule: Schedule, due_at: dt.datetime) -> Outcome | None:
        """Claim the slot and post it; None when another poster holds or finished it."""
        if self._settled.get(schedule.name) == due_at:
            return None
        now = self.clock.now()
        # Look before claiming: a slot is due for hours of polls, and each refused claim is
        # a failed INSERT that PostgreSQL writes to its log.
        seen = await asyncio.to_thread(self.store.slot, schedule.name, due_at)
        if seen is not None and seen.status != "claimed":
            self._settled[schedule.name] = due_at
            return None
        if seen is not None and seen.lease_until is not None and seen.lease_until >= now:
            return None
        claimed = await asyncio.to_thread(
            self.store.claim_slot,
            schedule.name,
            due_at,
            schedule.channel,
            self.owner,
            self.lease,
            now,
        )
        if not claimed:
            return None
        record = await asyncio.to_thread(self.store.slot, schedule.name, due_at)
        assert record is not None  # we hold its claim
        attempts = record.attempts
        # Attempts were made before: one may have reached Slack although it was not recorded.
        if attempts and (ts := await self._find_earlier_post(schedule, due_at)):
            log.info("digest %s: slot %s was already posted (ts %s)", schedule.name, due_at, ts)
            return await self._finish(schedule, due_at, record.entry_id, ts, attempts)

        catalogue = self.catalogue_provider()
        entry = await self._entry_for(schedule, catalogue, record.entry_id)
        if schedule.kind != "index" and entry is None:
            return await self._fail(schedule, due_at, None, "entry_not_in_content", attempts)
        message = digest_message(schedule, catalogue, entry)
        return await self._attempt(schedule, due_at, message, entry.id if entry else None, attempts)

    async def _attempt(
        self,
        schedule: Schedule,
        due_at: dt.datetime,
        message: dict[str, Any],
        entry_id: str | None,
        attempts: int,
    ) -> Outcome:
        """Post with retries and backoff; give the slot back when every try failed."""
        failure: _Failure | None = None
        for attempt in range(1, self.retry.attempts + 1):
            # After a post whose answer never came, look before posting it again.
            unanswered = failure is not None and failure.unanswered
            if unanswered and (ts := await self._find_earlier_post(schedule, due_at)):
                return await self._finish(schedule, due_at, entry_id, ts, attempts)
            attempts += 1
            still_ours = await asyncio.to_thread(
                self.store.start_attempt,
                schedule.name,
                due_at,
                self.owner,
                attempts=attempts,
                entry_id=entry_id,
                lease_until=self.clock.now() + self.lease,
            )
            if not still_ours:
                log.warning("digest %s: lost the claim on slot %s", schedule.name, due_at)
                return Outcome(schedule.name, due_at, "lost", entry_id)
            ts, failure = await self._post(schedule, due_at, message)
            if ts is not None:
                return await self._finish(schedule, due_at, entry_id, ts, attempts)
            assert failure is not None
            if not failure.transient:
                return await self._fail(schedule, due_at, entry_id, failure.error, attempts)
            if attempt < self.retry.attempts:
                delay = self.retry.delay(attempt, failure.retry_after)
                log.warning(
                    "digest %s: post failed (%s), attempt %d; retrying in %.0f s",
                    schedule.name,
                    failure.error,
                    attempts,
                    delay,
                )
                await self.clock.sleep(delay)
        assert failure is not None
        return await self._give_back(schedule, due_at, entry_id, failure.error, attempts)

    async def _entry_for(
        self, schedule: Schedule, catalogue: Catalogue, recorded: str | None
    ) -> Entry | None:
        # A retried slot posts the entry its first attempt chose, not the next in rotation.
        if recorded and (entry := catalogue.get(recorded)):
            return entry
        posted: list[str] = []
        if schedule.kind == "rotate":
            posted = await asyncio.to_thread(self.store.posted_entries, schedule.channel)
        return pick_entry(schedule, catalogue, posted)

    async def _post(
        self, schedule: Schedule, due_at: dt.datetime, message: dict[str, Any]
    ) -> tuple[str | None, _Failure | None]:
        try:
            response = await self.client.chat_postMessage(
                channel=schedule.channel,
                text=message["text"],
                blocks=message["blocks"],
                metadata=slot_metadata(schedule.name, due_at),
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            return None, _classify(exc)
        except Exception as exc:  # the network, a timeout, a broken response: try again
            error = f"{type(exc).__name__}: {exc}".rstrip(": ")
            # A refused connection never carried the post; anything later might have.
            unanswered = not isinstance(exc, aiohttp.ClientConnectorError)
            return None, _Failure(error, transient=True, unanswered=unanswered)
        return str(response.get("ts") or ""), None

    async def _find_earlier_post(self, schedule: Schedule, due_at: dt.datetime) -> str | None:
        """The ts of this slot's post if an earlier poster got it out before dying."""
        try:
            response = await self.client.conversations_history(
                channel=schedule.channel,
                oldest=f"{due_at.timestamp():.6f}",
                include_all_metadata=True,
                limit=200,
            )
        except Exception as exc:
            log.warning(
                "digest %s: cannot look for an earlier post of slot %s (%s); posting it",
                schedule.name,
                due_at,
                _error_name(exc),
            )
            return None
        for message in response.get("messages") or []:
            if is_slot_post(message, schedule.name, due_at):
                return str(message.get("ts"))
        return None

    async def _finish(
        self,
        schedule: Schedule,
        due_at: dt.datetime,
        entry_id: str | None,
        ts: str,
        attempts: int,
    ) -> Outcome:
        await self._settle(schedule, due_at, entry_id, attempts, message_ts=ts)
        log.info("digest %s: posted slot %s to %s", schedule.name, due_at, schedule.channel)
        return Outcome(schedule.name, due_at, "posted", entry_id, ts=ts)

    async def _fail(
        self,
        schedule: Schedule,
        due_at: dt.datetime,
        entry_id: str | None,
        error: str,
        attempts: int,
    ) -> Outcome:
        hint = _HINTS.get(error)
        log.error(
            "digest %s: cannot post to channel %s: %s%s",
            schedule.name,
            schedule.channel,
            error,
            f" ({hint})" if hint else "",
        )
        await self._settle(schedule, due_at, entry_id, attempts, error=error)
        return Outcome(schedule.name, due_at, "failed", entry_id, error=error)

    async def _settle(
        self,
        schedule: Schedule,
        due_at: dt.datetime,
        entry_id: str | None,
        attempts: int,
        message_ts: str | None = None,
        error: str | None = None,
    ) -> None:
        """Record a slot as posted (with its message) or failed (with its error), for good."""
        posted = error is None
        await asyncio.to_thread(
            self.store.finish_slot,
            schedule.name,
            due_at,
            posted=posted,
            entry_id=entry_id,
            message_ts=message_ts,
            error=error,
            attempts=attempts,
            owner=self.owner,
        )
        self._settled[schedule.name] = due_at
        if self.metrics is not None:
            self.metrics.observe_digest(posted=posted)

    async def _give_back(
        self,
        schedule: Schedule,
        due_at: dt.datetime,
        entry_id: str | None,
        error: str,
        attempts: int,
    ) -> Outcome:
        retry_at = self.clock.now() + self.retry.give_back_for
        log.error(
            "digest %s: post failed %d times (%s); slot %s is retried after %s",
            schedule.name,
            attempts,
            error,
            due_at,
            retry_at,
        )
        await asyncio.to_thread(
            self.store.release_slot,
            schedule.name,
            due_at,
            self.owner,
            retry_at=retry_at,
            error=error,
            attempts=attempts,
        )
        return Outcome(schedule.name, due_at, "retry", entry_id, error=error)


def _classify(exc: SlackApiError) -> _Failure:
    response = exc.response
    status = getattr(response, "status_code", 0) or 0
    error = _error_name(exc)
    retry_after: float | None = None
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    if value:
        try:
            retry_after = float(value)
        except ValueError:
            retry_after = None
    transient = status == 429 or status >= 500 or error in TRANSIENT_ERRORS
    if status >= 500 and error == "SlackApiError":
        error = f"http_{status}"
    return _Failure(error, transient, retry_after)


def _error_name(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    data = getattr(response, "data", None)
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return type(exc).__name__


def build_scheduler(
    settings: Settings,
    client: AsyncWebClient,
    catalogue_provider: CatalogueProvider,
    store: Store | None = None,
    clock: Clock | None = None,
) -> Scheduler | None:
    """A scheduler for the settings' schedule file; None when none is set.

    Raises ScheduleError for an invalid file, so the server can refuse to start.
    """
    if settings.schedules is None:
        return None
    schedules = load_schedules(settings.schedules, catalogue_provider())
    if store is None:
        store = Store(settings.database_url)
        store.create_schema()
    return Scheduler(
        schedules,
        store,
        client,
        catalogue_provider,
        grace=dt.timedelta(minutes=settings.digest_grace_minutes),
        clock=clock,
    )


async def run_scheduler(
    settings: Settings,
    client: AsyncWebClient,
    catalogue_provider: CatalogueProvider,
    stop: asyncio.Event,
    store: Store | None = None,
) -> None:
    """Run the digests of ``settings`` until ``stop`` is set; returns at once without schedules."""
    scheduler = await asyncio.to_thread(
        build_scheduler, settings, client, catalogue_provider, store
    )
    if scheduler is None:
        log.info("no QABOT_SCHEDULES file: digests are off")
        return
    try:
        await scheduler.run(stop)
    finally:
        if store is None:  # the store is ours: built from the settings above
            scheduler.store.close()
