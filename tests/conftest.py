"""Fixtures shared by the whole suite: the real content, its catalogue and matcher."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import Catalogue, load_catalogue
from bot.matching import Matcher

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content" / "qa.yaml"
SHARED = ROOT.parent / "shared"
SOURCE_TEXT = SHARED / "source" / "dhs-qa-eo13768-2017-02-21.txt"
DEV_SET = SHARED / "eval" / "dev.yaml"


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(CONTENT)


@pytest.fixture(scope="session")
def matcher(catalogue: Catalogue) -> Matcher:
    return Matcher(catalogue)


def require(path: Path) -> Path:
    """Skip when a file beside the repository is absent (it is on developer and CI machines)."""
    if not path.is_file():
        pytest.skip(f"{path} is not present beside this checkout")
    return path
