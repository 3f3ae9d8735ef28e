"""The schema version: a database of an older qabot is upgraded in place, a newer one refused."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import insert, inspect, select, update

from bot.store import JobStore, QuestionKind, QuestionStore, Store, StoreError, VoteStore
from bot.store.store import (
    SCHEMA_VERSION,
    digest_slots,
    event_claims,
    metadata,
    query_log,
    schema_info,
)

T0 = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
VERSION_1 = [schema_info, event_claims, query_log, digest_slots]


def version_1_database(url: str) -> Store:
    """A store as qabot with schema version 1 left it, with some of its rows."""
    store = Store(url)
    metadata.create_all(store.engine, tables=VERSION_1)
    with store.engine.begin() as conn:
        conn.execute(insert(schema_info).values(id=1, version=1))
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
    assert version(store) == SCHEMA_VERSION == 3
    tables = set(inspect(store.engine).get_table_names())
    assert {"answer_votes", "kept_questions", "reply_jobs"} <= tables
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


def test_replicas_upgrading_at_once(store_url: str) -> None:
    version_1_database(store_url).close()
    stores = [Store(store_url) for _ in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda s: s.create_schema(), stores))
    assert version(stores[0]) == SCHEMA_VERSION
    assert stores[0].query_count() == 1
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
