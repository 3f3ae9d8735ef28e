"""Matching a question to the entry whose official answer answers it."""

from bot.matching.matcher import Matcher
from bot.matching.result import Candidate, Match
from bot.matching.semantic import Semantics

__all__ = ["Candidate", "Match", "Matcher", "Semantics"]
