"""Content files made up for tests: many documents, numbers shared between them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def source(
    ident: str,
    entries: int,
    *,
    first_id: int = 1,
    short: str | None = None,
    title: str | None = None,
    notice: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A source block with ``entries`` made-up questions numbered from 1."""
    block: dict[str, Any] = {
        "id": ident,
        "title": title or f"Questions and answers about {ident}",
        "issuer": f"Office of {ident.title()}",
        "released": "2020-01-02",
        "url": f"https://example.gov/{ident}",
        **fields,
    }
    if short:
        block["short"] = short
    if notice:
        block["notice"] = notice
    block["entries"] = [
        {
            "id": f"{ident}-{first_id + n}",
            "number": n + 1,
            "question": f"What does {ident} say about topic {n + 1}?",
            "answer": f"Answer {n + 1} of {ident}.",
        }
        for n in range(entries)
    ]
    return block


def write(path: Path, *sources: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump({"sources": list(sources)}, sort_keys=False), encoding="utf-8")
    return path
