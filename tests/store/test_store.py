"""Claims are decided by the database: first claim wins, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.store import Store, StoreError
from tests.store.conftest import postgres_url_or_skip

T0 = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)


def test_event_claimed_once(store: Store) -> None:
    assert store.claim_event("Ev1") is True
    assert store.claim_event("Ev1") is False
    assert store.claim_event("Ev2") is True


def test_concurrent_claims_have_one_winner(store_url: str) -> None:
    stores = [Store(store_url) for _ in range(4)]
    stores[0].create_schema()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda s: s.claim_event("race"), stores * 5))
    assert results.count(True) == 1
    for s in stores:
        s.close()


def test_purge_forgets_old_claims(store: Store) -> None:
    store.claim_event("old", now=T0 - dt.timedelta(days=2))
    store.claim_event("new", now=T0)
    assert store.purge_events(T0 - dt.timedelta(days=1)) == 1
    assert store.claim_event("old") is True
    assert store.claim_event("new") is False


def test_a_claim_once_outlives_the_purge(store: Store) -> None:
    assert store.claim_once("welcome:U1", now=T0 - dt.timedelta(days=400)) is True
    store.claim_event("once_upon", now=T0 - dt.timedelta(days=2))  # only the prefix is kept
    assert store.purge_events(T0) == 1
    assert store.claim_once("welcome:U1") is False
    assert store.claim_once("welcome:U2") is True
    assert store.claim_event("welcome:U1") is True  # an event claim is another key


def test_query_log_keeps_no_question_text(store: Store) -> None:
    store.record_query("command", "q14", 0.93, 12.5)
    store.record_query("mention", None, 0.2, 8.0)
    assert store.query_count() == 2


def test_schema_creation_is_repeatable(store: Store) -> None:
    store.create_schema()
    assert store.ping()


def test_bad_url_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="QABOT_DATABASE_URL"):
        Store("not a url at all")


def test_password_hidden_in_safe_url() -> None:
    store = Store("postgresql://user:secret@127.0.0.1:1/db")
    assert "secret" not in store.safe_url
    assert not store.ping()


@pytest.mark.postgres
def test_postgresql_statements_time_out_and_url_options_are_kept() -> None:
    base = postgres_url_or_skip()
    store = Store(f"{base}?options=-csearch_path%3Dmine")
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "5s"
            assert conn.exec_driver_sql("SHOW search_path").scalar() == "mine"
    finally:
        store.close()
