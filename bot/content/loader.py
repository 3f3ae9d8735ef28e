"""Load content files into a Catalogue, reporting every problem as ``file:line: message``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.content.models import Catalogue, ContentFile, Entry, EntrySpec, Source

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when it is there


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """Safe loader that leaves dates as text, so a bad date is a validation error with a line."""

    yaml_implicit_resolvers = {  # noqa: RUF012 (the class attribute PyYAML reads)
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _Base.yaml_implicit_resolvers.items()
    }


Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a content file, at a 1-based line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ContentError(Exception):
    """Raised when content cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_catalogue(path: str | Path) -> Catalogue:
    """Load one content file, or every ``*.yaml`` file of a directory, into a Catalogue."""
    root = Path(path)
    if root.is_dir():
        files = sorted([*root.glob("*.yaml"), *root.glob("*.yml")])
        if not files:
            raise ContentError([Problem(str(root), 0, "no .yaml content files in this directory")])
    else:
        files = [root]

    problems: list[Problem] = []
    located: list[_Located] = []
    digest = hashlib.sha256()
    for file in files:
        try:
            raw = file.read_bytes()
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
    if problems:
        raise ContentError(problems)
    return Catalogue(
        entries=tuple(item.entry for item in located),
        version=digest.hexdigest()[:12],
        paths=tuple(str(f) for f in files),
    )


def check(path: str | Path) -> list[Problem]:
    """Every problem with the content at ``path``; empty when it is valid."""
    try:
        load_catalogue(path)
    except ContentError as exc:
        return exc.problems
    return []


@dataclass(frozen=True)
class _Located:
    entry: Entry
    file: str
    line: int


def _parse_file(name: str, raw: bytes, problems: list[Problem]) -> list[_Located]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(name, line, "not valid UTF-8 text"))
        return []
    try:
        data, lines = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problems.append(Problem(name, line, f"YAML syntax error: {exc.problem or exc}"))
        return []
    except _DuplicateKey as exc:
        problems.append(Problem(name, exc.line, f"duplicate key '{exc.key}'"))
        return []

    if data is None:
        problems.append(Problem(name, 1, "the file is empty; expected a 'sources' list"))
        return []
    try:
        content = ContentFile.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # A failed item also empties its list; the "too short" that follows says nothing new.
        if len(errors) > 1:
            errors = [e for e in errors if e["type"] != "too_short"] or errors
        for err in errors:
            problems.append(Problem(name, _line_for(err["loc"], lines), _describe(err, data)))
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
        topics=spec.topics,
        phrasings=spec.phrasings,
        keywords=spec.keywords,
    )


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


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int) -> None:
        self.key, self.line = key, line


def _compose(text: str) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML once, returning the data and the 1-based line of every key and item."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[Path_, int] = {}
        _walk(node, (), lines)
        return loader.construct_document(node), lines
    finally:
        loader.dispose()


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in keys:
                raise _DuplicateKey(key, key_node.start_mark.line + 1)
            keys.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*path, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


def _line_for(loc: tuple[Any, ...], lines: dict[Path_, int]) -> int:
    # Pydantic may add a type tag to the path (e.g. union members); walk back to a known node.
    path = tuple(loc)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get((), 1)


def _describe(err: dict[str, Any], data: Any) -> str:
    loc = tuple(err["loc"])
    where = _where(loc, data)
    field_name = str(loc[-1]) if loc else "file"
    kind = err["type"]
    if kind == "missing":
        return f"{where}: missing field '{field_name}'"
    if kind == "extra_forbidden":
        return f"{where}: unknown field '{field_name}'"
    if kind.startswith("date"):
        return f"{where}: bad date {err.get('input')!r} in '{field_name}' (use YYYY-MM-DD)"
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
