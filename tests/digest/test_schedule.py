"""The schedule file: valid files load; every problem is reported as file:line: message."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import Catalogue
from bot.digest.schedule import ScheduleError, load_schedules
from tests.conftest import ROOT

EXAMPLE = ROOT / "deploy" / "schedules.example.yaml"

GOOD = """\
schedules:
- name: weekly
  channel: C1
  cron: "0 9 * * 1"
  timezone: America/New_York
  kind: rotate
  intro: Question of the week
- name: index
  channel: C1
  cron: "0 9 1 * *"
  kind: index
- name: one
  channel: C2
  cron: "30 8 * * 5"
  timezone: Europe/Berlin
  kind: entry
  entry: q14
"""


def problems(tmp_path: Path, text: str, catalogue: Catalogue | None = None) -> list[str]:
    path = tmp_path / "schedules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScheduleError) as info:
        load_schedules(path, catalogue)
    return [str(p).removeprefix(f"{path}:") for p in info.value.problems]


def test_valid_file_loads(tmp_path: Path, catalogue: Catalogue) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(GOOD, encoding="utf-8")
    schedules = load_schedules(path, catalogue)
    assert [s.name for s in schedules] == ["weekly", "index", "one"]
    weekly = schedules.get("weekly")
    assert weekly is not None and weekly.zone.key == "America/New_York"
    assert schedules.get("index").timezone == "UTC"  # type: ignore[union-attr]
    assert schedules.get("one").entry == "q14"  # type: ignore[union-attr]


def test_example_file_is_valid(catalogue: Catalogue) -> None:
    assert len(load_schedules(EXAMPLE, catalogue)) >= 3


def test_bad_cron_has_its_line(tmp_path: Path) -> None:
    text = GOOD.replace('"0 9 1 * *"', '"0 9 32 * *"')
    assert problems(tmp_path, text) == [
        "10: schedule index: cron: not a cron expression: '0 9 32 * *' "
        "(five fields: minute hour day month weekday)"
    ]


def test_cron_with_seconds_is_refused(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, GOOD.replace('"0 9 * * 1"', '"0 0 9 * * 1"'))
    assert problem.startswith("4: schedule weekly: cron: not a cron expression")


def test_cron_that_never_comes(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, GOOD.replace('"0 9 1 * *"', '"0 9 30 2 *"'))
    assert problem == "10: schedule index: cron: cron expression '0 9 30 2 *' never matches a date"


def test_unknown_time_zone(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, GOOD.replace("Europe/Berlin", "Europe/Atlantis"))
    assert problem.startswith("15: schedule one: timezone: unknown time zone 'Europe/Atlantis'")


def test_duplicate_names_point_at_both(tmp_path: Path) -> None:
    text = GOOD.replace("name: index", "name: weekly")
    assert problems(tmp_path, text) == ["8: duplicate schedule name 'weekly' (first at line 2)"]


def test_unknown_entry_against_the_catalogue(tmp_path: Path, catalogue: Catalogue) -> None:
    text = GOOD.replace("entry: q14", "entry: q99")
    assert problems(tmp_path, text, catalogue) == [
        "17: schedule one: unknown entry 'q99' (not in the loaded content)"
    ]


def test_entry_kind_needs_an_entry(tmp_path: Path) -> None:
    text = GOOD.replace("  entry: q14\n", "")
    assert problems(tmp_path, text) == [
        "12: schedule one: kind 'entry' needs an 'entry' id to post"
    ]


def test_unknown_kind_and_field(tmp_path: Path) -> None:
    text = GOOD.replace("kind: index", "kind: digest").replace("  intro: Q", "  intra: Q")
    assert problems(tmp_path, text) == [
        "7: schedule weekly: unknown field 'intra'",
        "11: schedule index: kind must be one of rotate, index, entry (got 'digest')",
    ]


def test_missing_field(tmp_path: Path) -> None:
    text = GOOD.replace("  channel: C2\n", "")
    assert problems(tmp_path, text) == ["12: schedule one: missing field 'channel'"]


def test_yaml_syntax_and_duplicate_keys(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, GOOD.replace("kind: index", "kind: [index"))
    assert problem.startswith("1") and "YAML syntax error" in problem
    text = GOOD.replace("  kind: index\n", "  kind: index\n  kind: rotate\n")
    assert problems(tmp_path, text) == ["12: duplicate key 'kind'"]


def test_empty_and_missing_files(tmp_path: Path) -> None:
    assert problems(tmp_path, "") == ["1: the file is empty; expected a 'schedules' list"]
    with pytest.raises(ScheduleError, match="0: schedule file not found"):
        load_schedules(tmp_path / "absent.yaml")
