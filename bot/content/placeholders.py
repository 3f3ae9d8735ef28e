"""Placeholders an import leaves for people to fill in, and the check that refuses them.

``qabot content import`` writes ``FILL IN: <what to write>`` wherever the document does not say
what a field needs (its page, its issuer, a notice). Content with one left in is invalid: the
check names the field and repeats what to write, before (and instead of) the field's own
validation, so that ``url: 'FILL IN: ...'`` reads as a placeholder, not as a malformed URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.yamlfile import Lines, Path_, Problem

MARKER = "FILL IN:"


def placeholder(instruction: str) -> str:
    """The value to write for a field the import cannot know: the marker, then what to do."""
    return f"{MARKER} {instruction}"


def is_placeholder(value: object) -> bool:
    return isinstance(value, str) and value.lstrip().startswith(MARKER)


@dataclass(frozen=True)
class Placeholders:
    """The placeholders found in one parsed file: a problem each, and where they are."""

    problems: tuple[Problem, ...]
    paths: tuple[Path_, ...]

    def covers(self, loc: tuple[Any, ...]) -> bool:
        """Whether a validation error at ``loc`` is about a placeholder already reported."""
        return any(tuple(loc[: len(path)]) == path for path in self.paths)


def find_placeholders(name: str, data: Any, lines: Lines) -> Placeholders:
    """Every value of ``data`` that is still a placeholder, as ``file:line: message``."""
    found: list[tuple[Path_, str]] = []
    _walk(data, (), found)
    problems = tuple(
        Problem(name, lines.get(path, 1), _message(data, path, value)) for path, value in found
    )
    return Placeholders(problems, tuple(path for path, _ in found))


def _walk(node: Any, path: Path_, found: list[tuple[Path_, str]]) -> None:
    if is_placeholder(node):
        found.append((path, node))
    elif isinstance(node, dict):
        for key, value in node.items():
            _walk(value, (*path, str(key)), found)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _walk(value, (*path, index), found)


def _message(data: Any, path: Path_, value: str) -> str:
    instruction = value.strip()[len(MARKER) :].strip() or "fill it in"
    field = next((part for part in reversed(path) if isinstance(part, str)), "value")
    return f"{_owner(data, path)}: {field} is still a placeholder from the import: {instruction}"


def _owner(data: Any, path: Path_) -> str:
    """``source ID`` or ``entry ID``: the block holding the field."""
    label, node = "file", data
    for part in path[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(part, int):
            kind = "entry" if "question" in node or "answer" in node else "source"
            label = f"{kind} {node.get('id', f'#{part + 1}')}"
    return label
