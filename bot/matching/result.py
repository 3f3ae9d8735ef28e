"""What matching returns: an entry or a decline, with the runners-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.content.models import Entry


@dataclass(frozen=True, slots=True)
class Candidate:
    """An entry and the confidence that it answers the query."""

    entry: Entry
    score: float


@dataclass(frozen=True, slots=True)
class Match:
    """The matcher's verdict: an entry, or ``None`` to decline, and the runners-up."""

    query: str
    entry: Entry | None
    score: float
    alternatives: tuple[Candidate, ...] = ()

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        """Every scored entry: the chosen one, if any, then the runners-up."""
        chosen = (Candidate(self.entry, self.score),) if self.entry is not None else ()
        return chosen + self.alternatives

    def as_dict(self) -> dict[str, Any]:
        """The match result of the outside interface (``ask --json``, ``match --jsonl``)."""
        return {
            "query": self.query,
            "id": self.entry.id if self.entry else None,
            "score": round(self.score, 4),
            "alternatives": [
                {"id": c.entry.id, "score": round(c.score, 4)} for c in self.alternatives
            ],
        }
