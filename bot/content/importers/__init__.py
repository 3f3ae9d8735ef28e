"""``qabot content import``: a Q&A release or collection, in the form people have it, to YAML.

One module per format, each a ``read(path, base_url)`` returning an ``Imported``; ``output``
turns that into content YAML with placeholders for what the document does not say.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.content.importers import html_page, markdown, table, text
from bot.content.importers.common import Imported
from bot.content.importers.output import ImportOptions, to_yaml

__all__ = ["FORMATS", "ImportOptions", "detect_format", "import_content", "read", "to_yaml"]

Reader = Callable[[Path, str | None], Imported]

FORMATS: dict[str, Reader] = {
    "text": text.read,
    "markdown": markdown.read,
    "csv": table.read,
    "tsv": table.read_tsv,
    "html": html_page.read,
}
_BY_SUFFIX = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".html": "html",
    ".htm": "html",
}


def detect_format(path: Path) -> str:
    """The format a path is read in: Markdown (a folder or one file), CSV, TSV, HTML, else text."""
    if path.is_dir():
        return "markdown"
    return _BY_SUFFIX.get(path.suffix.lower(), "text")


def read(path: Path, fmt: str | None = None, base_url: str | None = None) -> Imported:
    """Read ``path`` in ``fmt`` (detected when None); ContentError with ``file:line`` problems."""
    return FORMATS[fmt or detect_format(path)](path, base_url)


def import_content(path: Path, fmt: str | None = None, options: ImportOptions | None = None) -> str:
    """Content YAML for the document at ``path``."""
    options = options or ImportOptions()
    return to_yaml(read(path, fmt, options.url), options)
