"""The state store: one SQLAlchemy implementation for SQLite (default) and PostgreSQL.

Every claim is an INSERT on a primary key, so the database, not the process, decides who won:
two replicas sharing a database can never both claim the same event or digest slot.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import (
    ArgumentError,
    IntegrityError,
    OperationalError,
    ProgrammingError,
    SQLAlchemyError,
)

from bot.store import url as database_url
from bot.store.period import as_utc, between

# 1: event claims, query log, digest slots. 2: answer votes and kept questions (their tables
# are in votes.py and questions.py). 3: reply jobs (jobs.py). Each version only adds tables,
# which create_all makes.
SCHEMA_VERSION = 3
_SCHEMA_ATTEMPTS = 10

metadata = MetaData()

schema_info = Table(
    "qabot_schema",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
)

event_claims = Table(
    "event_claims",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("claimed_at", DateTime(timezone=True), nullable=False, index=True),
)

query_log = Table(
    "query_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("surface", String(32), nullable=False),
    Column("entry_id", String(64)),
    Column("score", Float),
    Column("latency_ms", Float),
)

digest_slots = Table(
    "digest_slots",
    metadata,
    Column("schedule", String(128), primary_key=True),
    Column("due_at", DateTime(timezone=True), primary_key=True),
    Column("channel", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # claimed | posted | failed
    Column("owner", String(128), nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("lease_until", DateTime(timezone=True), nullable=False),
    Column("entry_id", String(64)),
    Column("posted_at", DateTime(timezone=True)),
    Column("message_ts", String(64)),
    Column("attempts", Integer, nullable=False, default=0),
    Column("error", Text),
)


class StoreError(Exception):
    """The store cannot be reached or used; the message says which URL and why."""


@dataclass(frozen=True)
class SlotRecord:
    """One digest slot as recorded."""

    schedule: str
    due_at: dt.datetime
    channel: str
    status: str
    entry_id: str | None
    attempts: int
    error: str | None
    owner: str = ""
    lease_until: dt.datetime | None = None
    message_ts: str | None = None


@dataclass(frozen=True)
class LoggedQuery:
    """A row of the query log: when, where, which entry answered (None: declined), how sure."""

    at: dt.datetime
    surface: str
    entry_id: str | None
    score: float | None


# Claims under this prefix are memories (who was welcomed), not redelivery guards.
ONCE_PREFIX = "once:"


def default_owner() -> str:
    """A name for this process in the store's leases (slot claims, reply jobs): host, pid and
    a random tag."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands back naive datetimes; everything we store is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


class Store:
    """Claims of events and digest slots, and a log of answered queries."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _engine(url)

    def create_schema(self) -> None:
        """Create missing tables and record the schema version; safe to run on every start."""
        for attempt in range(_SCHEMA_ATTEMPTS):
            try:
                self._create_schema()
                return
            except OperationalError as exc:
                # SQLite answers "database is locked" at once, without waiting, when another
                # process wrote between this transaction's read and its write: start again.
                if "locked" not in str(exc) or attempt == _SCHEMA_ATTEMPTS - 1:
                    raise StoreError(
                        f"{self.safe_url}: cannot prepare the state store: {exc}"
                    ) from None
                time.sleep(0.05 * (attempt + 1))

    def _create_schema(self) -> None:
        try:
            self._create_tables()
            with self.engine.begin() as conn:
                current = conn.execute(select(schema_info.c.version)).scalar()
                if current is None:
                    conn.execute(insert(schema_info).values(id=1, version=SCHEMA_VERSION))
                elif current < SCHEMA_VERSION:
                    # An older qabot's database: its missing tables were created just above.
                    conn.execute(
                        update(schema_info)
                        .where(schema_info.c.version < SCHEMA_VERSION)
                        .values(version=SCHEMA_VERSION)
                    )
                elif current > SCHEMA_VERSION:
                    raise StoreError(
                        f"{self.safe_url}: schema version {current} is newer than this "
                        f"qabot ({SCHEMA_VERSION}); upgrade qabot"
                    )
        except IntegrityError:
            pass  # another replica created the schema at the same moment; it is there now
        except OperationalError:
            raise
        except SQLAlchemyError as exc:
            raise StoreError(f"{self.safe_url}: cannot prepare the state store: {exc}") from None

    def _create_tables(self) -> None:
        # Another replica may create a table between our check and our CREATE; look again.
        # Each retry finds at least one more table in place, so a few always suffice.
        for _ in range(len(metadata.tables)):
            try:
                metadata.create_all(self.engine)
                return
            except (OperationalError, ProgrammingError) as exc:
                if "already exists" not in str(exc):
                    raise
        metadata.create_all(self.engine)

    @property
    def safe_url(self) -> str:
        """The URL with any password hidden, fit for logs and errors."""
        return database_url.shown(database_url.parse(self.url))

    def ping(self) -> bool:
        """Whether the store takes a write: a claim is written and rolled back.

        ``SELECT 1`` passes on a read-only file or a standby server, where every claim fails.
        """
        try:
            with self.engine.connect() as conn:
                transaction = conn.begin()
                try:
                    conn.execute(insert(event_claims).values(key=_HEALTH_KEY, claimed_at=_utcnow()))
                finally:
                    transaction.rollback()
            return True
        except SQLAlchemyError:
            return False

    def close(self) -> None:
        self.engine.dispose()

    # -- events ------------------------------------------------------------------------------

    def claim_event(self, key: str, now: dt.datetime | None = None) -> bool:
        """True for the first claim of ``key`` anywhere; False for every later one."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(event_claims).values(key=key[:255], claimed_at=now or _utcnow())
                )
            return True
        except IntegrityError:
            return False

    def purge_events(self, older_than: dt.datetime) -> int:
        """Forget claims older than Slack's retry window; returns how many were removed.

        Claims made with ``claim_once`` are never forgotten."""
        c = event_claims.c
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(event_claims).where(
                    c.claimed_at < older_than, ~c.key.startswith(ONCE_PREFIX, autoescape=True)
                )
            )
        return result.rowcount or 0

    def claim_once(self, key: str, now: dt.datetime | None = None) -> bool:
        """True the first time ``key`` is claimed ever (e.g. a person's welcome), False after:
        unlike an event claim, the purge keeps it."""
        return self.claim_event(ONCE_PREFIX + key, now)

    # -- query log ---------------------------------------------------------------------------

    def record_query(
        self,
        surface: str,
        entry_id: str | None,
        score: float | None,
        latency_ms: float | None,
        now: dt.datetime | None = None,
    ) -> None:
        """Log what was answered, not what was asked: the question text is never stored."""
        with self.engine.begin() as conn:
            conn.execute(
                insert(query_log).values(
                    at=now or _utcnow(),
                    surface=surface,
                    entry_id=entry_id,
                    score=score,
                    latency_ms=latency_ms,
                )
            )

    def query_count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(query_log)).scalar_one()

    def logged_queries(
        self, since: dt.datetime | None = None, until: dt.datetime | None = None
    ) -> list[LoggedQuery]:
        """Rows of the query log in [since, until), oldest first."""
        c = query_log.c
        query = select(c.at, c.surface, c.entry_id, c.score).order_by(c.at, c.id)
        query = query.where(*between(c.at, since, until))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [LoggedQuery(as_utc(r.at), r.surface, r.entry_id, r.score) for r in rows]

    # -- digest slots ------------------------------------------------------------------------

    def claim_slot(
        self,
        schedule: str,
        due_at: dt.datetime,
        channel: str,
        owner: str,
        lease: dt.timedelta,
        now: dt.datetime | None = None,
    ) -> bool:
        """Claim a (schedule, due time) slot; an expired claim whose poster died is taken over."""
        now = now or _utcnow()
        values = dict(
            channel=channel,
            status="claimed",
            owner=owner,
            claimed_at=now,
            lease_until=now + lease,
        )
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(digest_slots).values(
                        schedule=schedule, due_at=due_at, attempts=0, **values
                    )
                )
            return True
        except IntegrityError:
            pass
        # Conditional UPDATE: only one contender can match the expired lease it read.
        with self.engine.begin() as conn:
            result = conn.execute(
                update(digest_slots)
                .where(
                    digest_slots.c.schedule == schedule,
                    digest_slots.c.due_at == due_at,
                    digest_slots.c.status == "claimed",
                    digest_slots.c.lease_until < now,
                )
                .values(**values)
            )
        return (result.rowcount or 0) == 1

    def finish_slot(
        self,
        schedule: str,
        due_at: dt.datetime,
        *,
        posted: bool,
        entry_id: str | None = None,
        message_ts: str | None = None,
        error: str | None = None,
        attempts: int = 1,
        owner: str | None = None,
    ) -> None:
        """Record the outcome of a claimed slot: posted, or failed with its error."""
        query = update(digest_slots).where(
            digest_slots.c.schedule == schedule, digest_slots.c.due_at == due_at
        )
        if owner is not None:
            query = query.where(digest_slots.c.owner == owner)
        with self.engine.begin() as conn:
            conn.execute(
                query.values(
                    status="posted" if posted else "failed",
                    entry_id=entry_id,
                    message_ts=message_ts,
                    posted_at=_utcnow() if posted else None,
                    error=error,
                    attempts=attempts,
                )
            )

    def start_attempt(
        self,
        schedule: str,
        due_at: dt.datetime,
        owner: str,
        *,
        attempts: int,
        entry_id: str | None,
        lease_until: dt.datetime,
    ) -> bool:
        """Note a post attempt before making it; False when the claim is no longer ``owner``'s."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(digest_slots)
                .where(*self._owned(schedule, due_at, owner))
                .values(attempts=attempts, entry_id=entry_id, lease_until=lease_until)
            )
        return (result.rowcount or 0) == 1

    def release_slot(
        self,
        schedule: str,
        due_at: dt.datetime,
        owner: str,
        *,
        retry_at: dt.datetime,
        error: str,
        attempts: int,
    ) -> None:
        """Give a claimed slot back after failed attempts; anyone may retry it from ``retry_at``."""
        with self.engine.begin() as conn:
            conn.execute(
                update(digest_slots)
                .where(*self._owned(schedule, due_at, owner))
                .values(lease_until=retry_at, error=error, attempts=attempts)
            )

    @staticmethod
    def _owned(schedule: str, due_at: dt.datetime, owner: str) -> tuple:
        return (
            digest_slots.c.schedule == schedule,
            digest_slots.c.due_at == due_at,
            digest_slots.c.status == "claimed",
            digest_slots.c.owner == owner,
        )

    def slot(self, schedule: str, due_at: dt.datetime) -> SlotRecord | None:
        """One recorded slot, or None when it was never claimed."""
        query = select(digest_slots).where(
            digest_slots.c.schedule == schedule, digest_slots.c.due_at == due_at
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return _slot_record(row) if row else None

    def slots(self, schedule: str | None = None) -> list[SlotRecord]:
        """Recorded slots, oldest first."""
        query = select(digest_slots).order_by(digest_slots.c.due_at)
        if schedule is not None:
            query = query.where(digest_slots.c.schedule == schedule)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [_slot_record(r) for r in rows]

    def posted_entries(self, channel: str) -> list[str]:
        """Entry ids already posted to ``channel`` by any schedule, oldest first."""
        query = (
            select(digest_slots.c.entry_id)
            .where(
                digest_slots.c.channel == channel,
                digest_slots.c.status == "posted",
                digest_slots.c.entry_id.is_not(None),
            )
            .order_by(digest_slots.c.posted_at)
        )
        with self.engine.connect() as conn:
            return [row[0] for row in conn.execute(query)]


# Written and rolled back by ``ping``; never committed, so it never collides with a claim.
_HEALTH_KEY = "health:write-check"
# A store that stops answering must not hold a reply or a health check for long.
CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_MS = 5000
_TIMEOUT_OPTION = f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"


def _slot_record(r) -> SlotRecord:
    return SlotRecord(
        schedule=r["schedule"],
        due_at=_aware(r["due_at"]) or r["due_at"],  # the column is NOT NULL
        channel=r["channel"],
        status=r["status"],
        entry_id=r["entry_id"],
        attempts=r["attempts"],
        error=r["error"],
        owner=r["owner"],
        lease_until=_aware(r["lease_until"]),
        message_ts=r["message_ts"],
    )


def _engine(url: str) -> Engine:
    try:
        parsed = database_url.parse(url)
    except database_url.DatabaseUrlError as exc:
        raise StoreError(str(exc)) from None
    shown = database_url.shown(parsed)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            try:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{shown}: cannot create its directory: {exc.strerror}") from None
        engine = create_engine(parsed, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(conn, _record) -> None:
            # WAL lets readers and one writer work at once; the busy timeout makes two
            # processes wait for each other instead of failing with "database is locked".
            # synchronous=NORMAL is WAL's safe setting: no fsync per commit (a claim costs
            # a tenth), and a power cut can lose only the last commits, never corrupt.
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        # Options the URL gives (a search_path, say) are kept; the timeout is added to them.
        given = parsed.query.get("options", "")
        options = " ".join([*([given] if isinstance(given, str) else given), _TIMEOUT_OPTION])
        return create_engine(
            parsed.difference_update_query(["options"]),
            pool_pre_ping=True,
            pool_timeout=CONNECT_TIMEOUT_S,
            connect_args={
                "connect_timeout": CONNECT_TIMEOUT_S,
                "options": options.strip(),
                # A server that stops answering (frozen, or cut off) is noticed by TCP too.
                "keepalives": 1,
                "keepalives_idle": 5,
                "keepalives_interval": 2,
                "keepalives_count": 2,
            },
        )
    except ArgumentError as exc:  # an unknown dialect or driver, e.g. postgres://
        raise StoreError(
            f"QABOT_DATABASE_URL: cannot use {shown}: {exc}; use postgresql+psycopg://... "
            "or sqlite:///..."
        ) from None
    except (ImportError, OperationalError) as exc:
        raise StoreError(f"QABOT_DATABASE_URL: cannot use {shown}: {exc}") from None
