"""``qabot report`` as a user runs it: the period, the three formats, errors in one line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.content import load_catalogue
from bot.feedback.cli import parse_since
from bot.feedback.questions import QuestionKeeper
from bot.store import QuestionKind, QuestionStore, Store, VoteStore
from tests.conftest import CONTENT

NOW = dt.datetime(2026, 3, 9, 15, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "since"),
    [
        ("7d", NOW - dt.timedelta(days=7)),
        ("36h", NOW - dt.timedelta(hours=36)),
        ("2w", NOW - dt.timedelta(weeks=2)),
        (" 1D ", NOW - dt.timedelta(days=1)),
        ("2026-03-01", dt.datetime(2026, 3, 1, tzinfo=dt.UTC)),
        ("2026-03-01T12:00", dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)),
        ("2026-03-01T12:00+02:00", dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)),
    ],
)
def test_since(value: str, since: dt.datetime) -> None:
    assert parse_since(value, NOW) == since


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("7x", "is not a period"),
        ("d7", "is not a period"),
        ("-7d", "is not a period"),
        ("7 days", "is not a period"),
        ("", "is not a period"),
        ("2026-02-30", "is not a period"),
        ("0d", "is an empty period"),
        ("2026-03-10", "is not in the past"),
    ],
)
def test_bad_since(value: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_since(value, NOW)


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """The settings of a bot keeping questions 14 days, and its store."""
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'state.sqlite3'}"
    monkeypatch.setenv("QABOT_DATABASE_URL", url)
    monkeypatch.setenv("QABOT_KEEP_QUESTIONS_DAYS", "14")
    monkeypatch.setenv("QABOT_CONTENT", str(CONTENT))
    store = Store(url)
    store.create_schema()
    return store


def fill_recent(store: Store) -> dt.datetime:
    """A day of traffic ending now, and an older one outside ``--since 2d``."""
    now = dt.datetime.now(dt.UTC)
    day = dt.timedelta(days=1)
    for entry in ["q14", "q14", "q7", None, None]:
        store.record_query("command", entry, 0.5, 10.0, now=now - day)
    store.record_query("dm", "q3", 0.9, 10.0, now=now - 3 * day)
    VoteStore(store).record_vote(
        "U1", "C1/1.1", entry_id="q14", helpful=False, surface="command", now=now - day
    )
    keeper = QuestionKeeper(QuestionStore(store), keep_days=14)
    for text in ["is the wall funded?", "Is the wall funded", "mail me: x@example.org"]:
        keeper.keep(text, QuestionKind.DECLINED, surface="command", now=now - day)
    return now


def test_report_as_json(state: Store, capsys: pytest.CaptureFixture[str]) -> None:
    fill_recent(state)
    assert main(["report", "--since", "2d", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    total = data["total"]
    assert (total["asked"], total["answered"], total["declined"]) == (5, 3, 2)
    assert (total["votes_down"], total["decline_rate"]) == (1, 0.4)
    assert data["keep_questions_days"] == 14
    assert [(q["count"], q["question"]) for q in data["declined_questions"]] == [
        (2, "Is the wall funded"),
        (1, "mail me: [email]"),
    ]
    assert data["answers_voted_down"] == [{"entry_id": "q14", "votes_down": 1, "votes_up": 0}]
    assert "q3" in data["never_asked"] and "q14" not in data["never_asked"]
    entries = [e.id for e in load_catalogue(CONTENT).entries]
    assert data["never_asked"] == [e for e in entries if e not in {"q14", "q7"}]


def test_report_as_csv_and_table(state: Store, capsys: pytest.CaptureFixture[str]) -> None:
    fill_recent(state)
    assert main(["report", "--format", "csv"]) == 0  # the default period: 7d, q3 included
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    (total,) = [r for r in rows if r["section"] == "total"]
    assert (total["asked"], total["answered"]) == ("6", "4")
    assert main(["report", "--since", "2d"]) == 0
    table = capsys.readouterr().out
    assert "Questions declined most (kept 14 days, masked):" in table
    assert "Is the wall funded" in table and "x@example.org" not in table


def test_report_without_kept_questions(
    state: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QABOT_KEEP_QUESTIONS_DAYS", "0")
    assert main(["report"]) == 0
    assert "no question text is kept (QABOT_KEEP_QUESTIONS_DAYS is 0)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["--since", "yesterday"], {}, "qabot report: --since 'yesterday' is not a period"),
        (["--since", "0h"], {}, "qabot report: --since '0h' is an empty period"),
        ([], {"QABOT_KEEP_QUESTIONS_DAYS": "-3"}, "qabot report: QABOT_KEEP_QUESTIONS_DAYS: "),
        (
            [],
            {"QABOT_DATABASE_URL": "postgres://u:secret@db/x"},
            "qabot report: QABOT_DATABASE_URL",
        ),
    ],
)
def test_bad_values_are_one_line_and_exit_2(
    state: Store,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    env: dict[str, str],
    says: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["report", *args]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(says) and err.count("\n") == 1
    assert "secret" not in err
