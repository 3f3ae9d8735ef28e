"""The schedule file: which digest goes to which channel when, validated with file:line errors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.content.models import Catalogue
from bot.yamlfile import Problem, TooLarge, describe_field_error, line_for, parse, read_limited

Kind = Literal["rotate", "index", "entry"]


class ScheduleError(Exception):
    """The schedule file cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Schedule(BaseModel):
    """One digest: what to post (kind), where (channel) and when (cron in a time zone)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=128)
    channel: str = Field(pattern=r"^\S+$", max_length=64)
    cron: str
    timezone: str = "UTC"
    kind: Kind
    entry: str | None = None
    intro: str | None = None

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        value = " ".join(value.split())
        fields = value.split(" ")
        if not (value.startswith("@") or len(fields) == 5) or not croniter.is_valid(value):
            raise ValueError(
                f"not a cron expression: {value!r} (five fields: minute hour day month weekday)"
            )
        try:
            croniter(value).get_next()
        except Exception:  # croniter raises several kinds for a date that never comes
            raise ValueError(f"cron expression {value!r} never matches a date") from None
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use a name like America/New_York)"
            ) from None
        return value

    @field_validator("intro")
    @classmethod
    def _intro(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("intro is empty; leave it out instead")
        return value

    @model_validator(mode="after")
    def _entry_for_kind(self) -> Schedule:
        if self.kind == "entry" and not self.entry:
            raise ValueError("kind 'entry' needs an 'entry' id to post")
        if self.kind != "entry" and self.entry:
            raise ValueError(f"'entry' is only used with kind 'entry', not '{self.kind}'")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class _ScheduleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schedules: tuple[Schedule, ...]


@dataclass(frozen=True)
class Schedules:
    """Every schedule of a file, in file order."""

    items: tuple[Schedule, ...]
    path: str = ""

    def get(self, name: str) -> Schedule | None:
        return next((s for s in self.items if s.name == name), None)

    def __iter__(self) -> Iterator[Schedule]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def load_schedules(path: str | Path, catalogue: Catalogue | None = None) -> Schedules:
    """Load and validate a schedule file; entry ids are checked against ``catalogue`` if given."""
    name = str(path)
    try:
        raw = read_limited(Path(path))
    except TooLarge as exc:
        raise ScheduleError([Problem(name, 0, str(exc))]) from None
    except FileNotFoundError:
        raise ScheduleError(
            [Problem(name, 0, "schedule file not found (set QABOT_SCHEDULES to its path)")]
        ) from None
    except OSError as exc:
        problem = Problem(name, 0, f"cannot read schedule file: {exc.strerror}")
        raise ScheduleError([problem]) from None

    problems: list[Problem] = []
    parsed = parse(name, raw, problems)
    if parsed is None:
        raise ScheduleError(problems)
    data, lines = parsed
    if data is None:
        raise ScheduleError([Problem(name, 1, "the file is empty; expected a 'schedules' list")])
    try:
        spec = _ScheduleFile.model_validate(data)
    except ValidationError as exc:
        raise ScheduleError(
            [Problem(name, line_for(e["loc"], lines), _describe(e, data)) for e in exc.errors()]
        ) from None

    first_line: dict[str, int] = {}
    for index, schedule in enumerate(spec.schedules):
        line = lines.get(("schedules", index, "name"), 1)
        if schedule.name in first_line:
            problems.append(
                Problem(
                    name,
                    line,
                    f"duplicate schedule name '{schedule.name}' "
                    f"(first at line {first_line[schedule.name]})",
                )
            )
        first_line.setdefault(schedule.name, line)
        if catalogue is not None and schedule.entry and catalogue.get(schedule.entry) is None:
            problems.append(
                Problem(
                    name,
                    lines.get(("schedules", index, "entry"), line),
                    f"schedule {schedule.name}: unknown entry '{schedule.entry}' "
                    "(not in the loaded content)",
                )
            )
    if problems:
        raise ScheduleError(problems)
    return Schedules(items=spec.schedules, path=name)


def _describe(err: Mapping[str, Any], data: Any) -> str:
    loc = tuple(err["loc"])
    where = "file"
    if len(loc) >= 2 and loc[0] == "schedules" and isinstance(loc[1], int):
        try:
            where = f"schedule {data['schedules'][loc[1]].get('name', f'#{loc[1] + 1}')}"
        except (AttributeError, LookupError, TypeError):
            where = f"schedule #{loc[1] + 1}"
    field_name = str(loc[-1]) if loc else "file"
    kind = err["type"]
    if common := describe_field_error(err, where):
        return common
    if kind == "literal_error" and field_name == "kind":
        return f"{where}: kind must be one of rotate, index, entry (got {err.get('input')!r})"
    msg = err["msg"].removeprefix("Value error, ")
    if len(loc) <= 2:  # a check of the whole schedule, not of one field
        return f"{where}: {msg}"
    return f"{where}: {field_name}: {msg}"
