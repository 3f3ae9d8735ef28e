"""Measure a matcher on a labelled query file (the format of the development set)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.matching.matcher import Match, Matcher


@dataclass(frozen=True)
class LabelledQuery:
    text: str
    expect: frozenset[str]  # empty: out of scope, the matcher should decline


@dataclass
class Report:
    """Counts and misses of one evaluation run."""

    in_scope: int = 0
    correct: int = 0
    wrong: int = 0
    out_of_scope: int = 0
    declined: int = 0
    misses: list[tuple[LabelledQuery, Match]] = field(default_factory=list)

    @property
    def top1(self) -> float:
        return self.correct / self.in_scope if self.in_scope else 0.0

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.in_scope if self.in_scope else 0.0

    @property
    def decline_rate(self) -> float:
        return self.declined / self.out_of_scope if self.out_of_scope else 0.0


def load_queries(path: str | Path) -> list[LabelledQuery]:
    """Read ``in_scope`` (with ``expect``) and ``out_of_scope`` queries from YAML."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    queries = [
        LabelledQuery(str(item["q"]), frozenset(item.get("expect") or ()))
        for item in data.get("in_scope") or ()
    ]
    queries += [
        LabelledQuery(str(item["q"]), frozenset()) for item in data.get("out_of_scope") or ()
    ]
    return queries


def evaluate(matcher: Matcher, queries: list[LabelledQuery]) -> Report:
    report = Report()
    for query in queries:
        result = matcher.match(query.text)
        got = result.entry.id if result.entry else None
        if query.expect:
            report.in_scope += 1
            if got in query.expect:
                report.correct += 1
                continue
            if got is not None:
                report.wrong += 1
        else:
            report.out_of_scope += 1
            if got is None:
                report.declined += 1
                continue
        report.misses.append((query, result))
    return report


def format_report(report: Report, threshold: float) -> str:
    lines = []
    if report.misses:
        lines.append("misses:")
        for query, result in report.misses:
            got = result.entry.id if result.entry else "declined"
            expect = ",".join(sorted(query.expect)) or "decline"
            alts = " ".join(f"{c.entry.id}={c.score:.2f}" for c in result.alternatives[:3])
            lines.append(
                f"  {query.text!r}: got {got} ({result.score:.2f}), expected {expect}; {alts}"
            )
        lines.append("")
    lines += [
        f"threshold: {threshold:.2f}",
        f"top-1 accuracy (in scope):  {report.top1:6.1%}  ({report.correct}/{report.in_scope})",
        f"wrong answers (in scope):   {report.wrong_rate:6.1%}  ({report.wrong}/{report.in_scope})",
        f"out of scope declined:      {report.decline_rate:6.1%}  "
        f"({report.declined}/{report.out_of_scope})",
    ]
    return "\n".join(lines)
