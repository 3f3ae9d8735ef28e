"""Reading a query: who is asking, which clause asks, and what kind of fact it wants."""

from __future__ import annotations

import re

from bot.matching import lexicon
from bot.matching.text import STOPWORDS, normalise

# "public defender: can ICE ..." or "i'm covering this for a paper - is PEP ...": a short label
# before a colon, or a first-person clause before a dash.
_PERSONA = re.compile(
    r"^(?P<who>[^:?\-—–]{2,40}?:|(?:i'?m|i am|as an?|we'?re|we are)\b[^:?]{2,80}?(?: - | — | – ))"
    r"\s*(?P<ask>.+)$",
    re.S | re.I,
)


_WANTS = {kind: re.compile(rx) for kind, rx in lexicon.QUESTION_TYPES.items()}


_CLAUSE_BREAK = re.compile(r"(?<=[.?!])\s+|\s+[—–-]+\s+|;\s+|\n+")
_MAY_BREAK = re.compile(r"[.?!;]\s|\s[—–-]|\n")
_QUESTION_WORDS = frozenset(
    "is are does do did can could will would should has have was were what when where who whom "
    "which why how any".split()
)


def split_clauses(text: str) -> list[str]:
    """The sentences and dash-separated clauses of ``text``; most queries are just one."""
    if not _MAY_BREAK.search(text):
        return [text]
    return [c for c in _CLAUSE_BREAK.split(text) if c.strip()]


def is_question(clause: str) -> bool:
    words = normalise(clause).split()
    return clause.rstrip().endswith("?") or bool(words and words[0] in _QUESTION_WORDS)


def split_persona(query: str) -> tuple[str, str]:
    """("public defender", "can ICE ...") for a leading "who I am" clause, else ("", query)."""
    if ":" not in query and " - " not in query and "—" not in query and "–" not in query:
        return "", query
    m = _PERSONA.match(query.strip())
    if not m:
        return "", query
    content = [w for w in normalise(m.group("ask")).split() if w not in STOPWORDS]
    if len(content) >= 2:
        return m.group("who").rstrip(":-—– "), m.group("ask")
    return "", query


def facts_wanted(normalised_query: str) -> frozenset[str]:
    """Kinds of fact a query asks for ("quantity" for "how many ..."), by its wording."""
    return frozenset(kind for kind, rx in _WANTS.items() if rx.search(normalised_query))
