"""Fixtures shared by the whole suite: the real content, its catalogue and matcher."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.content import Catalogue, load_catalogue
from bot.matching import Matcher, Semantics
from bot.observability.metrics import Metrics
from bot.reload import ContentReloader
from bot.responder import Responder

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content" / "qa.yaml"
SHARED = ROOT.parent / "shared"
SOURCE_TEXT = SHARED / "source" / "dhs-qa-eo13768-2017-02-21.txt"
DEV_SET = SHARED / "eval" / "dev.yaml"
CVFAQ = SHARED / "content" / "cvfaq.yaml"


@pytest.fixture(scope="session", autouse=True)
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One embedding cache for the session, shared by every bot process the tests start."""
    path = tmp_path_factory.mktemp("qabot-cache")
    before = os.environ.get("QABOT_CACHE_DIR")
    os.environ["QABOT_CACHE_DIR"] = str(path)
    yield path
    if before is None:
        os.environ.pop("QABOT_CACHE_DIR", None)
    else:
        os.environ["QABOT_CACHE_DIR"] = before


@pytest.fixture(scope="session")
def semantics(cache_dir: Path) -> Semantics:
    """The packaged embedding model, as production loads it."""
    return Semantics.load(None, None, cache_dir)


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(CONTENT)


@pytest.fixture(scope="session")
def matcher(catalogue: Catalogue, semantics: Semantics) -> Matcher:
    return Matcher(catalogue, semantics)


def require(path: Path) -> Path:
    """A development file beside the repository: skipped when absent, but a failure in CI."""
    if not path.is_file():
        message = f"{path} is not present beside this checkout (the development sets in ../shared)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


Make = Callable[..., tuple[Responder, ContentReloader, Metrics]]


@pytest.fixture
def make(semantics: Semantics) -> Make:
    """A responder on ``content`` and a reloader keeping it current, as ``qabot serve`` has."""

    def build(content: Path, **kwargs) -> tuple[Responder, ContentReloader, Metrics]:
        responder = Responder(Matcher(load_catalogue(content), semantics))
        metrics = Metrics()
        reloader = ContentReloader(responder, content, semantics, metrics=metrics, **kwargs)
        return responder, reloader, metrics

    return build
