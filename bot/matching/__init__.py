"""Matching a question to the entry whose official answer answers it."""

from bot.matching.matcher import DEFAULT_THRESHOLD, Candidate, Match, Matcher

__all__ = ["DEFAULT_THRESHOLD", "Candidate", "Match", "Matcher"]
