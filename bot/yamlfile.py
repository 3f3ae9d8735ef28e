"""YAML parsed with the line of every key and item, for problems as ``file:line: message``.

Content and schedule files are written by people, so they are held to what people write:
at most ``MAX_FILE_BYTES``, nesting at most ``MAX_DEPTH`` deep, and no anchors or aliases.
An alias lets 400 bytes stand for a billion nodes, and these files never need one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when it is there

# The largest content file we serve is about 25 KB; a file two hundred times that is a mistake.
MAX_FILE_BYTES = 5 * 1024 * 1024
# Content nests five levels deep; the limit only keeps a malicious file off the call stack.
MAX_DEPTH = 64
NO_ALIASES = "YAML anchors and aliases (&name, *name) are not allowed; write the value out"

Path_ = tuple[str | int, ...]
Lines = dict[Path_, int]


class _Refused(Exception):
    """The file uses YAML this loader will not build; carries the 1-based line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


class _Composer(Composer):
    """PyYAML's composer, refusing anchors, aliases and deep nesting before building a node.

    Placed before the base loader, it stands in for libyaml's own composer, which would
    follow aliases; libyaml still does the scanning and parsing.
    """

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()  # type: ignore[attr-defined]
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(line, NO_ALIASES)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(line, f"nested more than {MAX_DEPTH} levels deep")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Loader(_Composer, _Base):  # type: ignore[misc,valid-type]
    """Safe loader that leaves dates as text, so a bad date is a validation error with a line."""

    yaml_implicit_resolvers = {  # noqa: RUF012 (the class attribute PyYAML reads)
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _Base.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        _Base.__init__(self, stream)
        Composer.__init__(self)
        self._depth = 0


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, at a 1-based line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class DuplicateKey(Exception):
    def __init__(self, key: str, line: int) -> None:
        self.key, self.line = key, line


class TooLarge(Exception):
    """The file is over ``MAX_FILE_BYTES``; the message names the limit."""

    def __init__(self) -> None:
        super().__init__(
            f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, "
            "the limit for a content or schedule file"
        )


def read_limited(path: Path) -> bytes:
    """The file's bytes, or TooLarge without reading more than ``MAX_FILE_BYTES`` of it."""
    with path.open("rb") as file:
        raw = file.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise TooLarge()
    return raw


def parse(name: str, raw: bytes, problems: list[Problem]) -> tuple[Any, Lines] | None:
    """Decode and parse one file; on failure add its problem and return None."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(name, line, "not valid UTF-8 text"))
        return None
    try:
        return compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problems.append(Problem(name, line, f"YAML syntax error: {exc.problem or exc}"))
    except DuplicateKey as exc:
        problems.append(Problem(name, exc.line, f"duplicate key '{exc.key}'"))
    except _Refused as exc:
        problems.append(Problem(name, exc.line, exc.message))
    return None


def compose(text: str) -> tuple[Any, Lines]:
    """Parse YAML once, returning the data and the 1-based line of every key and item."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: Lines = {}
        _walk(node, (), lines)
        return loader.construct_document(node), lines
    finally:
        loader.dispose()


def _walk(node: yaml.Node, path: Path_, lines: Lines) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in keys:
                raise DuplicateKey(key, key_node.start_mark.line + 1)
            keys.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*path, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


def line_for(loc: tuple[Any, ...], lines: Lines) -> int:
    """The line of a validation error's location, or of its nearest known parent."""
    # Pydantic may add a type tag to the path (e.g. union members); walk back to a known node.
    path = tuple(loc)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get((), 1)


def describe_field_error(err: Mapping[str, Any], where: str) -> str | None:
    """The wording every validated file shares for a missing or unknown field, else None."""
    field = str(err["loc"][-1]) if err["loc"] else "file"
    if err["type"] == "missing":
        return f"{where}: missing field '{field}'"
    if err["type"] == "extra_forbidden":
        return f"{where}: unknown field '{field}'"
    return None
