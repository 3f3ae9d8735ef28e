"""The report over a scripted week of traffic: the table shows its figures, and CSV and JSON
read back to the very figures of the report."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter

import pytest

from bot.content import Catalogue
from bot.feedback.formats import to_csv, to_json, to_table
from bot.feedback.questions import QuestionKeeper
from bot.feedback.report import Figures, Report, build_report
from bot.store import QuestionKind, QuestionStore, Store, VoteStore

END = dt.datetime(2026, 3, 9, tzinfo=dt.UTC)  # a Monday, midnight UTC
SINCE = END - dt.timedelta(days=7)
DAYS = [SINCE.date() + dt.timedelta(days=n) for n in range(7)]
KEEP_DAYS = 30
DECLINED, VOTED_DOWN = QuestionKind.DECLINED, QuestionKind.VOTED_DOWN


def at(day: int, hour: int) -> dt.datetime:
    return SINCE + dt.timedelta(days=day, hours=hour)


# The query log: (day of the week, hour, surface, entry id, None for a decline).
TRAFFIC = (
    [(d, 9, "command", "q14") for d in range(7) for _ in range(d + 1)]
    + [(d, 11, "mention", "q7") for d in (0, 2, 4, 6)]
    + [(d, 15, "dm", None) for d in range(7) for _ in range(d % 3 + 1)]
    + [(3, 16, "action", "q15"), (5, 16, "action", "q14")]
    # Just outside the week: an hour before it, and the very moment it ends.
    + [(-1, 23, "command", "q1"), (7, 0, "dm", None)]
)

# Votes: (voter, answer message, entry, helpful, day, hour), in the order they are cast.
VOTES = [
    ("U1", "C1/1.1", "q14", True, 1, 10),
    ("U2", "C1/1.1", "q14", False, 1, 12),
    ("U1", "C1/1.1", "q14", False, 2, 8),  # U1 changes its mind
    ("U3", "C2/2.2", "q7", True, 4, 12),
    ("U4", "C3/3.3", "q7", False, 5, 12),
    ("U5", "D1/4.4", "q14", True, 6, 10),
    ("U6", "C1/0.5", "q22", False, -2, 10),  # before the week
]

# Questions kept: (text, kind, entry, day, hour).
KEPT = [
    ("Is PEP still in effect?", DECLINED, None, 1, 15),
    ("is pep still in effect", DECLINED, None, 2, 15),
    ("sanctuary cities?", DECLINED, None, 2, 16),  # dismissed below
    ("how many detention centers in Texas? call me 202-555-0123", DECLINED, None, 3, 15),
    ("what about DACA", DECLINED, None, 4, 15),
    ("IS PEP STILL IN EFFECT??", DECLINED, None, 5, 15),
    ("does this hit dreamers", VOTED_DOWN, "q7", 5, 12),
    ("What about DACA?", DECLINED, None, 6, 15),
    ("an old question", DECLINED, None, -3, 15),  # before the week
]


def fill(store: Store, keep_days: int = KEEP_DAYS) -> None:
    for day, hour, surface, entry in TRAFFIC:
        store.record_query(surface, entry, 0.9 if entry else 0.2, 10.0, now=at(day, hour))
    votes = VoteStore(store)
    for voter, answer, entry, helpful, day, hour in VOTES:
        votes.record_vote(
            voter, answer, entry_id=entry, helpful=helpful, surface="command", now=at(day, hour)
        )
    keeper = QuestionKeeper(QuestionStore(store), keep_days)
    for text, kind, entry, day, hour in KEPT:
        keeper.keep(text, kind, surface="dm", entry_id=entry, now=at(day, hour))
    questions = QuestionStore(store)
    for group in questions.question_groups():
        if group.text == "sanctuary cities?":
            questions.dismiss_questions(group.ids, by="U024BE7LH")


def expected_days() -> dict[dt.date, Figures]:
    """The figures of each day, counted from the script itself."""
    counts = {day: Counter[str]() for day in DAYS}
    for day, hour, surface, entry in TRAFFIC:
        if SINCE <= at(day, hour) < END:
            c = counts[at(day, hour).date()]
            if surface == "action":
                c["chosen"] += 1
            else:
                c["asked"] += 1
                c["answered" if entry else "declined"] += 1
    first_cast: dict[tuple[str, str], dt.datetime] = {}
    latest: dict[tuple[str, str], bool] = {}
    for voter, answer, _, helpful, day, hour in VOTES:
        first_cast.setdefault((voter, answer), at(day, hour))
        latest[(voter, answer)] = helpful
    for key, helpful in latest.items():
        if SINCE <= first_cast[key] < END:
            counts[first_cast[key].date()]["votes_up" if helpful else "votes_down"] += 1
    return {day: Figures(**c) for day, c in counts.items()}


@pytest.fixture
def report(store: Store, catalogue: Catalogue) -> Report:
    fill(store)
    return build_report(store, [e.id for e in catalogue.entries], SINCE, END, KEEP_DAYS)


def test_figures_of_the_week(report: Report, catalogue: Catalogue) -> None:
    assert {d.day: d.figures for d in report.days} == expected_days()
    # The same, counted by hand from the script above.
    total = report.total
    assert (total.asked, total.answered, total.declined, total.chosen) == (45, 32, 13, 2)
    assert (total.votes_up, total.votes_down) == (2, 3)
    assert (total.decline_rate, total.vote_rate, total.helpful_rate) == (0.2889, 0.1471, 0.4)
    assert [(v.entry_id, v.votes_down, v.votes_up) for v in report.voted_down] == [
        ("q14", 2, 1),
        ("q7", 1, 1),
    ]
    assert [(q.count, q.question) for q in report.declined] == [
        (3, "IS PEP STILL IN EFFECT??"),
        (2, "What about DACA?"),
        (1, "how many detention centers in Texas? call me [phone]"),
    ]
    assert report.declined[0].last_at == at(5, 15)
    assert [(q.count, q.question, q.entry_ids) for q in report.voted_down_questions] == [
        (1, "does this hit dreamers", ("q7",))
    ]
    asked = {"q14", "q7", "q15"}
    assert report.never_asked == tuple(e.id for e in catalogue.entries if e.id not in asked)
    assert "q1" in report.never_asked  # asked only before the week


def test_table_shows_the_figures(report: Report) -> None:
    table = to_table(report)
    assert table.startswith("qabot report, 2026-03-02 00:00 to 2026-03-09 00:00 (UTC)\n")
    by_day = _section(table, "By day:")
    expected = expected_days()
    assert by_day[1].split()[:4] == ["DAY", "ASKED", "ANSWERED", "DECLINED"]
    rows = {tokens[0]: tokens[1:] for tokens in (line.split() for line in by_day[2:])}
    assert list(rows) == [*(d.isoformat() for d in DAYS), "total"]
    for day, f in [*((d.isoformat(), expected[d]) for d in DAYS), ("total", report.total)]:
        assert rows[day] == [
            str(f.asked),
            str(f.answered),
            str(f.declined),
            _percent(f.declined, f.asked),
            str(f.chosen),
            str(f.votes_up),
            str(f.votes_down),
            _percent(f.votes_up + f.votes_down, f.answered + f.chosen),
            _percent(f.votes_up, f.votes_up + f.votes_down),
        ]
    declined = _section(table, "Questions declined most (kept 30 days, masked):")
    assert [line.split(None, 3)[::3] for line in declined[2:]] == [
        [str(q.count), q.question] for q in report.declined
    ]
    voted = _section(table, "Answers voted down:")
    assert [line.split() for line in voted[2:4]] == [["q14", "2", "1"], ["q7", "1", "1"]]
    never = _section(table, f"Entries never asked ({len(report.never_asked)}):")
    assert " ".join(never[1:]).split() == list(report.never_asked)


def test_csv_reads_back_to_the_same_figures(report: Report) -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    sections = Counter(row["section"] for row in rows)
    assert sections == {
        "period": 1,
        "day": 7,
        "total": 1,
        "declined_question": 3,
        "voted_down_question": 1,
        "answer_voted_down": 2,
        "never_asked": len(report.never_asked),
    }
    (period,) = [r for r in rows if r["section"] == "period"]
    assert (_time(period["since"]), _time(period["until"])) == (report.since, report.until)
    days = [r for r in rows if r["section"] == "day"]
    assert [dt.date.fromisoformat(r["day"]) for r in days] == [d.day for d in report.days]
    (total,) = [r for r in rows if r["section"] == "total"]
    pairs = [*zip(days, (d.figures for d in report.days), strict=True), (total, report.total)]
    for row, figures in pairs:
        assert _csv_figures(row) == _figures(figures)
    declined = [r for r in rows if r["section"] == "declined_question"]
    assert [
        (r["question"], r["grouped_as"], int(r["count"]), _time(r["last_at"])) for r in declined
    ] == [(q.question, q.grouped_as, q.count, q.last_at) for q in report.declined]
    voted = [r for r in rows if r["section"] == "answer_voted_down"]
    assert [(r["entry_id"], int(r["votes_down"]), int(r["votes_up"])) for r in voted] == [
        (v.entry_id, v.votes_down, v.votes_up) for v in report.voted_down
    ]
    behind = [r for r in rows if r["section"] == "voted_down_question"]
    assert [(r["question"], r["entry_id"]) for r in behind] == [
        (q.question, " ".join(q.entry_ids)) for q in report.voted_down_questions
    ]
    never = [r["entry_id"] for r in rows if r["section"] == "never_asked"]
    assert tuple(never) == report.never_asked


def test_json_reads_back_to_the_same_figures(report: Report) -> None:
    data = json.loads(to_json(report))
    assert (_time(data["since"]), _time(data["until"])) == (report.since, report.until)
    assert data["keep_questions_days"] == KEEP_DAYS
    assert [dt.date.fromisoformat(d["day"]) for d in data["days"]] == [d.day for d in report.days]
    for day, figures in zip(data["days"], (d.figures for d in report.days), strict=True):
        assert {k: v for k, v in day.items() if k != "day"} == _figures(figures)
    assert data["total"] == _figures(report.total)
    assert [
        (q["question"], q["grouped_as"], q["count"], _time(q["last_at"]), tuple(q["entry_ids"]))
        for q in data["declined_questions"]
    ] == [(q.question, q.grouped_as, q.count, q.last_at, q.entry_ids) for q in report.declined]
    assert [(q["question"], tuple(q["entry_ids"])) for q in data["voted_down_questions"]] == [
        (q.question, q.entry_ids) for q in report.voted_down_questions
    ]
    assert [
        (v["entry_id"], v["votes_down"], v["votes_up"]) for v in data["answers_voted_down"]
    ] == [(v.entry_id, v.votes_down, v.votes_up) for v in report.voted_down]
    assert tuple(data["never_asked"]) == report.never_asked


def test_without_kept_questions_the_report_says_how_to_keep_them(
    store: Store, catalogue: Catalogue
) -> None:
    fill(store, keep_days=0)
    report = build_report(store, [e.id for e in catalogue.entries], SINCE, END, 0)
    assert report.declined == () and report.voted_down_questions == ()
    assert {d.day: d.figures for d in report.days} == expected_days()
    table = to_table(report)
    assert "no question text is kept (QABOT_KEEP_QUESTIONS_DAYS is 0)" in table
    assert "QABOT_KEEP_QUESTIONS_DAYS=30" in table
    assert json.loads(to_json(report))["declined_questions"] == []


def test_an_empty_store_reports_empty_days(store: Store) -> None:
    report = build_report(store, ["q1", "q2"], SINCE, END, KEEP_DAYS)
    assert [d.figures for d in report.days] == [Figures()] * 7
    assert report.total.decline_rate is None and report.never_asked == ("q1", "q2")
    table = to_table(report)
    assert "Questions declined most (kept 30 days, masked): none in this period." in table
    assert "Answers voted down: none in this period." in table
    row = json.loads(to_json(report))["total"]
    assert (row["decline_rate"], row["vote_rate"], row["helpful_rate"]) == (None, None, None)
    (total,) = [r for r in csv.DictReader(io.StringIO(to_csv(report))) if r["section"] == "total"]
    assert (total["decline_rate"], total["asked"]) == ("", "0")


# -- reading back ---------------------------------------------------------------------------


def _section(table: str, title: str) -> list[str]:
    """The lines of the section headed ``title``, up to the blank line after it."""
    lines = table.splitlines()
    start = lines.index(title)
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def _percent(part: int, whole: int) -> str:
    return f"{round(part / whole, 4) * 100:.1f}%" if whole else "-"


def _time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def _figures(f: Figures) -> dict[str, object]:
    names = ("asked", "answered", "declined", "chosen", "votes_up", "votes_down")
    rates = ("decline_rate", "vote_rate", "helpful_rate")
    return {n: getattr(f, n) for n in names} | {r: getattr(f, r) for r in rates}


def _csv_figures(row: dict[str, str]) -> dict[str, object]:
    counts = ("asked", "answered", "declined", "chosen", "votes_up", "votes_down")
    rates = ("decline_rate", "vote_rate", "helpful_rate")
    return {n: int(row[n]) for n in counts} | {
        r: (float(row[r]) if row[r] else None) for r in rates
    }


def test_csv_cannot_carry_a_formula(store: Store) -> None:
    keeper = QuestionKeeper(QuestionStore(store), KEEP_DAYS)
    keeper.keep(
        '=HYPERLINK("http://x.example","is PEP over")', DECLINED, surface="dm", now=at(1, 9)
    )
    keeper.keep("@SUM(1+1)", DECLINED, surface="dm", now=at(1, 10))
    report = build_report(store, [], SINCE, END, KEEP_DAYS)
    rows = [r for r in csv.DictReader(io.StringIO(to_csv(report))) if r["question"]]
    assert sorted(r["question"][:2] for r in rows) == ["'=", "'@"]
    assert {q.question[0] for q in report.declined} == {"=", "@"}  # the report keeps the text
