"""Learned phrasings: an overlay file of extra wordings for entries, added by the maintainers.

The overlay (``QABOT_LEARNED``, by default ``content/learned.yaml``) is a matching aid like an
entry's ``phrasings`` in content: the loader adds its phrasings to the entries they name, and
nothing in it is ever shown as official text. It is validated like content (``file:line``
problems, an unknown entry id reported at its line) and a missing file is simply empty::

    phrasings:
      - entry: q14
        text: can my cousin apply for me
        added_by: U024BE7LH
        added_at: '2026-12-01T09:30:00+00:00'

Every phrasing records who added it and when. ``add_phrasing`` writes the whole file anew to a
temporary file beside it and renames that over it, so a reader (the reloader, ``qabot content
check``) sees the old file or the new one, never half of one. The read, change and rename
happen under an exclusive lock on ``<file>.lock``, so replicas sharing the file on one volume
never lose each other's additions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, field_validator

from bot.content.models import _ID_PATTERN, _Strict
from bot.yamlfile import Problem, TooLarge, describe_field_error, line_for, parse, read_limited

# A phrasing is a question as someone asked it; the kept questions are cut at 2,000 characters.
MAX_PHRASING_CHARS = 500
HEADER = (
    "# Learned phrasings: wordings the maintainers matched to an entry from the App Home queue.\n"
    "# A matching aid only; the official questions and answers are in the content files.\n"
)


class LearnedPhrasing(_Strict):
    """One added wording of an entry's question, with who added it and when."""

    entry: str = Field(pattern=_ID_PATTERN)
    text: str = Field(max_length=MAX_PHRASING_CHARS)
    added_by: str = Field(min_length=1, max_length=64)
    added_at: dt.datetime

    @field_validator("text")
    @classmethod
    def _some_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the phrasing is empty")
        return value

    @field_validator("added_at")
    @classmethod
    def _with_zone(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            raise ValueError("needs a time zone, such as 2026-12-01T09:30:00+00:00")
        return value


class LearnedFile(_Strict):
    phrasings: tuple[LearnedPhrasing, ...] = ()


@dataclass(frozen=True)
class Learned:
    """A loaded overlay: its phrasings in file order, and its bytes (for the content version)."""

    phrasings: tuple[LearnedPhrasing, ...] = ()
    raw: bytes = b""

    def for_entry(self) -> dict[str, tuple[str, ...]]:
        """Entry id -> its learned phrasings, in the order they were added, without repeats."""
        found: dict[str, dict[str, None]] = {}
        for item in self.phrasings:
            found.setdefault(item.entry, {})[item.text] = None
        return {entry: tuple(texts) for entry, texts in found.items()}


def load_learned(
    path: str | Path, entry_ids: frozenset[str] | set[str] | None, problems: list[Problem]
) -> Learned:
    """The overlay at ``path``, adding its problems to ``problems``; a missing file is empty.

    With ``entry_ids``, a phrasing of an entry not among them is a problem at its line.
    """
    file = Path(path)
    name = str(file)
    try:
        raw = read_limited(file)
    except FileNotFoundError:
        return Learned()
    except TooLarge as exc:
        problems.append(Problem(name, 0, str(exc)))
        return Learned()
    except OSError as exc:
        problems.append(Problem(name, 0, f"cannot read the learned phrasings: {exc.strerror}"))
        return Learned()
    parsed = parse(name, raw, problems)
    if parsed is None:
        return Learned()
    data, lines = parsed
    if data is None:  # an empty file: nothing learned yet
        return Learned(raw=raw)
    try:
        learned = LearnedFile.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            problems.append(Problem(name, line_for(err["loc"], lines), _describe(err)))
        return Learned()
    found = len(problems)
    if entry_ids is not None:
        for index, item in enumerate(learned.phrasings):
            if item.entry not in entry_ids:
                line = lines.get(("phrasings", index, "entry"), 1)
                problems.append(
                    Problem(
                        name, line, f"phrasing #{index + 1}: no entry has the id '{item.entry}'"
                    )
                )
    if len(problems) > found:
        return Learned()
    return Learned(learned.phrasings, raw)


def _describe(err: Mapping[str, Any]) -> str:
    loc = tuple(err["loc"])
    where = f"phrasing #{loc[1] + 1}" if len(loc) > 2 and isinstance(loc[1], int) else "file"
    if common := describe_field_error(err, where):
        return common
    field_name = str(loc[-1]) if loc else "file"
    if err["type"].startswith("datetime"):
        return (
            f"{where}: bad time {err.get('input')!r} in '{field_name}' (use ISO 8601 with a zone)"
        )
    return f"{where}: {field_name}: {err['msg'].removeprefix('Value error, ')}"


class LearnedError(Exception):
    """The overlay cannot be written: it is invalid now, or the phrasing is."""


def add_phrasing(
    path: str | Path,
    entry: str,
    text: str,
    added_by: str,
    now: dt.datetime | None = None,
) -> bool:
    """Add ``text`` as a phrasing of ``entry``; False when the entry already has it.

    Refuses (LearnedError) when the file on disk is invalid: a rewrite would lose what a person
    wrote there. Which entries exist is the caller's to check; the loader reports unknown ones.
    """
    file = Path(path)
    text = " ".join(text.split())
    item = LearnedPhrasing(
        entry=entry,
        text=text,
        added_by=added_by,
        added_at=(now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0),
    )
    with _exclusive(file):
        problems: list[Problem] = []
        current = load_learned(file, None, problems)
        if problems:
            raise LearnedError("; ".join(str(p) for p in problems))
        if any(p.entry == entry and p.text == text for p in current.phrasings):
            return False
        items = [_plain(p) for p in (*current.phrasings, item)]
        body = yaml.safe_dump({"phrasings": items}, sort_keys=False, allow_unicode=True, width=100)
        _replace(file, (HEADER + body).encode("utf-8"))
    return True


@contextlib.contextmanager
def _exclusive(file: Path) -> Iterator[None]:
    """Hold the file's lock: other threads, processes and replicas on the same volume wait."""
    file.parent.mkdir(parents=True, exist_ok=True)
    # A lock file beside it rather than the file itself: the rename replaces the file's inode.
    with open(file.with_name(file.name + ".lock"), "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _plain(item: LearnedPhrasing) -> dict[str, str]:
    return {
        "entry": item.entry,
        "text": item.text,
        "added_by": item.added_by,
        "added_at": item.added_at.isoformat(),
    }


def _replace(file: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file in the same directory, then rename it over ``file``."""
    file.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
