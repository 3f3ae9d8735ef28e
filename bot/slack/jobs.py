"""Reply jobs at work: each acked request is written to the store as a job and run at once; a
reply Slack does not take is tried again with backoff, here or, if this process dies, by any
process sharing the store once the lease runs out, until it is delivered or no longer wanted.

While a job runs its lease is renewed, so a slow Slack never lets a second process take a job
that is still being delivered. When the store cannot be reached the reply still goes out once,
guarded by this process's memory of recent keys, but nothing is kept for a retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from bot.observability.metrics import Metrics
from bot.slack.posting import DeliveryError
from bot.slack.recent import RecentKeys
from bot.store.jobs import Job, JobStore
from bot.store.store import default_owner

log = logging.getLogger(__name__)
T = TypeVar("T")

# A job's handler: deliver the reply, raising DeliveryError when Slack did not take it.
# ``retried`` is True for a job taken from the store: an earlier attempt, or the process that
# held the job before, may have got the reply out already.
Handler = Callable[[Job, bool], Awaitable[None]]
InStore = Callable[..., Awaitable[Any]]

# A response_url takes replies for 30 minutes. An event has no such limit, but an answer
# arriving a day late answers nobody.
RESPONSE_URL_LIFETIME = dt.timedelta(minutes=30)
EVENT_LIFETIME = dt.timedelta(hours=6)
# A store call that takes longer than this is given up and the reply goes out without it.
STORE_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class JobPolicy:
    """Leases and backoff."""

    # How long a job stays with a process that stopped renewing it: a crash delays the
    # reply by about this much.
    lease: dt.timedelta = dt.timedelta(seconds=20)
    renew_every: float = 5.0
    poll_seconds: float = 1.0
    base_seconds: float = 1.0
    max_seconds: float = 60.0

    @classmethod
    def with_lease(cls, seconds: float) -> JobPolicy:
        """Leases of ``seconds``, renewed four times as often as they run out."""
        return cls(lease=dt.timedelta(seconds=seconds), renew_every=seconds / 4)

    def delay(self, attempt: int) -> dt.timedelta:
        return dt.timedelta(seconds=min(self.base_seconds * 2 ** (attempt - 1), self.max_seconds))


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class JobRunner:
    """Writes, runs, retries and takes over reply jobs."""

    def __init__(
        self,
        jobs: JobStore,
        in_store: InStore,
        spawn: Callable[[Coroutine[Any, Any, Any], str], object],
        *,
        metrics: Metrics | None = None,
        policy: JobPolicy | None = None,
        owner: str | None = None,
    ) -> None:
        self.jobs = jobs
        self.policy = policy or JobPolicy()
        self.owner = owner or default_owner()
        self.metrics = metrics
        self._in_store = in_store
        self._spawn = spawn
        # The guard against Slack's retries that still holds while the store does not answer.
        self._recent = RecentKeys()
        self._handlers: dict[str, Handler] = {}
        self._store_failing = False
        self._sweep_failing = False

    def handle(self, kind: str, handler: Handler) -> None:
        """Run ``handler`` for jobs of ``kind``."""
        self._handlers[kind] = handler

    async def submit(
        self, kind: str, key: str, payload: dict[str, Any], lifetime: dt.timedelta
    ) -> bool:
        """Keep the request as a job and run it; a key seen before joins its job (nothing to
        do: the job's holder delivers it). True when this call ran the job."""
        if not self._recent.claim(key):
            self._duplicate()
            return False
        now = utcnow()
        try:
            job = await self._store(
                self.jobs.enqueue,
                key,
                kind,
                payload,
                owner=self.owner,
                lease_until=now + self.policy.lease,
                expires_at=now + lifetime,
                now=now,
            )
        except (TimeoutError, SQLAlchemyError) as exc:
            self._store_failed(exc)
            await self._deliver_once(Job(key, kind, payload, 1, now, now + lifetime))
            return True
        self._store_failing = False
        if job is None:
            self._duplicate()
            return False
        await self._run(job, retried=False)
        return True

    async def sweep(self, stop: asyncio.Event) -> None:
        """Take due jobs (retries, and jobs whose holder died) until ``stop``."""
        while not stop.is_set():
            await self.sweep_once()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.policy.poll_seconds):
                    await stop.wait()

    async def sweep_once(self) -> int:
        """Start every job that is due now; returns how many were started."""
        now = utcnow()
        taken = 0
        try:
            # Only kinds this process can run: one without schedules leaves digests to others.
            for key in await self._store(self.jobs.due, now, kinds=tuple(self._handlers)):
                job = await self._take(key, now)
                if job is None:
                    continue
                taken += 1
                self._spawn(self._run(job, retried=True), f"job {job.kind}")
        except (TimeoutError, SQLAlchemyError) as exc:
            if not self._sweep_failing:
                log.warning("cannot look for due replies (%s); trying again", type(exc).__name__)
            self._sweep_failing = True
            return taken
        self._sweep_failing = False
        return taken

    async def run_if_due(self, key: str) -> bool:
        """Take the job ``key`` and run it here if it is due; False when it is not, or another
        process took it first."""
        job = await self._take(key, utcnow())
        if job is None:
            return False
        await self._run(job, retried=True)
        return True

    async def _take(self, key: str, now: dt.datetime) -> Job | None:
        """Lease a due job to this process; None when another took it first or it is too late
        (then it is given up)."""
        job = await self._store(self.jobs.take, key, self.owner, now + self.policy.lease, now)
        if job is None or now < job.expires_at:
            return job
        log.error("reply %s given up after %d tries: too late", key, job.attempts)
        if self.metrics is not None:  # given up like any other, for the alert on them
            self.metrics.observe_reply_job(job.kind, delivered=False)
        await self._store(self.jobs.finish, key, self.owner, "expired")
        return None

    async def _run(self, job: Job, *, retried: bool) -> None:
        """Run a job: a new one (its attempt counted as it was written) or a taken one."""
        attempt = job.attempts
        if retried:
            attempt += 1
            try:
                still_ours = await self._store(
                    self.jobs.start_attempt,
                    job.key,
                    self.owner,
                    attempt,
                    utcnow() + self.policy.lease,
                )
            except (TimeoutError, SQLAlchemyError) as exc:
                self._store_failed(exc)
                still_ours = True  # deliver now; the lease still keeps others off for a while
            if not still_ours:
                return
        renewing = asyncio.create_task(self._keep_lease(job.key))
        try:
            await self._handlers[job.kind](job, retried)
        except DeliveryError as exc:
            await self._failed(job, attempt, exc)
            return
        except Exception as exc:
            # A fault of ours, not Slack's: trying again would fail again.
            log.exception("reply %s failed", job.key)
            await self._settle(job, f"{type(exc).__name__}: {exc}")
            return
        finally:
            renewing.cancel()
        await self._settle(job, None)

    async def _failed(self, job: Job, attempt: int, exc: DeliveryError) -> None:
        wait = self.policy.delay(attempt)
        if exc.retry_after is not None:  # Slack said how long: trying sooner only fails again
            wait = max(wait, dt.timedelta(seconds=exc.retry_after))
        when = utcnow() + wait
        if not exc.transient or when >= job.expires_at:
            log.error("reply %s not delivered after %d tries: %s", job.key, attempt, exc)
            await self._settle(job, str(exc))
            return
        log.warning("reply %s not delivered (%s); trying again at %s", job.key, exc, when)
        if self.metrics is not None:
            self.metrics.observe_reply_retry(job.kind)
        try:
            await self._store(self.jobs.retry_at, job.key, self.owner, when, str(exc))
        except (TimeoutError, SQLAlchemyError) as store_exc:
            # The lease runs out by itself and the sweep takes the job then.
            self._store_failed(store_exc)

    async def _settle(self, job: Job, error: str | None) -> None:
        if self.metrics is not None:
            self.metrics.observe_reply_job(job.kind, delivered=error is None)
        # Shielded: a wait given up must not take the write off the store's queue with it. A
        # slow store then settles the job late rather than leaving it for a sweep to resend.
        settled = asyncio.ensure_future(
            self._in_store(self.jobs.finish, job.key, self.owner, error)
        )
        try:
            await asyncio.wait_for(asyncio.shield(settled), STORE_TIMEOUT_S)
        except (TimeoutError, SQLAlchemyError) as exc:
            self._store_failed(exc)

    async def _keep_lease(self, key: str) -> None:
        while True:
            await asyncio.sleep(self.policy.renew_every)
            with contextlib.suppress(TimeoutError, SQLAlchemyError):
                await self._store(self.jobs.renew, key, self.owner, utcnow() + self.policy.lease)

    async def _deliver_once(self, job: Job) -> None:
        """Without the store: one delivery, no retries kept."""
        try:
            await self._handlers[job.kind](job, False)
        except DeliveryError as exc:
            log.error("reply %s not delivered (store down: no retry): %s", job.key, exc)
            return
        # A slow store may yet write the job after the wait was given up: settling it too (the
        # store's thread takes calls in order) keeps a sweep from sending the reply again.
        await self._settle(job, None)

    async def _store(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        result: T = await asyncio.wait_for(self._in_store(work, *args, **kwargs), STORE_TIMEOUT_S)
        return result

    def _store_failed(self, exc: BaseException) -> None:
        if self.metrics is not None:
            self.metrics.observe_store_failure()
        if not self._store_failing:  # once per outage, not once per request
            log.error(
                "state store failing (%s); answering with this process's guard alone",
                type(exc).__name__,
            )
        self._store_failing = True

    def _duplicate(self) -> None:
        if self.metrics is not None:
            self.metrics.observe_duplicate()
