"""The in-process guard against Slack's retries: seen keys are refused, old ones forgotten."""

from __future__ import annotations

from bot.slack.recent import RecentKeys


def test_a_key_is_claimed_once_until_it_is_forgotten() -> None:
    now = [0.0]
    recent = RecentKeys(keep=60, clock=lambda: now[0])
    assert recent.claim("a") and not recent.claim("a")
    now[0] = 59
    assert not recent.claim("a")
    now[0] = 61
    assert recent.claim("a")  # forgotten after a minute, claimed anew


def test_the_oldest_keys_make_room_for_new_ones() -> None:
    recent = RecentKeys(limit=3, clock=lambda: 0.0)
    assert all(recent.claim(k) for k in "abcd")
    assert recent.claim("a")  # pushed out by "d"
    assert not recent.claim("d")
