"""Questions kept for the maintainers: masked text, the form they are grouped by, and whether
a maintainer has dismissed them.

Whether to keep a question at all, and for how long, is ``bot.feedback.questions``'s decision;
this module only writes what it is given, masked again so that nothing unmasked is written
whoever calls. The table sits in the store's metadata (schema version 2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)

from bot.feedback.masking import mask
from bot.store.period import as_utc, between
from bot.store.store import Store, metadata

# Slack allows 40,000 characters in a message; a question worth a maintainer's look is shorter.
MAX_QUESTION_CHARS = 2000
MAX_GROUP_CHARS = 500

kept_questions = Table(
    "kept_questions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("text", Text, nullable=False),  # masked
    Column("grouped_as", String(MAX_GROUP_CHARS), nullable=False, index=True),
    Column("entry_id", String(64)),
    Column("confidence", Float),
    Column("surface", String(32), nullable=False),
    Column("dismissed_at", DateTime(timezone=True)),
    Column("dismissed_by", String(64)),
)


class QuestionKind(StrEnum):
    """Why a question was kept: the bot declined it, or someone voted its answer down."""

    DECLINED = "declined"
    VOTED_DOWN = "voted_down"


@dataclass(frozen=True)
class KeptQuestion:
    """A question as kept: masked text, the form it is grouped by, and what became of it."""

    id: int
    created_at: dt.datetime
    kind: QuestionKind
    text: str
    grouped_as: str
    entry_id: str | None  # the answer voted down; None for a decline
    confidence: float | None
    surface: str
    dismissed_at: dt.datetime | None = None
    dismissed_by: str | None = None


@dataclass(frozen=True)
class QuestionGroup:
    """Kept questions that read the same once normalised, shown by the latest one's text."""

    grouped_as: str
    text: str
    count: int
    first_at: dt.datetime
    last_at: dt.datetime
    kinds: tuple[QuestionKind, ...]
    entry_ids: tuple[str, ...]
    ids: tuple[int, ...]  # to dismiss the group


class QuestionStore:
    """Kept questions, on the engine (and so the timeouts) of a ``Store``."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine

    def keep_question(
        self,
        text: str,
        grouped_as: str,
        *,
        kind: QuestionKind,
        surface: str,
        entry_id: str | None = None,
        confidence: float | None = None,
        now: dt.datetime | None = None,
    ) -> int:
        """Write a question for the maintainers; returns its id. ``grouped_as`` is the
        normalised form of the masked text; both are masked (again) before they are written."""
        values = dict(
            created_at=as_utc(now),
            kind=QuestionKind(kind).value,
            text=mask(text)[:MAX_QUESTION_CHARS],
            grouped_as=mask(grouped_as)[:MAX_GROUP_CHARS],
            entry_id=entry_id,
            confidence=confidence,
            surface=surface,
        )
        with self.engine.begin() as conn:
            key = conn.execute(insert(kept_questions).values(**values)).inserted_primary_key
        assert key is not None  # an INSERT of one row has one
        return int(key[0])

    def kept_questions(
        self,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        *,
        kind: QuestionKind | None = None,
        dismissed: bool | None = False,
    ) -> list[KeptQuestion]:
        """Questions kept in [since, until), oldest first: those not dismissed, those
        dismissed (``dismissed=True``) or all (``None``)."""
        c = kept_questions.c
        query = select(kept_questions).order_by(c.created_at, c.id)
        query = query.where(*between(c.created_at, since, until))
        if kind is not None:
            query = query.where(c.kind == QuestionKind(kind).value)
        if dismissed is not None:
            done = c.dismissed_at.is_not(None)
            query = query.where(done if dismissed else ~done)
        with self.engine.connect() as conn:
            return [_kept(r) for r in conn.execute(query).mappings()]

    def question_groups(
        self,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        *,
        kind: QuestionKind | None = None,
        dismissed: bool | None = False,
        limit: int | None = None,
    ) -> list[QuestionGroup]:
        """Kept questions grouped by normalised form: most asked first, then the latest."""
        groups = group_questions(self.kept_questions(since, until, kind=kind, dismissed=dismissed))
        return groups if limit is None else groups[:limit]

    def dismiss_questions(self, ids: Iterable[int], by: str, now: dt.datetime | None = None) -> int:
        """Take questions off the maintainers' queue; returns how many were still on it. The
        same question asked again later is a new one, on the queue again."""
        ids = list(ids)
        if not ids:
            return 0
        c = kept_questions.c
        with self.engine.begin() as conn:
            result = conn.execute(
                update(kept_questions)
                .where(c.id.in_(ids), c.dismissed_at.is_(None))
                .values(dismissed_at=as_utc(now), dismissed_by=by[:64])
            )
        return result.rowcount or 0

    def purge_questions(self, older_than: dt.datetime) -> int:
        """Delete the questions kept before ``older_than``; returns how many went."""
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(kept_questions).where(kept_questions.c.created_at < as_utc(older_than))
            )
        return result.rowcount or 0


def group_questions(questions: Iterable[KeptQuestion]) -> list[QuestionGroup]:
    """Questions grouped by normalised form: most asked first, then most recent, then by form."""
    members: dict[str, list[KeptQuestion]] = {}
    for question in questions:
        members.setdefault(question.grouped_as, []).append(question)
    groups = []
    for grouped_as, found in members.items():
        found.sort(key=lambda q: (q.created_at, q.id))
        groups.append(
            QuestionGroup(
                grouped_as=grouped_as,
                text=found[-1].text,
                count=len(found),
                first_at=found[0].created_at,
                last_at=found[-1].created_at,
                kinds=tuple(dict.fromkeys(q.kind for q in found)),
                entry_ids=tuple(dict.fromkeys(q.entry_id for q in found if q.entry_id)),
                ids=tuple(q.id for q in found),
            )
        )
    groups.sort(key=lambda g: (-g.count, -g.last_at.timestamp(), g.grouped_as))
    return groups


def _kept(r: Any) -> KeptQuestion:
    return KeptQuestion(
        id=r["id"],
        created_at=as_utc(r["created_at"]),
        kind=QuestionKind(r["kind"]),
        text=r["text"],
        grouped_as=r["grouped_as"],
        entry_id=r["entry_id"],
        confidence=r["confidence"],
        surface=r["surface"],
        dismissed_at=as_utc(r["dismissed_at"]) if r["dismissed_at"] else None,
        dismissed_by=r["dismissed_by"],
    )
