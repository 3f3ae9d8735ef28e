"""Votes on answers: one per voter and answer message, the latest replacing the earlier.

The table sits in the store's metadata, so ``Store.create_schema`` creates it (schema version
2). A vote is written by one INSERT ... ON CONFLICT DO UPDATE, so two clicks racing on two
replicas leave one vote, the later one. Synchronous like the store: the Slack layer calls it on
its executor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Float, String, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.period import as_utc, between
from bot.store.store import Store, StoreError, metadata

answer_votes = Table(
    "answer_votes",
    metadata,
    Column("voter", String(64), primary_key=True),
    Column("answer_key", String(255), primary_key=True),  # the answer message, as Slack names it
    Column("entry_id", String(64), nullable=False),
    Column("helpful", Boolean, nullable=False),
    Column("confidence", Float),
    Column("surface", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Vote:
    """One person's current vote on one answer message."""

    voter: str
    answer_key: str
    entry_id: str
    helpful: bool
    confidence: float | None
    surface: str
    created_at: dt.datetime  # the first vote on this answer by this voter
    updated_at: dt.datetime  # the latest


class VoteStore:
    """Votes on answers, on the engine (and so the timeouts) of a ``Store``."""

    def __init__(self, store: Store) -> None:
        if store.engine.dialect.name not in ("postgresql", "sqlite"):
            raise StoreError(f"{store.safe_url}: votes need SQLite or PostgreSQL")
        self.engine = store.engine

    def record_vote(
        self,
        voter: str,
        answer_key: str,
        *,
        entry_id: str,
        helpful: bool,
        surface: str,
        confidence: float | None = None,
        now: dt.datetime | None = None,
    ) -> Vote:
        """Record ``voter``'s vote on one answer; a later vote on it replaces the earlier one.

        Returns the vote as stored: ``created_at`` is the first vote's time, ``updated_at`` the
        latest; the entry, confidence and surface are the answer's and do not change.
        """
        key = {"voter": voter[:64], "answer_key": answer_key[:255]}
        values = dict(
            key,
            entry_id=entry_id,
            helpful=helpful,
            confidence=confidence,
            surface=surface,
            created_at=as_utc(now),
            updated_at=as_utc(now),
        )
        with self.engine.begin() as conn:
            conn.execute(self._upsert(values))
            row = conn.execute(select(answer_votes).filter_by(**key)).mappings().one()
        return _vote(row)

    def _upsert(self, values: dict[str, Any]) -> Any:
        # The same statement in each dialect; SQLAlchemy has no dialect-neutral upsert.
        key = [answer_votes.c.voter, answer_votes.c.answer_key]
        if self.engine.dialect.name == "postgresql":
            pg = postgresql.insert(answer_votes).values(**values)
            changed = {"helpful": pg.excluded.helpful, "updated_at": pg.excluded.updated_at}
            return pg.on_conflict_do_update(index_elements=key, set_=changed)
        lite = sqlite.insert(answer_votes).values(**values)
        changed = {"helpful": lite.excluded.helpful, "updated_at": lite.excluded.updated_at}
        return lite.on_conflict_do_update(index_elements=key, set_=changed)

    def vote(self, voter: str, answer_key: str) -> Vote | None:
        """``voter``'s current vote on the answer, or None."""
        query = select(answer_votes).filter_by(voter=voter[:64], answer_key=answer_key[:255])
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return _vote(row) if row else None

    def votes(
        self, since: dt.datetime | None = None, until: dt.datetime | None = None
    ) -> list[Vote]:
        """Votes first cast in [since, until), oldest first."""
        c = answer_votes.c
        query = select(answer_votes).order_by(c.created_at, c.voter, c.answer_key)
        query = query.where(*between(c.created_at, since, until))
        with self.engine.connect() as conn:
            return [_vote(r) for r in conn.execute(query).mappings()]


def _vote(r: Any) -> Vote:
    return Vote(
        voter=r["voter"],
        answer_key=r["answer_key"],
        entry_id=r["entry_id"],
        helpful=bool(r["helpful"]),
        confidence=r["confidence"],
        surface=r["surface"],
        created_at=as_utc(r["created_at"]),
        updated_at=as_utc(r["updated_at"]),
    )
