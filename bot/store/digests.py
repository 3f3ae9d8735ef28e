"""The log of posted digests: which entry went to which channel for which slot, and when.

Delivery itself is a reply job (jobs.py); this log is what the rotation reads and what
``qabot digest list`` shows. A slot is logged once, by whoever delivered its job (schema
version 4). Synchronous like the store: callers run it off the event loop.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, DateTime, String, Table, insert, select
from sqlalchemy.exc import IntegrityError

from bot.store.period import as_utc
from bot.store.store import Store, metadata

digest_posts = Table(
    "digest_posts",
    metadata,
    Column("schedule", String(128), primary_key=True),
    Column("due_at", DateTime(timezone=True), primary_key=True),
    Column("channel", String(64), nullable=False),
    Column("entry_id", String(64)),  # None for an index
    Column("message_ts", String(64)),
    Column("posted_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class DigestPost:
    """One posted digest slot."""

    schedule: str
    due_at: dt.datetime
    channel: str
    entry_id: str | None
    message_ts: str | None
    posted_at: dt.datetime


class DigestLog:
    """Posted digests, on the engine (and so the timeouts) of a ``Store``."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine

    def record(
        self,
        schedule: str,
        due_at: dt.datetime,
        channel: str,
        entry_id: str | None,
        message_ts: str | None,
        now: dt.datetime | None = None,
    ) -> bool:
        """Log a slot as posted; False when it was logged already (a retry found its post)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(digest_posts).values(
                        schedule=schedule,
                        due_at=as_utc(due_at),
                        channel=channel,
                        entry_id=entry_id,
                        message_ts=message_ts,
                        posted_at=as_utc(now),
                    )
                )
        except IntegrityError:
            return False
        return True

    def post(self, schedule: str, due_at: dt.datetime) -> DigestPost | None:
        """The logged post of one slot; None when it was not posted (yet)."""
        c = digest_posts.c
        query = select(digest_posts).where(c.schedule == schedule, c.due_at == as_utc(due_at))
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return _post(row) if row else None

    def posts(self, schedule: str | None = None) -> list[DigestPost]:
        """Logged posts, oldest slot first."""
        query = select(digest_posts).order_by(digest_posts.c.due_at, digest_posts.c.schedule)
        if schedule is not None:
            query = query.where(digest_posts.c.schedule == schedule)
        with self.engine.connect() as conn:
            return [_post(row) for row in conn.execute(query).mappings()]

    def posted_entries(self, channel: str) -> list[str]:
        """Entry ids already posted to ``channel`` by any schedule, oldest first."""
        c = digest_posts.c
        query = (
            select(c.entry_id)
            .where(c.channel == channel, c.entry_id.is_not(None))
            .order_by(c.posted_at, c.due_at)
        )
        with self.engine.connect() as conn:
            return [row[0] for row in conn.execute(query)]


def _post(row: Any) -> DigestPost:
    return DigestPost(
        schedule=row["schedule"],
        due_at=as_utc(row["due_at"]),
        channel=row["channel"],
        entry_id=row["entry_id"],
        message_ts=row["message_ts"],
        posted_at=as_utc(row["posted_at"]),
    )
