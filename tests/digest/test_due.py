"""Due times: cron read in the schedule's zone, right across daylight-saving changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digest.due import due_between, last_due, next_due, slot_due

NY = ZoneInfo("America/New_York")
UTC = dt.UTC


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def test_monday_nine_in_new_york_across_spring_forward() -> None:
    # Clocks go forward on Sunday 8 March 2026: 9:00 is 14:00 UTC before, 13:00 UTC after.
    assert due_between("0 9 * * 1", NY, utc(2026, 2, 28), utc(2026, 3, 17)) == [
        utc(2026, 3, 2, 14),
        utc(2026, 3, 9, 13),
        utc(2026, 3, 16, 13),
    ]


def test_monday_nine_in_new_york_across_fall_back() -> None:
    # Clocks go back on Sunday 1 November 2026.
    assert due_between("0 9 * * 1", NY, utc(2026, 10, 25), utc(2026, 11, 10)) == [
        utc(2026, 10, 26, 13),
        utc(2026, 11, 2, 14),
        utc(2026, 11, 9, 14),
    ]


def test_time_skipped_by_spring_forward_comes_after_the_gap_once() -> None:
    days = due_between("30 2 * * *", NY, utc(2026, 3, 7), utc(2026, 3, 10))
    assert [d.astimezone(NY).strftime("%d %H:%M %Z") for d in days] == [
        "07 02:30 EST",
        "08 03:30 EDT",
        "09 02:30 EDT",
    ]


def test_hourly_has_no_duplicate_in_the_spring_gap() -> None:
    hours = due_between("0 * * * *", NY, utc(2026, 3, 8, 5), utc(2026, 3, 8, 9))
    assert hours == [utc(2026, 3, 8, 6), utc(2026, 3, 8, 7), utc(2026, 3, 8, 8), utc(2026, 3, 8, 9)]


def test_repeated_hour_in_autumn_is_due_once() -> None:
    days = due_between("30 1 * * *", NY, utc(2026, 10, 31, 12), utc(2026, 11, 2, 12))
    assert days == [utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]  # 01:30 EDT, then EST


def test_last_and_next_around_a_due_time() -> None:
    due = utc(2026, 3, 9, 13)
    assert last_due("0 9 * * 1", NY, due) == due
    assert last_due("0 9 * * 1", NY, due - dt.timedelta(seconds=1)) == utc(2026, 3, 2, 14)
    assert next_due("0 9 * * 1", NY, due) == utc(2026, 3, 16, 13)
    assert next_due("0 9 * * 1", NY, due - dt.timedelta(seconds=1)) == due


def test_grace_period() -> None:
    grace = dt.timedelta(hours=6)
    due = utc(2026, 3, 9, 13)
    assert slot_due("0 9 * * 1", NY, due, grace) == due
    assert slot_due("0 9 * * 1", NY, due + grace, grace) == due
    assert slot_due("0 9 * * 1", NY, due + grace + dt.timedelta(seconds=1), grace) is None


def test_catch_up_after_downtime_is_the_latest_slot_only() -> None:
    # Down for three weeks: the slot to post is the most recent Monday, not the three missed.
    now = utc(2026, 3, 23, 15)
    assert slot_due("0 9 * * 1", NY, now, dt.timedelta(hours=6)) == utc(2026, 3, 23, 13)


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2028, 12, 31)),
    st.sampled_from(["0 9 * * 1", "30 2 * * *", "0 * * * *", "15 1 1 * *", "*/20 0-3 * * 0"]),
    st.sampled_from(["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "UTC"]),
)
def test_last_and_next_bracket_now(naive: dt.datetime, cron: str, zone: str) -> None:
    now = naive.replace(tzinfo=UTC)
    tz = ZoneInfo(zone)
    before, after = last_due(cron, tz, now), next_due(cron, tz, now)
    assert before <= now < after
    # Nothing is due in between: the one after ``before`` is ``after``.
    assert next_due(cron, tz, before) == after
    assert due_between(cron, tz, before, after) == [after]


# Instants of clock changes: New York spring and autumn 2026, Lord Howe's half hour back.
CHANGES = [
    ("America/New_York", utc(2026, 3, 8, 7)),
    ("America/New_York", utc(2026, 11, 1, 6)),
    ("Australia/Lord_Howe", utc(2026, 4, 4, 15)),
]


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(CHANGES),
    st.integers(min_value=-300, max_value=300),
    st.sampled_from(["* * * * *", "*/7 * * * *", "30 1,2 * * *", "0 * * * *", "45 3 * * *"]),
)
def test_bracketing_holds_near_clock_changes(
    change: tuple[str, dt.datetime], minutes: int, cron: str
) -> None:
    zone, instant = change
    tz = ZoneInfo(zone)
    now = instant + dt.timedelta(minutes=minutes, seconds=17)
    before, after = last_due(cron, tz, now), next_due(cron, tz, now)
    assert before <= now < after
    assert next_due(cron, tz, before) == after
    assert due_between(cron, tz, before, after) == [after]
