"""Helpers for the importer tests: run an import, fill its placeholders, load it for real."""

from __future__ import annotations

import re
from pathlib import Path

from bot.content import Catalogue, load_catalogue
from bot.content.importers import ImportOptions, import_content

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"

# What a person would write in place of each placeholder; the notice line is deleted.
FILLED = {
    "title": "Example title",
    "issuer": "Example Agency",
    "released": "2019-01-01",
    "url": "https://example.gov/",
}
_PLACEHOLDER_LINE = re.compile(r"^(\s*)(\w+): (['\"])FILL IN:.*$")


def fill(text: str) -> str:
    """The imported YAML with every placeholder filled as a person would, line by line."""
    out = []
    for line in text.splitlines(keepends=True):
        found = _PLACEHOLDER_LINE.match(line)
        if found:
            indent, key = found[1], found[2]
            if key == "notice":
                continue
            line = f"{indent}{key}: {FILLED[key]}\n"
        out.append(line)
    return "".join(out)


def imported(path: Path, fmt: str | None = None, **options: str) -> str:
    return import_content(path, fmt, ImportOptions(**options))


def load_filled(text: str, tmp_path: Path) -> Catalogue:
    """Fill the placeholders, write the file and load it with the real loader."""
    out = tmp_path / "imported.yaml"
    out.write_text(fill(text), encoding="utf-8")
    return load_catalogue(out)


def pairs(catalogue: Catalogue) -> list[tuple[str, str]]:
    return [(e.question, e.answer) for e in catalogue.entries]
