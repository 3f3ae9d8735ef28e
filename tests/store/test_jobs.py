"""Reply jobs in the store, on SQLite and PostgreSQL: written once per key, held by one process
at a time, taken over only once their lease has run out."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from bot.store import JobStore, Store

T0 = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=20)
PAYLOAD = {"text": "is PEP still in effect?", "response_url": "https://hooks.example/1"}


def enqueue(jobs: JobStore, key: str = "command:t1", owner: str = "A", now: dt.datetime = T0):
    return jobs.enqueue(
        key,
        "command",
        PAYLOAD,
        owner=owner,
        lease_until=now + LEASE,
        expires_at=now + dt.timedelta(minutes=30),
        now=now,
    )


def test_a_key_gets_one_job_and_a_redelivery_joins_it(store: Store) -> None:
    jobs = JobStore(store)
    job = enqueue(jobs)
    assert job is not None and job.payload == PAYLOAD and job.attempts == 1  # run at once
    assert enqueue(jobs, owner="B") is None
    assert jobs.status("command:t1") == ("pending", 1, None)


def test_a_held_job_is_not_due_and_cannot_be_taken(store: Store) -> None:
    jobs = JobStore(store)
    enqueue(jobs)
    during = T0 + LEASE / 2
    assert jobs.due(during) == []
    assert jobs.take("command:t1", "B", during + LEASE, during) is None


def test_a_job_whose_lease_ran_out_is_taken_by_exactly_one_process(store: Store) -> None:
    jobs = JobStore(store)
    enqueue(jobs)
    assert jobs.start_attempt("command:t1", "A", 2, T0 + LEASE)
    later = T0 + LEASE + dt.timedelta(seconds=1)
    assert jobs.due(later) == ["command:t1"]
    with ThreadPoolExecutor(4) as pool:
        taken = list(
            pool.map(lambda owner: jobs.take("command:t1", owner, later + LEASE, later), "BCDE")
        )
    [winner] = [job for job in taken if job is not None]
    assert winner.attempts == 2 and winner.payload == PAYLOAD
    # The first holder has lost it: it can no longer count attempts or settle the job.
    assert not jobs.start_attempt("command:t1", "A", 3, later + LEASE)
    assert not jobs.finish("command:t1", "A")


def test_a_retry_gives_the_lease_up_until_its_time(store: Store) -> None:
    jobs = JobStore(store)
    enqueue(jobs)
    when = T0 + dt.timedelta(seconds=4)
    assert jobs.retry_at("command:t1", "A", when, "response_url answered 500")
    assert jobs.due(when - dt.timedelta(seconds=1)) == []
    assert jobs.due(when) == ["command:t1"]
    assert jobs.status("command:t1") == ("pending", 1, "response_url answered 500")


def test_finished_jobs_are_never_due_and_are_purged_after_a_day(store: Store) -> None:
    jobs = JobStore(store)
    enqueue(jobs, "command:done")
    enqueue(jobs, "command:failed")
    assert jobs.finish("command:done", "A")
    assert jobs.finish("command:failed", "A", "expired")
    assert jobs.due(T0 + dt.timedelta(days=1)) == []
    assert jobs.counts() == {"done": 1, "failed": 1}
    assert jobs.purge(T0) == 0
    assert jobs.purge(T0 + dt.timedelta(seconds=1)) == 2
    assert jobs.counts() == {}


def test_a_renewed_lease_keeps_a_slow_job_with_its_holder(store: Store) -> None:
    jobs = JobStore(store)
    enqueue(jobs)
    later = T0 + LEASE + dt.timedelta(seconds=1)
    assert jobs.renew("command:t1", "A", later + LEASE)
    assert jobs.take("command:t1", "B", later + LEASE, later) is None


def test_due_jobs_of_the_kinds_asked_for(store: Store) -> None:
    jobs = JobStore(store)
    enqueue(jobs, "command:t1")
    jobs.enqueue(
        "digest:weekly:1",
        "digest",
        {},
        owner="A",
        lease_until=T0,
        expires_at=T0 + LEASE,
        now=T0,
    )
    later = T0 + 2 * LEASE
    assert sorted(jobs.due(later)) == ["command:t1", "digest:weekly:1"]
    assert jobs.due(later, kinds=("command", "dm")) == ["command:t1"]
    assert jobs.due(later, kinds=()) == []


def test_newest_job_by_key_prefix(store: Store) -> None:
    jobs = JobStore(store)
    enqueue(jobs, "digest:weekly:1", now=T0)
    enqueue(jobs, "digest:weekly:2", now=T0 + LEASE)
    enqueue(jobs, "digest:weekly_2:3", now=T0 + 2 * LEASE)
    jobs.finish("digest:weekly:2", "A", "not_in_channel")
    newest = jobs.newest("digest:weekly:")
    assert newest is not None
    job, status, error = newest
    assert (job.key, job.payload, status, error) == (
        "digest:weekly:2",
        PAYLOAD,
        "failed",
        "not_in_channel",
    )
    assert jobs.newest("digest:w%") is None  # a prefix, not a pattern
