"""What use shows about the content: questions declined most, answers voted down, entries never
asked, and the decline and vote rates by day. Figures only; ``formats`` prints them.

Read from the state store: the query log (every answer and decline, without its text), the
votes, and the kept questions (only when ``QABOT_KEEP_QUESTIONS_DAYS`` keeps any). Days are UTC
days; the first and the last of a period may be partial.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.store import QuestionGroup, QuestionKind, QuestionStore, Store, VoteStore

# Query-log rows of this surface are suggestions pressed under a decline, not questions asked.
CHOSEN_SURFACE = "action"
RATE_DIGITS = 4


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` to four decimals, or None when there is nothing to divide."""
    return round(part / whole, RATE_DIGITS) if whole else None


@dataclass(frozen=True)
class Figures:
    """Counts of one day, or of the whole period, and the rates made from them."""

    asked: int = 0  # questions by slash command, mention or direct message
    answered: int = 0  # of those, answered
    declined: int = 0  # of those, declined
    chosen: int = 0  # suggestions pressed (each posts an answer)
    votes_up: int = 0
    votes_down: int = 0

    @property
    def decline_rate(self) -> float | None:
        """Declined questions per question asked."""
        return rate(self.declined, self.asked)

    @property
    def vote_rate(self) -> float | None:
        """Votes per answer posted (answered questions and suggestions pressed)."""
        return rate(self.votes_up + self.votes_down, self.answered + self.chosen)

    @property
    def helpful_rate(self) -> float | None:
        """Votes up per vote."""
        return rate(self.votes_up, self.votes_up + self.votes_down)

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.asked + other.asked,
            self.answered + other.answered,
            self.declined + other.declined,
            self.chosen + other.chosen,
            self.votes_up + other.votes_up,
            self.votes_down + other.votes_down,
        )


@dataclass(frozen=True)
class Day:
    """The figures of one UTC day."""

    day: dt.date
    figures: Figures


@dataclass(frozen=True)
class AskedQuestion:
    """Kept questions that read the same: the latest text, how often, and the entries involved."""

    question: str
    grouped_as: str
    count: int
    last_at: dt.datetime
    entry_ids: tuple[str, ...] = ()

    @classmethod
    def of(cls, group: QuestionGroup) -> AskedQuestion:
        return cls(group.text, group.grouped_as, group.count, group.last_at, group.entry_ids)


@dataclass(frozen=True)
class VotedDown:
    """An entry whose answer was voted down, with its votes either way."""

    entry_id: str
    votes_down: int
    votes_up: int


@dataclass(frozen=True)
class Report:
    """Everything ``qabot report`` shows, for [since, until)."""

    since: dt.datetime
    until: dt.datetime
    keep_questions_days: int
    declined: tuple[AskedQuestion, ...] = ()
    voted_down_questions: tuple[AskedQuestion, ...] = ()
    voted_down: tuple[VotedDown, ...] = ()
    never_asked: tuple[str, ...] = ()
    days: tuple[Day, ...] = ()

    @property
    def questions_kept(self) -> bool:
        return self.keep_questions_days > 0

    @property
    def total(self) -> Figures:
        return sum((d.figures for d in self.days), Figures())


def build_report(
    store: Store,
    entry_ids: Sequence[str],
    since: dt.datetime,
    until: dt.datetime,
    keep_questions_days: int,
) -> Report:
    """The report of [since, until) over the content whose entries are ``entry_ids``."""
    queries = store.logged_queries(since, until)
    votes = VoteStore(store).votes(since, until)
    kept = QuestionStore(store)
    counts: dict[dt.date, Counter[str]] = {d: Counter() for d in _days(since, until)}
    asked_entries = set()
    for q in queries:
        day = counts[q.at.astimezone(dt.UTC).date()]
        if q.entry_id is not None:
            asked_entries.add(q.entry_id)
        if q.surface == CHOSEN_SURFACE:
            day["chosen"] += 1
        else:
            day["asked"] += 1
            day["answered" if q.entry_id is not None else "declined"] += 1
    by_entry: dict[str, Counter[bool]] = {}
    for v in votes:
        day = counts[v.created_at.astimezone(dt.UTC).date()]
        day["votes_up" if v.helpful else "votes_down"] += 1
        by_entry.setdefault(v.entry_id, Counter())[v.helpful] += 1
    voted_down = sorted(
        (VotedDown(e, c[False], c[True]) for e, c in by_entry.items() if c[False]),
        key=lambda v: (-v.votes_down, v.votes_up, v.entry_id),
    )
    declined = kept.question_groups(since, until, kind=QuestionKind.DECLINED)
    behind_votes = kept.question_groups(since, until, kind=QuestionKind.VOTED_DOWN)
    return Report(
        since=since,
        until=until,
        keep_questions_days=keep_questions_days,
        declined=tuple(AskedQuestion.of(g) for g in declined),
        voted_down_questions=tuple(AskedQuestion.of(g) for g in behind_votes),
        voted_down=tuple(voted_down),
        never_asked=tuple(e for e in dict.fromkeys(entry_ids) if e not in asked_entries),
        days=tuple(Day(d, Figures(**c)) for d, c in counts.items()),
    )


def _days(since: dt.datetime, until: dt.datetime) -> list[dt.date]:
    first = since.astimezone(dt.UTC).date()
    last = (until - dt.timedelta(microseconds=1)).astimezone(dt.UTC).date()
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
