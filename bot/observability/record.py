"""One handled request as metrics and logs see it, built once per reply."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.responder import Reply, ReplyKind


class Surface(StrEnum):
    """Where a request came from in Slack."""

    COMMAND = "command"
    MENTION = "mention"
    DM = "dm"
    ACTION = "action"
    HOME = "home"  # the search box of the App Home tab


class Outcome(StrEnum):
    """What the bot did with it: answered, declined, or showed help, the list or the notices."""

    ANSWERED = "answered"
    DECLINED = "declined"
    HELP = "help"
    LIST = "list"
    NOTICE = "notice"
    CHOOSE = "choose"


_OUTCOMES = {
    ReplyKind.ANSWER: Outcome.ANSWERED,
    ReplyKind.DECLINE: Outcome.DECLINED,
    ReplyKind.HELP: Outcome.HELP,
    ReplyKind.LIST: Outcome.LIST,
    ReplyKind.NOTICE: Outcome.NOTICE,
    ReplyKind.CHOOSE: Outcome.CHOOSE,
}


@dataclass(frozen=True)
class RequestRecord:
    """Surface, outcome, entry id (None unless answered), match confidence and reply latency."""

    surface: Surface
    outcome: Outcome
    entry_id: str | None
    confidence: float | None
    latency_s: float

    @classmethod
    def from_reply(cls, surface: str, reply: Reply, latency_s: float) -> RequestRecord:
        """The record of a Responder reply that took ``latency_s`` seconds from receipt."""
        match = reply.match
        return cls(
            surface=Surface(surface),
            outcome=_OUTCOMES[reply.kind],
            entry_id=match.entry.id if match and match.entry else None,
            confidence=match.score if match else None,
            latency_s=latency_s,
        )
