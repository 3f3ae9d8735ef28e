"""Slack's text escaping undone once: what the person typed, never a second unescape."""

from __future__ import annotations

from bot.slack.escaping import unescape


def test_entities_become_the_characters_typed() -> None:
    assert unescape("does 287(g) &amp; PEP still apply") == "does 287(g) & PEP still apply"
    assert unescape("a &lt; b &gt; c") == "a < b > c"


def test_one_pass_only() -> None:
    # Someone who typed "&lt;" literally is sent "&amp;lt;" and meant "&lt;".
    assert unescape("&amp;lt; &amp;amp;") == "&lt; &amp;"


def test_markup_and_other_entities_stay() -> None:
    assert unescape("<@U123> &quot;x&quot; &#39;") == "<@U123> &quot;x&quot; &#39;"
