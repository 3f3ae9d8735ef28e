"""The state store: one SQLAlchemy implementation for SQLite (default) and PostgreSQL.

Every claim is an INSERT on a primary key, so the database, not the process, decides who won:
two replicas sharing a database can never both claim the same event (or, in jobs.py, the same
reply or digest slot).
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
    Connection,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    column,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    table,
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
# are in votes.py and questions.py). 3: reply jobs (jobs.py). 4: digests are delivered as reply
# jobs; the slots' claims give way to a log of posted digests (digests.py). Versions 2 and 3
# only added tables, which create_all makes; 4 also moves rows (see _upgrade).
SCHEMA_VERSION = 4
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


class StoreError(Exception):
    """The store cannot be reached or used; the message says which URL and why."""


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
    """A name for this process in the store's leases (of reply jobs): host, pid and a random
    tag."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Store:
    """Claims of events, and a log of answered queries."""

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
                    # The version is raised first, and only one replica's UPDATE matches: the
                    # others wait for its transaction, then find nothing left to move.
                    raised = conn.execute(
                        update(schema_info)
                        .where(schema_info.c.version < SCHEMA_VERSION)
                        .values(version=SCHEMA_VERSION)
                    )
                    if raised.rowcount == 1:
                        _upgrade(conn, current)
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


# Written and rolled back by ``ping``; never committed, so it never collides with a claim.
_HEALTH_KEY = "health:write-check"
# A store that stops answering must not hold a reply or a health check for long.
CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_MS = 5000
_TIMEOUT_OPTION = f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"


# Schema 3's digest slots, as far as the upgrade to 4 reads them: their own metadata, so that
# create_all never makes the table again.
_slots_v3 = Table(
    "digest_slots",
    MetaData(),
    Column("schedule", String(128), primary_key=True),
    Column("due_at", DateTime(timezone=True), primary_key=True),
    Column("channel", String(64)),
    Column("status", String(16)),
    Column("entry_id", String(64)),
    Column("posted_at", DateTime(timezone=True)),
    Column("message_ts", String(64)),
)


def _upgrade(conn: Connection, current: int) -> None:
    """Move rows an older schema kept elsewhere; in the transaction that raised the version."""
    if current < 4:
        # Posted slots keep the rotation going. Claims, and slots that failed, are dropped:
        # from now on a slot's delivery is a reply job.
        names = ("schedule", "due_at", "channel", "entry_id", "message_ts", "posted_at")
        posts = table("digest_posts", *(column(name) for name in names))
        slots = _slots_v3.c
        conn.execute(
            insert(posts).from_select(
                names,
                select(
                    slots.schedule,
                    slots.due_at,
                    slots.channel,
                    slots.entry_id,
                    slots.message_ts,
                    func.coalesce(slots.posted_at, slots.due_at),
                ).where(slots.status == "posted"),
            )
        )
        # Dropped, not kept: a replica still running the older qabot then fails to claim a
        # slot, instead of posting one that a reply job posts too.
        _slots_v3.drop(conn)


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
