"""The report printed three ways: a table for people, CSV and JSON for tools.

CSV and JSON carry every figure of the report and read back to the same numbers: counts as
integers, rates as the report's own four-decimal floats (empty in CSV, null in JSON, when there
is nothing to divide), times in ISO 8601 UTC. The table shows the first rows of the longer lists.

A question that begins like a spreadsheet formula (=, +, -, @) gets a leading ' in CSV, so that
opening the file cannot run what someone typed to the bot.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Container, Sequence
from typing import Any

from bot.feedback.report import AskedQuestion, Figures, Report

TABLE_ROWS = 20
COUNTS = ("asked", "answered", "declined", "chosen", "votes_up", "votes_down")
RATES = ("decline_rate", "vote_rate", "helpful_rate")
CSV_COLUMNS = (
    "section",
    "day",
    "entry_id",
    "question",
    "grouped_as",
    "count",
    "last_at",
    *COUNTS,
    *RATES,
    "since",
    "until",
)


def render(report: Report, form: str) -> str:
    """``report`` as ``table``, ``csv`` or ``json``."""
    return {"table": to_table, "csv": to_csv, "json": to_json}[form](report)


# -- JSON ----------------------------------------------------------------------------------------


def to_json(report: Report) -> str:
    return json.dumps(as_dict(report), ensure_ascii=False, indent=2) + "\n"


def as_dict(report: Report) -> dict[str, Any]:
    return {
        "since": _time(report.since),
        "until": _time(report.until),
        "keep_questions_days": report.keep_questions_days,
        "declined_questions": [_question(q) for q in report.declined],
        "voted_down_questions": [_question(q) for q in report.voted_down_questions],
        "answers_voted_down": [
            {"entry_id": v.entry_id, "votes_down": v.votes_down, "votes_up": v.votes_up}
            for v in report.voted_down
        ],
        "never_asked": list(report.never_asked),
        "days": [{"day": d.day.isoformat(), **_figures(d.figures)} for d in report.days],
        "total": _figures(report.total),
    }


def _figures(f: Figures) -> dict[str, Any]:
    return {**{name: getattr(f, name) for name in COUNTS}, **{r: getattr(f, r) for r in RATES}}


def _question(q: AskedQuestion) -> dict[str, Any]:
    return {
        "question": q.question,
        "grouped_as": q.grouped_as,
        "count": q.count,
        "last_at": _time(q.last_at),
        "entry_ids": list(q.entry_ids),
    }


def _time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


# -- CSV -----------------------------------------------------------------------------------------


def to_csv(report: Report) -> str:
    """One table for all sections, told apart by the ``section`` column."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerow(
        {"section": "period", "since": _time(report.since), "until": _time(report.until)}
    )
    for d in report.days:
        writer.writerow({"section": "day", "day": d.day.isoformat(), **_cells(d.figures)})
    writer.writerow({"section": "total", **_cells(report.total)})
    for section, questions in (
        ("declined_question", report.declined),
        ("voted_down_question", report.voted_down_questions),
    ):
        for q in questions:
            writer.writerow(
                {
                    "section": section,
                    "entry_id": " ".join(q.entry_ids),
                    "question": _inert(q.question),
                    "grouped_as": q.grouped_as,
                    "count": q.count,
                    "last_at": _time(q.last_at),
                }
            )
    for v in report.voted_down:
        writer.writerow(
            {
                "section": "answer_voted_down",
                "entry_id": v.entry_id,
                "votes_down": v.votes_down,
                "votes_up": v.votes_up,
            }
        )
    for entry_id in report.never_asked:
        writer.writerow({"section": "never_asked", "entry_id": entry_id})
    return out.getvalue()


def _inert(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _cells(f: Figures) -> dict[str, Any]:
    return {k: ("" if v is None else v) for k, v in _figures(f).items()}


# -- table ---------------------------------------------------------------------------------------


def to_table(report: Report) -> str:
    lines = [f"qabot report, {_when(report.since)} to {_when(report.until)} (UTC)", ""]
    lines += _declined(report)
    lines += _voted_down(report)
    lines += _never_asked(report)
    lines += _by_day(report)
    return "\n".join(lines).rstrip("\n") + "\n"


def _declined(report: Report) -> list[str]:
    title = "Questions declined most"
    if not report.questions_kept and not report.declined:
        return [
            f"{title}: no question text is kept (QABOT_KEEP_QUESTIONS_DAYS is 0). Set it to a",
            "number of days, such as QABOT_KEEP_QUESTIONS_DAYS=30, to keep declined questions",
            "(masked) for that long.",
            "",
        ]
    kept = f"kept {report.keep_questions_days} days, masked"
    if not report.declined:
        return [f"{title} ({kept}): none in this period.", ""]
    return [f"{title} ({kept}):", *_questions(report.declined, with_entries=False), ""]


def _voted_down(report: Report) -> list[str]:
    if report.voted_down:
        rows = [("ENTRY", "DOWN", "UP")]
        rows += [(v.entry_id, str(v.votes_down), str(v.votes_up)) for v in report.voted_down]
        lines = ["Answers voted down:", *_grid(rows, right=(1, 2))]
    else:
        lines = ["Answers voted down: none in this period."]
    if report.voted_down_questions:
        lines += ["", "Questions whose answer was voted down:"]
        lines += _questions(report.voted_down_questions, with_entries=True)
    return [*lines, ""]


def _questions(questions: tuple[AskedQuestion, ...], *, with_entries: bool) -> list[str]:
    head = ("COUNT", "LAST ASKED", *(("ENTRY",) if with_entries else ()), "QUESTION")
    rows = [head]
    for q in questions[:TABLE_ROWS]:
        entries = (" ".join(q.entry_ids) or "-",) if with_entries else ()
        rows.append((str(q.count), _when(q.last_at), *entries, _one_line(q.question)))
    lines = _grid(rows, right=(0,))
    if len(questions) > TABLE_ROWS:
        lines.append(f"  ... and {len(questions) - TABLE_ROWS} more (--format csv lists all)")
    return lines


def _never_asked(report: Report) -> list[str]:
    if not report.never_asked:
        return ["Entries never asked: none; every entry was answered in this period.", ""]
    count = len(report.never_asked)
    return [f"Entries never asked ({count}):", *_wrap(report.never_asked), ""]


def _by_day(report: Report) -> list[str]:
    head = "DAY ASKED ANSWERED DECLINED DECLINE_RATE CHOSEN UP DOWN VOTE_RATE HELPFUL"
    rows = [[name.replace("_", " ") for name in head.split()]]
    days = [(d.day.isoformat(), d.figures) for d in report.days]
    for label, f in [*days, ("total", report.total)]:
        asked = [str(f.asked), str(f.answered), str(f.declined), _percent(f.decline_rate)]
        voted = [str(f.chosen), str(f.votes_up), str(f.votes_down)]
        rows.append([label, *asked, *voted, _percent(f.vote_rate), _percent(f.helpful_rate)])
    notes = [
        "Asked: by slash command, mention or direct message. Chosen: suggestions pressed.",
        "Vote rate: votes per answer posted. Helpful: votes up per vote.",
    ]
    return ["By day:", *_grid(rows, right=range(1, 10)), "", *notes]


def _grid(rows: Sequence[Sequence[str]], right: Container[int] = ()) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  " + "  ".join(cells).rstrip())
    return lines


def _wrap(items: tuple[str, ...], width: int = 96) -> list[str]:
    lines, line = [], ""
    for item in items:
        if line and len(line) + 1 + len(item) > width:
            lines.append("  " + line)
            line = item
        else:
            line = f"{line} {item}" if line else item
    return [*lines, "  " + line] if line else lines


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _when(value: dt.datetime) -> str:
    return f"{value.astimezone(dt.UTC):%Y-%m-%d %H:%M}"


def _one_line(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
