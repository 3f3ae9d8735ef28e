"""The digest loop: each due slot becomes a reply job, which the job runner delivers and retries.

A slot's job key names the slot, so replicas sharing a store that find it due write one job
between them (the INSERT on the key decides), and whoever holds the job posts it. The entry is
chosen once, as the job is written: a retry posts the same one. A retried job first looks in
the channel for the slot's post (it carries the slot in its metadata), since an attempt whose
answer was lost may have posted it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.content.models import Catalogue
from bot.digest.clock import Clock, SystemClock
from bot.digest.due import next_due, slot_due
from bot.digest.message import digest_message, is_slot_post, pick_entry, slot_metadata
from bot.digest.schedule import Schedule, Schedules
from bot.observability.metrics import Metrics
from bot.render.blocks import Message
from bot.slack.jobs import JobRunner
from bot.slack.posting import DeliveryError, find_message, post_message
from bot.store import DigestLog, Job, Store

log = logging.getLogger("qabot.digest")

CatalogueProvider = Callable[[], Catalogue]

KIND = "digest"
# A digest has no response_url that expires and no one waiting on it: posted late, it still
# informs, so its job is retried through a long Slack outage. Not past a day: by then a daily
# digest's next slot is due, and reply jobs are purged (bot/slack/claims.py).
LIFETIME = dt.timedelta(hours=24)

# Refusals for good, with what the operator can do about them.
_HINTS = {
    "not_in_channel": "invite the bot to the channel",
    "channel_not_found": "check the channel id in the schedule file",
    "is_archived": "the channel is archived",
}


def slot_key(schedule: str, due_at: dt.datetime) -> str:
    """The job key of a slot: every replica computes the same one (at most 168 characters)."""
    return f"{KIND}:{schedule}:{due_at.astimezone(dt.UTC).isoformat()}"


@dataclass(frozen=True)
class Slot:
    """One due slot of a schedule, as its job carries it."""

    schedule: str
    due_at: dt.datetime
    channel: str
    entry_id: str | None  # chosen when the job was written; None for an index

    @property
    def key(self) -> str:
        return slot_key(self.schedule, self.due_at)

    def payload(self) -> dict[str, Any]:
        return {
            "schedule": self.schedule,
            "due_at": self.due_at.astimezone(dt.UTC).isoformat(),
            "channel": self.channel,
            "entry": self.entry_id,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Slot:
        due_at = dt.datetime.fromisoformat(payload["due_at"])
        return cls(payload["schedule"], due_at, payload["channel"], payload.get("entry"))


class Scheduler:
    """Writes a reply job for every schedule's due slot, and posts the slots it is given to run.

    Its handler is registered with ``jobs``, so the runner's sweep retries digests too.
    """

    def __init__(
        self,
        schedules: Schedules,
        store: Store,
        client: AsyncWebClient,
        catalogue_provider: CatalogueProvider,
        jobs: JobRunner,
        *,
        grace: dt.timedelta,
        clock: Clock | None = None,
        lifetime: dt.timedelta = LIFETIME,
        poll_seconds: float = 60.0,
        metrics: Metrics | None = None,
    ) -> None:
        self.metrics = metrics
        self.schedules = schedules
        self.posts = DigestLog(store)
        self.client = client
        self.catalogue_provider = catalogue_provider
        self.jobs = jobs
        self.grace = grace
        self.clock = clock or SystemClock()
        self.lifetime = lifetime
        self.poll_seconds = poll_seconds
        # The latest slot of each schedule known to have a job, so the store is not asked again.
        self._seen: dict[str, dt.datetime] = {}
        jobs.handle(KIND, self.deliver)

    async def run(self, stop: asyncio.Event) -> None:
        """Hand over due slots until ``stop`` is set; wakes at the next due time, or to poll."""
        log.info(
            "digest scheduler started: %d schedule(s), owner %s",
            len(self.schedules),
            self.jobs.owner,
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

    async def tick(self) -> list[Slot]:
        """Write and run the job of the slot each schedule is due for now, unless it has one;
        returns the slots this process ran. One failure stops none."""
        ran: list[Slot] = []
        for schedule in self.schedules:
            due_at = slot_due(schedule.cron, schedule.zone, self.clock.now(), self.grace)
            if due_at is None:
                continue
            try:
                slot = await self.submit(schedule, due_at)
            except Exception:
                log.exception("digest %s: slot %s could not be handled", schedule.name, due_at)
                continue
            if slot is not None:
                ran.append(slot)
        return ran

    @staticmethod
    def next_due(schedule: Schedule, now: dt.datetime) -> dt.datetime:
        return next_due(schedule.cron, schedule.zone, now)

    async def submit(self, schedule: Schedule, due_at: dt.datetime) -> Slot | None:
        """Write the slot's job, choosing its entry, and run it; None when the slot has a job or
        a post already."""
        if self._seen.get(schedule.name) == due_at:
            return None
        # Look before writing: a slot is due for hours of polls, and each refused INSERT is an
        # error in PostgreSQL's log. The post is looked at too: it outlives its purged job.
        if await asyncio.to_thread(self._known, schedule.name, due_at):
            self._seen[schedule.name] = due_at
            return None
        catalogue = self.catalogue_provider()
        entry = pick_entry(schedule, catalogue, await self._posted(schedule))
        slot = Slot(schedule.name, due_at, schedule.channel, entry.id if entry else None)
        ran = await self.jobs.submit(KIND, slot.key, slot.payload(), self.lifetime)
        self._seen[schedule.name] = due_at
        return slot if ran else None

    def _known(self, schedule: str, due_at: dt.datetime) -> bool:
        key = slot_key(schedule, due_at)
        return (
            self.jobs.jobs.status(key) is not None or self.posts.post(schedule, due_at) is not None
        )

    async def _posted(self, schedule: Schedule) -> list[str]:
        if schedule.kind != "rotate":
            return []
        return await asyncio.to_thread(self.posts.posted_entries, schedule.channel)

    async def deliver(self, job: Job, retried: bool) -> None:
        """Post a slot's digest (the job handler); DeliveryError when Slack did not take it."""
        slot = Slot.from_payload(job.payload)
        schedule = self.schedules.get(slot.schedule)
        if schedule is None:  # a replica with another schedule file wrote it
            raise DeliveryError(f"digest {slot.schedule}: not in this schedule file")
        # An earlier attempt, or the process that held the job, may have got the post out.
        if retried and (ts := await self._find_earlier_post(slot)):
            log.info(
                "digest %s: slot %s was already posted (ts %s)", slot.schedule, slot.due_at, ts
            )
            await self._record(slot, slot.entry_id, ts)
            return
        catalogue = self.catalogue_provider()
        entry = catalogue.get(slot.entry_id) if slot.entry_id else None
        if entry is None and schedule.kind != "index":
            # The chosen entry has left the content since: the schedule's choice now.
            entry = pick_entry(schedule, catalogue, await self._posted(schedule))
            if entry is None:
                self._refused(schedule, "entry_not_in_content")
                raise DeliveryError(f"digest {schedule.name}: its entry is not in the content")
        message = digest_message(schedule, catalogue, entry)
        ts = await self._post(schedule, slot, message)
        await self._record(slot, entry.id if entry else None, ts)

    async def _post(self, schedule: Schedule, slot: Slot, message: Message) -> str:
        try:
            return await post_message(
                self.client,
                slot.channel,
                message,
                metadata=slot_metadata(slot.schedule, slot.due_at),
                metrics=self.metrics,
            )
        except DeliveryError as failure:
            if not failure.transient:
                self._refused(schedule, failure.code or str(failure))
            raise

    async def _find_earlier_post(self, slot: Slot) -> str | None:
        """The ts of this slot's post if an earlier attempt got it out; None when there is none,
        or Slack cannot be asked (then it is posted)."""
        return await find_message(
            self.client,
            slot.channel,
            lambda found: is_slot_post(found, slot.schedule, slot.due_at),
            since=slot.due_at.timestamp(),
        )

    async def _record(self, slot: Slot, entry_id: str | None, ts: str) -> None:
        """Log the slot as posted, which moves its rotation on."""
        try:
            await asyncio.to_thread(
                self.posts.record, slot.schedule, slot.due_at, slot.channel, entry_id, ts
            )
        except SQLAlchemyError as exc:
            # Tried again, the job finds the post in the channel and logs it then.
            raise DeliveryError(
                f"digest {slot.schedule}: posted (ts {ts}) but not logged: {type(exc).__name__}",
                transient=True,
            ) from None
        log.info("digest %s: posted slot %s to %s", slot.schedule, slot.due_at, slot.channel)

    def _refused(self, schedule: Schedule, error: str) -> None:
        """A post Slack (or the content) refuses for good: said once, with what to do."""
        hint = _HINTS.get(error)
        log.error(
            "digest %s: cannot post to channel %s: %s%s",
            schedule.name,
            schedule.channel,
            error,
            f" ({hint})" if hint else "",
        )
