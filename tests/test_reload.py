"""Content hot reload on real files: valid, invalid, under load, by watchfiles and by SIGHUP."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.content import Catalogue, load_catalogue
from bot.matching import Matcher, Semantics
from bot.observability.health import health_report
from bot.reload import ContentReloader
from bot.responder import Responder
from tests.conftest import CONTENT, Make
from tests.observability.test_metrics import value

DREAMERS = "are dreamers affected by the memos"
PEP = "has PEP been terminated yet?"
FULL = CONTENT.read_text(encoding="utf-8")
# The same release without its last entry: a second valid version with a different answer.
WITHOUT_Q22 = FULL[: FULL.index("\n  - id: q22")] + "\n"
INVALID = FULL.replace("    number: 22\n", "    number: twenty-two\n")
INVALID_LINE = FULL[: FULL.index("    number: 22\n")].count("\n") + 1


def write(path: Path, text: str) -> None:
    """Replace the file in one step, as editors and deploy tools do."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    path = tmp_path / "content" / "qa.yaml"
    path.parent.mkdir()
    write(path, FULL)
    return path


def answer(responder: Responder, query: str) -> str | None:
    entry = responder.respond(query).entry
    return entry.id if entry else None


def test_valid_reload_swaps_the_content(content: Path, make: Make) -> None:
    responder, reloader, metrics = make(content)
    before = reloader.state.version
    assert answer(responder, DREAMERS) == "q22"

    write(content, WITHOUT_Q22)
    state = reloader.reload_now()

    assert state.status == "ok" and state.errors == ()
    assert state.entries == 21 and state.version != before
    assert responder.matcher.catalogue.version == state.version
    assert answer(responder, DREAMERS) is None
    assert answer(responder, PEP) == "q14"
    assert value(metrics, "qabot_content_reloads_total", result="ok") == 1
    assert value(metrics, "qabot_content_entries") == 21
    assert value(metrics, "qabot_content_info", version=state.version) == 1


def test_unchanged_file_keeps_the_matcher(content: Path, make: Make) -> None:
    responder, reloader, _ = make(content)
    matcher = responder.matcher
    assert reloader.reload_now().status == "unchanged"
    assert responder.matcher is matcher


def test_invalid_reload_is_rejected_and_the_previous_content_serves(
    content: Path, caplog: pytest.LogCaptureFixture, make: Make
) -> None:
    responder, reloader, metrics = make(content)
    matcher, version = responder.matcher, reloader.state.version

    write(content, INVALID)
    with caplog.at_level(logging.ERROR, logger="bot.reload"):
        state = reloader.reload_now()

    location = f"{content}:{INVALID_LINE}: entry q22: number"
    assert state.status == "rejected"
    assert len(state.errors) == 1 and state.errors[0].startswith(location)
    assert location in caplog.text
    assert responder.matcher is matcher and state.version == version and state.entries == 22
    assert answer(responder, DREAMERS) == "q22"
    assert value(metrics, "qabot_content_reloads_total", result="rejected") == 1
    assert value(metrics, "qabot_content_info", version=version) == 1

    status, body = health_report(state, store_ok=True)
    assert status == 200
    assert body["content_version"] == version and body["entries"] == 22
    assert body["last_reload"]["status"] == "rejected"
    assert body["last_reload"]["errors"] == list(state.errors)

    # Fixed: the next reload succeeds and the recorded errors go away.
    write(content, WITHOUT_Q22)
    state = reloader.reload_now()
    assert state.status == "ok" and state.errors == () and state.entries == 21


def test_requests_in_flight_see_one_version_each(
    content: Path, tmp_path: Path, make: Make, semantics: Semantics
) -> None:
    responder, reloader, _ = make(content)
    queries = (DREAMERS, PEP, "can DACA recipients be deported")
    expected: dict[str, dict[str, str | None]] = {}
    for text in (FULL, WITHOUT_Q22):
        reference = tmp_path / "reference.yaml"
        write(reference, text)
        ref = Responder(Matcher(load_catalogue(reference), semantics))
        expected[ref.matcher.catalogue.version] = {q: answer(ref, q) for q in queries}
    assert len({tuple(v.values()) for v in expected.values()}) == 2  # the versions differ

    served: list[Catalogue] = [responder.matcher.catalogue]
    done = threading.Event()

    def reload_repeatedly() -> None:
        try:
            for i in range(4):
                write(content, WITHOUT_Q22 if i % 2 == 0 else FULL)
                assert reloader.reload_now().status == "ok"
                served.append(responder.matcher.catalogue)
        finally:
            done.set()

    def ask_until_done(worker: int) -> list[tuple[str, object]]:
        seen = []
        i = worker
        while not done.is_set() or len(seen) < 20:
            query = queries[i % len(queries)]
            seen.append((query, responder.respond(query, "U1")))
            i += 1
        return seen

    with ThreadPoolExecutor(max_workers=5) as pool:
        askers = [pool.submit(ask_until_done, n) for n in range(4)]
        pool.submit(reload_repeatedly).result()
        replies = [item for f in askers for item in f.result()]

    versions_seen = set()
    for query, reply in replies:
        entries = [c.entry for c in reply.match.alternatives]
        entries += [reply.match.entry] if reply.match.entry else []
        assert entries, query
        # Every entry of one reply comes from one loaded catalogue, object for object.
        owners = [c for c in served if all(any(e is x for x in c.entries) for e in entries)]
        assert owners, f"reply to {query!r} mixes content versions"
        version = owners[0].version
        found = reply.match.entry.id if reply.match.entry else None
        assert found == expected[version][query]
        versions_seen.add(version)
    assert versions_seen == set(expected)


async def wait_until_watching(content: Path, text: str, reloader: ContentReloader) -> None:
    """Prove the watcher is registered: re-save until a save is seen.

    watchfiles offers no signal for "now watching", so a first save may fall before the
    watch exists; each round waits for the reload event itself, not for time to pass.
    """
    for _ in range(40):
        seen = reloader.state.generation
        write(content, text)
        try:
            await asyncio.wait_for(reloader.wait_for_reload(seen), timeout=0.5)
            return
        except TimeoutError:
            continue
    pytest.fail("the content watcher never saw a change")


async def test_file_changes_are_picked_up_by_the_watcher(content: Path, make: Make) -> None:
    responder, reloader, metrics = make(content, debounce_ms=50)
    stop = asyncio.Event()
    task = asyncio.create_task(reloader.run(stop, handle_sighup=False))
    try:
        await reloader.ready.wait()
        await wait_until_watching(content, FULL, reloader)
        assert reloader.state.status == "unchanged"

        seen = reloader.state.generation
        write(content, WITHOUT_Q22)
        state = await asyncio.wait_for(reloader.wait_for_reload(seen), timeout=10)
        assert state.status == "ok" and state.entries == 21
        assert answer(responder, DREAMERS) is None

        seen = state.generation
        write(content, INVALID)
        state = await asyncio.wait_for(reloader.wait_for_reload(seen), timeout=10)
        assert state.status == "rejected" and state.entries == 21
        assert value(metrics, "qabot_content_reloads_total", result="rejected") == 1

        # A file beside the content is not content: changing it reloads nothing.
        seen = state.generation
        (content.parent / "notes.txt").write_text("unrelated", encoding="utf-8")
        write(content, FULL)
        state = await asyncio.wait_for(reloader.wait_for_reload(seen), timeout=10)
        assert state.generation == seen + 1 and state.entries == 22
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)


async def test_kubernetes_configmap_swap_is_picked_up(tmp_path: Path, make: Make) -> None:
    """A ConfigMap volume: qa.yaml -> ..data/qa.yaml, and an update re-points ``..data``."""
    mount = tmp_path / "mount"
    mount.mkdir()
    first, second = mount / "..2026_01", mount / "..2026_02"
    first.mkdir()
    write(first / "qa.yaml", FULL)
    (mount / "..data").symlink_to(first.name)
    (mount / "qa.yaml").symlink_to("..data/qa.yaml")
    _, reloader, _ = make(mount / "qa.yaml", debounce_ms=50)
    stop = asyncio.Event()
    task = asyncio.create_task(reloader.run(stop, handle_sighup=False))
    try:
        await reloader.ready.wait()
        await wait_until_watching(mount / "..data" / "qa.yaml", FULL, reloader)
        seen = reloader.state.generation
        second.mkdir()
        write(second / "qa.yaml", WITHOUT_Q22)
        (mount / "..data_tmp").symlink_to(second.name)
        os.replace(mount / "..data_tmp", mount / "..data")
        state = await asyncio.wait_for(reloader.wait_for_reload(seen), timeout=10)
        assert state.status == "ok" and state.entries == 21
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)


async def test_sighup_reloads(content: Path, make: Make) -> None:
    responder, reloader, _ = make(content, watch=False)
    stop = asyncio.Event()
    task = asyncio.create_task(reloader.run(stop))
    try:
        await reloader.ready.wait()
        write(content, WITHOUT_Q22)
        seen = reloader.state.generation
        os.kill(os.getpid(), signal.SIGHUP)
        state = await asyncio.wait_for(reloader.wait_for_reload(seen), timeout=10)
        assert state.status == "ok" and state.entries == 21
        assert answer(responder, DREAMERS) is None
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)


def test_an_unexpected_failure_is_a_rejection_not_a_crash(
    content: Path, monkeypatch: pytest.MonkeyPatch, make: Make
) -> None:
    responder, reloader, metrics = make(content)
    matcher = responder.matcher

    def broken(*_args: object) -> Matcher:
        raise RuntimeError("index exploded")

    monkeypatch.setattr("bot.reload.Matcher", broken)
    write(content, WITHOUT_Q22)
    state = reloader.reload_now()
    assert state.status == "rejected"
    assert state.errors == (f"{content}:0: reload failed: RuntimeError('index exploded')",)
    assert responder.matcher is matcher and state.entries == 22
    assert value(metrics, "qabot_content_reloads_total", result="rejected") == 1


def test_which_changes_trigger_a_reload(tmp_path: Path, make: Make) -> None:
    from watchfiles import Change

    from bot.reload import _relevant_filter

    one_file = _relevant_filter(tmp_path / "qa.yaml")
    assert one_file(Change.modified, str(tmp_path / "qa.yaml"))
    assert one_file(Change.added, str(tmp_path / "..data"))  # a ConfigMap swap
    assert not one_file(Change.modified, str(tmp_path / "notes.yaml"))
    assert not one_file(Change.added, str(tmp_path / ".qa.yaml.swp"))

    directory = _relevant_filter(tmp_path)  # QABOT_CONTENT names a directory of files
    assert directory(Change.modified, str(tmp_path / "other.yml"))
    assert not directory(Change.modified, str(tmp_path / "README.md"))


async def test_cancelling_run_ends_the_watcher(content: Path, make: Make) -> None:
    _, reloader, _ = make(content, debounce_ms=50)
    task = asyncio.create_task(reloader.run(asyncio.Event(), handle_sighup=False))
    await reloader.ready.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, timeout=10)
    assert not reloader.ready.is_set()
