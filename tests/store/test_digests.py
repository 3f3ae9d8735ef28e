"""The log of posted digests, on SQLite and PostgreSQL: one row per slot, read back in order."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

from bot.store import DigestLog, Store
from bot.store.store import metadata

T0 = dt.datetime(2026, 3, 9, 13, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def test_a_slot_is_logged_once_and_read_back(store: Store) -> None:
    log = DigestLog(store)
    assert log.post("weekly", T0) is None
    assert log.record("weekly", T0, "C1", "q2", "1.2", now=T0 + DAY)
    # A retry that found the post in the channel logs it again: the first row stays.
    assert not log.record("weekly", T0, "C1", "q9", "9.9")
    (post,) = log.posts("weekly")
    assert post == log.post("weekly", T0.astimezone(ZoneInfo("America/New_York")))
    assert (post.due_at, post.channel, post.entry_id, post.message_ts) == (T0, "C1", "q2", "1.2")
    assert post.posted_at == T0 + DAY


def test_posted_entries_of_a_channel_in_the_order_they_were_posted(store: Store) -> None:
    log = DigestLog(store)
    log.record("weekly", T0, "C1", "q3", "1", now=T0 + 2 * DAY)
    log.record("daily", T0 + DAY, "C1", "q1", "2", now=T0 + DAY)
    log.record("index", T0, "C1", None, "3", now=T0 + 3 * DAY)  # an index shows no entry
    log.record("other", T0, "C2", "q5", "4", now=T0)
    assert log.posted_entries("C1") == ["q1", "q3"]
    assert [p.schedule for p in log.posts()] == ["index", "other", "weekly", "daily"]


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
