"""Load content files into a Catalogue, reporting every problem as ``file:line: message``."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.content.documents import documents
from bot.content.learned import load_learned
from bot.content.models import Catalogue, ContentFile, Entry, EntrySpec, Source
from bot.content.placeholders import find_placeholders
from bot.yamlfile import Problem, TooLarge, describe_field_error, line_for, parse, read_limited

__all__ = ["ContentError", "Problem", "check", "load_catalogue"]


class ContentError(Exception):
    """Raised when content cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_catalogue(path: str | Path, learned: str | Path | None = None) -> Catalogue:
    """Load one content file, or every ``*.yaml`` file of a directory, into a Catalogue.

    ``learned`` names the overlay of learned phrasings (``bot.content.learned``): validated
    with the content, its phrasings join their entries' as matching aids, and a missing file
    adds none. It is never read as content, even when it sits in the content directory.
    """
    root = Path(path)
    overlay = Path(learned).resolve() if learned is not None else None
    if root.is_dir():
        files = sorted([*root.glob("*.yaml"), *root.glob("*.yml")])
        files = [f for f in files if f.resolve() != overlay]
        if not files:
            raise ContentError([Problem(str(root), 0, "no .yaml content files in this directory")])
    else:
        files = [root]

    problems: list[Problem] = []
    located: list[_Located] = []
    digest = hashlib.sha256()
    for file in files:
        try:
            raw = read_limited(file)
        except TooLarge as exc:
            problems.append(Problem(str(file), 0, str(exc)))
            continue
        except FileNotFoundError:
            problems.append(
                Problem(str(file), 0, "content file not found (set QABOT_CONTENT to its path)")
            )
            continue
        except OSError as exc:
            problems.append(Problem(str(file), 0, f"cannot read content file: {exc.strerror}"))
            continue
        digest.update(raw)
        located.extend(_parse_file(str(file), raw, problems))

    problems.extend(_shared_id_problems(located))
    loaded = [item.entry for item in located]
    if learned is not None:
        known = {entry.id for entry in loaded}
        overlay_data = load_learned(learned, known if not problems else None, problems)
        if overlay_data.raw:
            digest.update(b"\0learned\0" + overlay_data.raw)
        added = overlay_data.for_entry()
        loaded = [_with_learned(entry, added.get(entry.id, ())) for entry in loaded]
    if problems:
        raise ContentError(problems)
    entries, docs = documents(loaded)
    return Catalogue(
        entries=entries,
        documents=docs,
        version=digest.hexdigest()[:12],
        paths=tuple(str(f) for f in files),
    )


def check(path: str | Path, learned: str | Path | None = None) -> list[Problem]:
    """Every problem with the content at ``path`` (and the overlay); empty when it is valid."""
    try:
        load_catalogue(path, learned)
    except ContentError as exc:
        return exc.problems
    return []


@dataclass(frozen=True)
class _Located:
    entry: Entry
    file: str
    line: int


def _parse_file(name: str, raw: bytes, problems: list[Problem]) -> list[_Located]:
    parsed = parse(name, raw, problems)
    if parsed is None:
        return []
    data, lines = parsed
    if data is None:
        problems.append(Problem(name, 1, "the file is empty; expected a 'sources' list"))
        return []
    placeholders = find_placeholders(name, data, lines)
    problems.extend(placeholders.problems)
    try:
        content = ContentFile.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # A failed item also empties its list; the "too short" that follows says nothing new.
        if len(errors) > 1:
            errors = [e for e in errors if e["type"] != "too_short"] or errors
        errors = [e for e in errors if not placeholders.covers(e["loc"])]
        for err in errors:
            problems.append(Problem(name, line_for(err["loc"], lines), _describe(err, data)))
        return []

    entries: list[_Located] = []
    seen_in_source: dict[str, int] = {}
    for s_index, spec in enumerate(content.sources):
        source = Source.model_validate(spec.model_dump(exclude={"entries"}))
        seen_in_source.clear()
        for e_index, item in enumerate(spec.entries):
            line = lines.get(("sources", s_index, "entries", e_index, "id"), 1)
            if item.id in seen_in_source:
                problems.append(
                    Problem(
                        name,
                        line,
                        f"duplicate id '{item.id}' (first at line {seen_in_source[item.id]})",
                    )
                )
                continue
            seen_in_source[item.id] = line
            entries.append(_Located(_entry(item, source), name, line))
    return entries


def _entry(spec: EntrySpec, source: Source) -> Entry:
    return Entry(
        id=spec.id,
        number=spec.number,
        question=spec.question,
        answer=spec.answer,
        source=source,
        released=spec.released or source.released,
        updated=spec.updated or (None if spec.released else source.updated),
        url=spec.url or source.url,
        topics=spec.topics,
        phrasings=spec.phrasings,
        keywords=spec.keywords,
    )


def _with_learned(entry: Entry, learned: tuple[str, ...]) -> Entry:
    """The entry with learned phrasings after its own; the official text is left as it is."""
    new = tuple(text for text in learned if text not in entry.phrasings)
    return replace(entry, phrasings=(*entry.phrasings, *new)) if new else entry


def _shared_id_problems(located: list[_Located]) -> list[Problem]:
    """Ids repeated across source blocks or files; repeats within one block are caught earlier."""
    problems: list[Problem] = []
    first: dict[str, _Located] = {}
    for item in located:
        other = first.setdefault(item.entry.id, item)
        if other is item:
            continue
        a, b = other.entry.source.id, item.entry.source.id
        if a == b:
            msg = f"duplicate id '{item.entry.id}' (first at {other.file}:{other.line})"
        else:
            msg = (
                f"id '{item.entry.id}' is shared by sources '{a}' ({other.file}:{other.line}) "
                f"and '{b}'; entry ids must be unique across all sources"
            )
        problems.append(Problem(item.file, item.line, msg))
    return problems


def _describe(err: Mapping[str, Any], data: Any) -> str:
    loc = tuple(err["loc"])
    where = _where(loc, data)
    field_name = str(loc[-1]) if loc else "file"
    kind = err["type"]
    if common := describe_field_error(err, where):
        return common
    if kind.startswith("date"):
        return f"{where}: bad date {err.get('input')!r} in '{field_name}' (use YYYY-MM-DD)"
    if "vocabulary" in loc[:-1]:  # name the list or map, not the key or position in it
        at = loc.index("vocabulary")
        field_name = ".".join(str(part) for part in loc[at : at + 2])
    msg = err["msg"].removeprefix("Value error, ")
    return f"{where}: {field_name}: {msg}"


def _where(loc: tuple[Any, ...], data: Any) -> str:
    """A readable name for the object holding a field, like ``entry q4`` or ``source dhs``."""
    label = "file"
    node = data
    for part in loc[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(part, int):
            ident = node.get("id", f"#{part + 1}")
            label = (
                f"entry {ident}" if "question" in node or "answer" in node else f"source {ident}"
            )
    return label
