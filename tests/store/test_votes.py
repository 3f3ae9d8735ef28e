"""Votes on answers: one per voter and answer message, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.store import Store, VoteStore

T0 = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def votes(store: Store) -> VoteStore:
    return VoteStore(store)


def test_a_changed_vote_replaces_the_earlier_one(votes: VoteStore) -> None:
    first = votes.record_vote(
        "U1",
        "C1/1700000000.000100",
        entry_id="q14",
        helpful=True,
        surface="command",
        confidence=0.93,
        now=T0,
    )
    assert (first.helpful, first.created_at, first.updated_at) == (True, T0, T0)
    # The second click is on the same answer: entry, confidence and surface stay the answer's.
    second = votes.record_vote(
        "U1",
        "C1/1700000000.000100",
        entry_id="q15",
        helpful=False,
        surface="dm",
        confidence=0.1,
        now=T0 + MINUTE,
    )
    assert second.helpful is False
    assert (second.created_at, second.updated_at) == (T0, T0 + MINUTE)
    assert (second.entry_id, second.confidence, second.surface) == ("q14", 0.93, "command")
    assert votes.votes() == [second]
    assert votes.vote("U1", "C1/1700000000.000100") == second


def test_one_vote_per_voter_and_answer(votes: VoteStore) -> None:
    votes.record_vote("U1", "A1", entry_id="q14", helpful=True, surface="command", now=T0)
    votes.record_vote("U2", "A1", entry_id="q14", helpful=False, surface="command", now=T0)
    votes.record_vote("U1", "A2", entry_id="q7", helpful=False, surface="mention", now=T0)
    votes.record_vote("U1", "A1", entry_id="q14", helpful=True, surface="command", now=T0)
    found = {(v.voter, v.answer_key): v.helpful for v in votes.votes()}
    assert found == {("U1", "A1"): True, ("U2", "A1"): False, ("U1", "A2"): False}
    assert votes.vote("U3", "A1") is None


def test_votes_of_a_period_by_their_first_time(votes: VoteStore) -> None:
    for minutes, voter in enumerate(["U1", "U2", "U3", "U4"]):
        votes.record_vote(
            voter, "A1", entry_id="q1", helpful=True, surface="dm", now=T0 + minutes * MINUTE
        )
    # U1 changes its mind later: the vote still belongs to the time it was first cast.
    votes.record_vote("U1", "A1", entry_id="q1", helpful=False, surface="dm", now=T0 + 9 * MINUTE)
    window = votes.votes(since=T0, until=T0 + 2 * MINUTE)
    assert [(v.voter, v.helpful) for v in window] == [("U1", False), ("U2", True)]
    assert [v.voter for v in votes.votes(since=T0 + 2 * MINUTE)] == ["U3", "U4"]


def test_times_in_other_zones_are_stored_as_utc(votes: VoteStore) -> None:
    new_york = dt.timezone(dt.timedelta(hours=-5))
    vote = votes.record_vote(
        "U1", "A1", entry_id="q1", helpful=True, surface="dm", now=T0.astimezone(new_york)
    )
    assert vote.created_at == T0 and vote.created_at.tzinfo == dt.UTC
    assert votes.votes(since=(T0 - MINUTE).astimezone(new_york)) == [vote]
    assert votes.votes(until=T0.astimezone(new_york)) == []


def test_racing_votes_leave_one_consistent_row(store_url: str) -> None:
    stores = [Store(store_url) for _ in range(4)]
    stores[0].create_schema()
    voting = [VoteStore(s) for s in stores]

    def vote(i: int):
        return voting[i % 4].record_vote(
            "U1",
            "A1",
            entry_id="q3",
            helpful=i % 2 == 0,
            surface="mention",
            now=T0 + dt.timedelta(seconds=i),
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(vote, range(24)))
    (row,) = voting[0].votes()
    # Every write saw one row, first cast by whichever won the insert; the row holds the last
    # write's value and time together.
    assert {r.created_at for r in results} == {row.created_at}
    last = int((row.updated_at - T0).total_seconds())
    assert row.helpful == (last % 2 == 0)
    for s in stores:
        s.close()
