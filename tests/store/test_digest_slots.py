"""Digest slot claims beyond the first claim: attempts, giving back, and stale posters."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from bot.store import Store
from bot.store.store import metadata

T0 = dt.datetime(2026, 3, 9, 13, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(minutes=10)


def test_attempts_are_noted_only_by_the_owner(store: Store) -> None:
    assert store.slot("weekly", T0) is None
    store.claim_slot("weekly", T0, "C1", "a", LEASE, now=T0)
    until = T0 + 2 * LEASE
    assert store.start_attempt("weekly", T0, "a", attempts=1, entry_id="q2", lease_until=until)
    assert not store.start_attempt("weekly", T0, "b", attempts=1, entry_id="q9", lease_until=until)
    slot = store.slot("weekly", T0)
    assert slot is not None
    assert (slot.owner, slot.attempts, slot.entry_id, slot.lease_until) == ("a", 1, "q2", until)


def test_a_slot_given_back_is_claimable_from_its_retry_time(store: Store) -> None:
    store.claim_slot("weekly", T0, "C1", "a", LEASE, now=T0)
    retry_at = T0 + dt.timedelta(minutes=2)
    store.release_slot("weekly", T0, "a", retry_at=retry_at, error="internal_error", attempts=5)
    assert not store.claim_slot("weekly", T0, "C1", "b", LEASE, now=retry_at)
    assert store.claim_slot("weekly", T0, "C1", "b", LEASE, now=retry_at + dt.timedelta(seconds=1))
    slot = store.slot("weekly", T0)
    assert slot is not None and (slot.owner, slot.attempts, slot.error) == (
        "b",
        5,
        "internal_error",
    )


def test_a_stale_poster_cannot_overwrite_the_new_owner(store: Store) -> None:
    store.claim_slot("weekly", T0, "C1", "a", LEASE, now=T0)
    store.claim_slot("weekly", T0, "C1", "b", LEASE, now=T0 + 2 * LEASE)  # a's lease ran out
    store.finish_slot("weekly", T0, posted=False, error="late", owner="a")
    slot = store.slot("weekly", T0)
    assert slot is not None and (slot.status, slot.owner, slot.error) == ("claimed", "b", None)
    assert not store.start_attempt(
        "weekly", T0, "a", attempts=2, entry_id="q1", lease_until=T0 + 3 * LEASE
    )
    store.finish_slot("weekly", T0, posted=True, entry_id="q1", message_ts="9.1", owner="b")
    slot = store.slot("weekly", T0)
    assert slot is not None and (slot.status, slot.message_ts, slot.error) == (
        "posted",
        "9.1",
        None,
    )


def test_replicas_creating_the_schema_at_once_all_succeed(store_url: str) -> None:
    # Two processes starting together on a fresh database: neither may fail to start.
    for _ in range(5):
        stores = [Store(store_url) for _ in range(4)]
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda s: s.create_schema(), stores))
        assert all(s.ping() for s in stores)
        with stores[0].engine.begin() as conn:
            metadata.drop_all(conn)
        for s in stores:
            s.close()
