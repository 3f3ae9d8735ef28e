"""The schema version: a database of an older qabot is upgraded in place, a newer one refused."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    event,
    insert,
    inspect,
    select,
    update,
)

from bot.store import (
    DigestLog,
    JobStore,
    QuestionKind,
    QuestionStore,
    Store,
    StoreError,
    VoteStore,
)
from bot.store.store import SCHEMA_VERSION, event_claims, metadata, query_log, schema_info

T0 = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
WEEK = dt.timedelta(days=7)

# The digest slots of schema versions 1 to 3: claims, leases and outcomes in one table.
digest_slots = Table(
    "digest_slots",
    MetaData(),
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
VERSION_1 = [schema_info, event_claims, query_log]


def slot(due_at: dt.datetime, status: str, entry: str | None, **values: object) -> dict:
    row = dict(posted_at=None, message_ts=None, error=None) | values
    return dict(
        row,
        schedule="weekly",
        due_at=due_at,
        channel="C1",
        status=status,
        owner="old",
        claimed_at=due_at,
        lease_until=due_at,
        entry_id=entry,
        attempts=1,
    )


def version_1_database(url: str) -> Store:
    """A store as qabot with schema version 1 left it, with some of its rows: three weekly
    digests posted (one by ``qabot digest post``, with no ts), one refused, one being posted."""
    store = Store(url)
    metadata.create_all(store.engine, tables=VERSION_1)
    digest_slots.create(store.engine)
    with store.engine.begin() as conn:
        conn.execute(insert(schema_info).values(id=1, version=1))
        conn.execute(
            insert(digest_slots),
            [
                slot(T0, "posted", "q1", posted_at=T0, message_ts="1.1"),
                slot(T0 + WEEK, "posted", "q2", posted_at=T0 + WEEK),
                slot(T0 + 2 * WEEK, "failed", "q3", error="not_in_channel"),
                slot(T0 + 3 * WEEK, "posted", "q3", posted_at=T0 + 3 * WEEK, message_ts="3.3"),
                slot(T0 + 4 * WEEK, "claimed", "q4"),
            ],
        )
    store.record_query("command", "q14", 0.93, 12.0, now=T0)
    store.claim_event("Ev1")
    return store


def version(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(schema_info.c.version)).scalar_one()


def test_a_version_1_database_is_upgraded(store_url: str) -> None:
    store = version_1_database(store_url)
    assert not inspect(store.engine).has_table("answer_votes")
    store.create_schema()
    assert version(store) == SCHEMA_VERSION == 4
    tables = set(inspect(store.engine).get_table_names())
    assert {"answer_votes", "kept_questions", "reply_jobs", "digest_posts"} <= tables
    # The slots' claims are gone; what was posted is in the log, and the rotation goes on.
    assert "digest_slots" not in tables
    log = DigestLog(store)
    assert [(p.due_at, p.entry_id, p.message_ts) for p in log.posts()] == [
        (T0, "q1", "1.1"),
        (T0 + WEEK, "q2", None),
        (T0 + 3 * WEEK, "q3", "3.3"),
    ]
    assert log.posted_entries("C1") == ["q1", "q2", "q3"]
    # What it held is still there, and the new tables work.
    assert store.query_count() == 1 and not store.claim_event("Ev1")
    VoteStore(store).record_vote("U1", "A1", entry_id="q14", helpful=True, surface="dm")
    QuestionStore(store).keep_question(
        "is pep over", "is pep over", kind=QuestionKind.DECLINED, surface="dm"
    )
    now = dt.datetime.now(dt.UTC)
    assert JobStore(store).enqueue(
        "event:Ev2", "dm", {}, owner="A", lease_until=now, expires_at=now, now=now
    )
    store.create_schema()  # and again at the next start: nothing to do
    assert version(store) == SCHEMA_VERSION
    store.close()


def read_version_together(stores: list[Store]) -> None:
    """Hold each store's first read of the schema version until all have read it, so that every
    one finds the old version and goes on to upgrade."""
    barrier = threading.Barrier(len(stores), timeout=20)
    for store in stores:
        waited: list[bool] = []

        @event.listens_for(store.engine, "after_cursor_execute")
        def after(conn, cursor, statement, *_, waited: list[bool] = waited) -> None:  # type: ignore[no-untyped-def]
            reads = statement.lstrip().startswith("SELECT") and "qabot_schema.version" in statement
            if reads and not waited:
                waited.append(True)
                barrier.wait()


def test_replicas_upgrading_at_once(store_url: str) -> None:
    version_1_database(store_url).close()
    stores = [Store(store_url) for _ in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda s: s.create_schema(), stores))
    assert version(stores[0]) == SCHEMA_VERSION
    assert stores[0].query_count() == 1
    assert len(DigestLog(stores[0]).posts()) == 3
    for s in stores:
        s.close()


def test_replicas_that_all_found_the_old_version_move_its_rows_once(store_url: str) -> None:
    old = version_1_database(store_url)
    metadata.create_all(old.engine)  # the new tables are there: every replica reads the version
    old.close()
    stores = [Store(store_url) for _ in range(4)]
    read_version_together(stores)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda s: s.create_schema(), stores))
    assert version(stores[0]) == SCHEMA_VERSION
    assert len(DigestLog(stores[0]).posts()) == 3
    assert not inspect(stores[0].engine).has_table("digest_slots")
    for s in stores:
        s.close()


def test_a_newer_schema_is_refused(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(update(schema_info).values(version=SCHEMA_VERSION + 1))
    with pytest.raises(StoreError, match="newer than this qabot"):
        store.create_schema()


def test_query_log_read_back_by_period(store: Store) -> None:
    hour = dt.timedelta(hours=1)
    store.record_query("command", "q14", 0.93, 12.0, now=T0)
    store.record_query("dm", None, 0.31, 9.0, now=T0 + hour)
    store.record_query("action", "q15", 1.0, 5.0, now=T0 + 2 * hour)
    rows = store.logged_queries(since=T0 + hour)
    assert [(r.at, r.surface, r.entry_id, r.score) for r in rows] == [
        (T0 + hour, "dm", None, 0.31),
        (T0 + 2 * hour, "action", "q15", 1.0),
    ]
    assert [r.entry_id for r in store.logged_queries(until=T0 + hour)] == ["q14"]
