"""Reply jobs: every acked request, kept until its reply is delivered or can no longer be.

A job is written once per Slack delivery key (an INSERT on the primary key, so a redelivered
event or a second replica finds the job already there and leaves it to its holder). Whoever
runs a job holds a lease on it; a job whose lease ran out, because its holder died or is
waiting to retry, is taken by any process that asks for due jobs, by a conditional UPDATE that
only one of them can win. Synchronous like the store: the Slack layer calls it on its executor.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from bot.store.period import as_utc
from bot.store.store import Store, metadata

PENDING, DONE, FAILED = "pending", "done", "failed"

reply_jobs = Table(
    "reply_jobs",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("payload", Text, nullable=False),  # the Slack request, as JSON
    Column("status", String(16), nullable=False),  # pending | done | failed
    Column("owner", String(128), nullable=False),
    Column("lease_until", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("error", Text),
    Index("reply_jobs_due", "status", "lease_until"),
)


@dataclass(frozen=True)
class Job:
    """One request to answer, as the job table holds it."""

    key: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    created_at: dt.datetime
    expires_at: dt.datetime


class JobStore:
    """Reply jobs, on the engine (and so the timeouts) of a ``Store``."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine

    def enqueue(
        self,
        key: str,
        kind: str,
        payload: dict[str, Any],
        *,
        owner: str,
        lease_until: dt.datetime,
        expires_at: dt.datetime,
        now: dt.datetime,
    ) -> Job | None:
        """The new job, leased to ``owner`` with its first attempt counted (it is run at once);
        None when the key has a job already."""
        job = Job(key[:255], kind, payload, 1, now, expires_at)
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(reply_jobs).values(
                        key=job.key,
                        kind=kind,
                        payload=json.dumps(payload, separators=(",", ":")),
                        status=PENDING,
                        owner=owner,
                        lease_until=lease_until,
                        attempts=1,
                        created_at=now,
                        expires_at=expires_at,
                    )
                )
        except IntegrityError:
            return None
        return job

    def due(
        self, now: dt.datetime, limit: int = 50, kinds: Collection[str] | None = None
    ) -> list[str]:
        """Keys of pending jobs nobody holds: their lease has run out. Of ``kinds`` only, when
        given."""
        c = reply_jobs.c
        query = select(c.key).where(c.status == PENDING, c.lease_until <= now)
        if kinds is not None:
            query = query.where(c.kind.in_(kinds))
        query = query.order_by(c.lease_until).limit(limit)
        with self.engine.connect() as conn:
            return [row[0] for row in conn.execute(query)]

    def take(self, key: str, owner: str, lease_until: dt.datetime, now: dt.datetime) -> Job | None:
        """Lease a due job to ``owner``; None when another process took it first."""
        c = reply_jobs.c
        with self.engine.begin() as conn:
            taken = conn.execute(
                update(reply_jobs)
                .where(c.key == key, c.status == PENDING, c.lease_until <= now)
                .values(owner=owner, lease_until=lease_until)
            )
            if taken.rowcount != 1:
                return None
            row = conn.execute(select(reply_jobs).where(c.key == key)).mappings().one()
        return _job(row)

    def start_attempt(self, key: str, owner: str, attempts: int, lease_until: dt.datetime) -> bool:
        """Count an attempt before it is made (a post that may have gone out is then known to
        have been tried); False when the lease was lost to another process."""
        return self._update_owned(key, owner, attempts=attempts, lease_until=lease_until)

    def renew(self, key: str, owner: str, lease_until: dt.datetime) -> bool:
        """Keep the lease of a job still being worked on."""
        return self._update_owned(key, owner, lease_until=lease_until)

    def retry_at(self, key: str, owner: str, when: dt.datetime, error: str) -> bool:
        """Give the lease up until ``when``: then this process or any other tries again."""
        return self._update_owned(key, owner, lease_until=when, error=error)

    def finish(self, key: str, owner: str, error: str | None = None) -> bool:
        """Done (delivered), or failed for good with ``error``."""
        status = DONE if error is None else FAILED
        return self._update_owned(key, owner, status=status, error=error)

    def _update_owned(self, key: str, owner: str, **values: Any) -> bool:
        c = reply_jobs.c
        with self.engine.begin() as conn:
            result = conn.execute(
                update(reply_jobs)
                .where(c.key == key, c.owner == owner, c.status == PENDING)
                .values(**values)
            )
        return result.rowcount == 1

    def status(self, key: str) -> tuple[str, int, str | None] | None:
        """Status, attempts and last error of a job; None when there is none."""
        c = reply_jobs.c
        with self.engine.connect() as conn:
            row = conn.execute(select(c.status, c.attempts, c.error).where(c.key == key)).first()
        return None if row is None else (row[0], row[1], row[2])

    def newest(self, key_prefix: str) -> tuple[Job, str, str | None] | None:
        """The newest job whose key starts with ``key_prefix``, its status and last error."""
        c = reply_jobs.c
        query = (
            select(reply_jobs)
            .where(c.key.startswith(key_prefix, autoescape=True))
            .order_by(c.created_at.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return None if row is None else (_job(row), row["status"], row["error"])

    def counts(self) -> dict[str, int]:
        """How many jobs are in each status."""
        c = reply_jobs.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(c.status, func.count()).group_by(c.status))
            return {status: count for status, count in rows}

    def purge(self, older_than: dt.datetime) -> int:
        """Forget jobs created before the cutoff: by then every one has been delivered, or has
        failed, or has expired."""
        c = reply_jobs.c
        with self.engine.begin() as conn:
            result = conn.execute(delete(reply_jobs).where(c.created_at < older_than))
        return result.rowcount or 0


def _job(row: Any) -> Job:
    return Job(
        key=row["key"],
        kind=row["kind"],
        payload=json.loads(row["payload"]),
        attempts=row["attempts"],
        created_at=as_utc(row["created_at"]),
        expires_at=as_utc(row["expires_at"]),
    )
