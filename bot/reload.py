"""Content hot reload: on SIGHUP or a change of the content file, validate and swap the matcher.

A valid file becomes a new ``Matcher`` put in place with one assignment, so a request uses
either the old content or the new, never a mix. An invalid file is rejected: its ``file:line``
problems are logged and kept for ``/healthz``, and the previous content keeps serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from watchfiles import Change, awatch

from bot.content import ContentError, load_catalogue
from bot.matching import Matcher, Semantics
from bot.observability.metrics import Metrics
from bot.responder import Responder

log = logging.getLogger(__name__)

# How long the watcher waits for a burst of file events to settle before reloading once.
DEFAULT_DEBOUNCE_MS = 500
# How often the learned file is looked at. Replicas share it on a volume, where file events
# report only this host's writes; another replica's additions are seen within this time.
LEARNED_POLL_S = 10.0


@dataclass(frozen=True)
class ReloadState:
    """What ``/healthz`` shows: the content served and how the last reload went."""

    version: str
    entries: int
    status: str = "initial"  # initial | ok | unchanged | rejected
    errors: tuple[str, ...] = ()
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    generation: int = 0  # bumps on every reload attempt

    def as_dict(self) -> dict[str, Any]:
        return {
            "content_version": self.version,
            "entries": self.entries,
            "last_reload": {
                "status": self.status,
                "at": self.at.isoformat(timespec="seconds"),
                "errors": list(self.errors),
            },
        }


class ContentReloader:
    """Keeps ``responder.matcher`` in step with the content file named by ``path``."""

    def __init__(
        self,
        responder: Responder,
        path: str | Path,
        semantics: Semantics,
        threshold: float | None = None,
        metrics: Metrics | None = None,
        *,
        watch: bool = True,
        debounce_ms: int = DEFAULT_DEBOUNCE_MS,
        learned: str | Path | None = None,
        learned_poll: float = LEARNED_POLL_S,
    ) -> None:
        self.responder = responder
        self.path = Path(path)
        # The learned phrasings overlay, reloaded with the content (and watched when it sits in
        # the watched directory; ``add_phrasing``'s callers also ask for a reload).
        self.learned = Path(learned) if learned is not None else None
        self.learned_poll = learned_poll
        self._learned_seen = _stamp(self.learned)
        self.semantics = semantics
        self.threshold = threshold
        self.metrics = metrics
        self.watch = watch
        self.debounce_ms = debounce_ms
        catalogue = responder.matcher.catalogue
        self.state = ReloadState(catalogue.version, len(catalogue))
        self._lock = threading.Lock()
        self._requested = asyncio.Event()
        self._changed = asyncio.Condition()
        self._running = False
        # Set once run() handles SIGHUP and has started watching.
        self.ready = asyncio.Event()
        if metrics is not None:
            metrics.observe_content(len(catalogue), catalogue.version)

    def reload_now(self) -> ReloadState:
        """Load, validate and swap in the content file now; blocking, safe from any thread."""
        with self._lock:
            generation = self.state.generation + 1
            self._learned_seen = _stamp(self.learned)
            try:
                catalogue = load_catalogue(self.path, self.learned)
                matcher = None
                if catalogue.version != self.responder.matcher.catalogue.version:
                    matcher = Matcher(catalogue, self.semantics, self.threshold)
            except ContentError as exc:
                return self._reject(tuple(str(p) for p in exc.problems), generation)
            except Exception as exc:
                # Whatever went wrong, the bot keeps serving and keeps watching for the next save.
                log.exception("content reload failed")
                return self._reject((f"{self.path}:0: reload failed: {exc!r}",), generation)

            if matcher is None:
                status = "unchanged"
            else:
                status = "ok"
                # The one assignment a request can observe: old matcher or new, never a mix.
                self.responder.matcher = matcher
                log.info(
                    "content reloaded: version %s, %d entries", catalogue.version, len(catalogue)
                )
            self.state = ReloadState(
                catalogue.version, len(catalogue), status, generation=generation
            )
            if self.metrics is not None:
                self.metrics.observe_reload(ok=True)
                self.metrics.observe_content(len(catalogue), catalogue.version)
            return self.state

    def _reject(self, errors: tuple[str, ...], generation: int) -> ReloadState:
        for line in errors:
            log.error("content reload rejected: %s", line)
        log.error("content reload rejected; still serving version %s", self.state.version)
        self.state = replace(
            self.state,
            status="rejected",
            errors=errors,
            at=datetime.now(UTC),
            generation=generation,
        )
        if self.metrics is not None:
            self.metrics.observe_reload(ok=False)
        return self.state

    def request_reload(self) -> None:
        """Ask the running ``run()`` loop to reload soon; cheap enough for a signal handler."""
        if self._running:
            self._requested.set()

    async def reload(self) -> ReloadState:
        """Reload off the event loop (loading and indexing are CPU work) and announce it."""
        state = await asyncio.to_thread(self.reload_now)
        async with self._changed:
            self._changed.notify_all()
        return state

    async def wait_for_reload(self, after: int) -> ReloadState:
        """The state once a reload attempt later than generation ``after`` has finished."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.state.generation > after)
        return self.state

    async def run(self, stop: asyncio.Event, *, handle_sighup: bool = True) -> None:
        """Reload on SIGHUP and, when watching, on changes of the content file, until ``stop``."""
        self._running = True
        self._requested.clear()
        loop = asyncio.get_running_loop()
        sighup = handle_sighup and _can_handle_signals()
        if sighup:
            loop.add_signal_handler(signal.SIGHUP, self.request_reload)
        tasks = [asyncio.create_task(self._serve_requests(stop))]
        if self.watch:
            tasks.append(asyncio.create_task(self._watch(stop)))
            if self.learned is not None:
                tasks.append(asyncio.create_task(self._poll_learned(stop)))
        self.ready.set()
        try:
            await stop.wait()
        finally:
            if sighup:
                loop.remove_signal_handler(signal.SIGHUP)
            self._running = False
            self.ready.clear()
            self._requested.set()  # wakes the request loop so it sees stop
            if not stop.is_set():  # cancelled rather than stopped: the watcher would not end
                for task in tasks:
                    task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _serve_requests(self, stop: asyncio.Event) -> None:
        while True:
            await self._requested.wait()
            self._requested.clear()
            if stop.is_set():
                return
            await self.reload()

    async def _watch(self, stop: asyncio.Event) -> None:
        # Watch the directory: editors save by rename, and Kubernetes updates a ConfigMap by
        # swapping a `..data` symlink, so the file's own inode may never change.
        target = self.path if self.path.is_dir() else self.path.parent
        relevant = _relevant_filter(self.path, self.learned)
        try:
            async for _ in awatch(
                target, watch_filter=relevant, stop_event=stop, debounce=self.debounce_ms
            ):
                self.request_reload()
        except (FileNotFoundError, RuntimeError) as exc:
            log.warning("not watching %s for changes (%s); SIGHUP still reloads", target, exc)

    async def _poll_learned(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.learned_poll):
                    await stop.wait()
            if not stop.is_set() and _stamp(self.learned) != self._learned_seen:
                self.request_reload()


def _stamp(path: Path | None) -> tuple[int, int, int] | None:
    """What changes when the file is written or replaced: inode, size and mtime."""
    if path is None:
        return None
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_ino, status.st_size, status.st_mtime_ns)


def _relevant_filter(path: Path, learned: Path | None = None) -> Callable[[Change, str], bool]:
    directory = path.is_dir()
    overlay = learned.resolve() if learned is not None else None

    def relevant(_change: Change, changed: str) -> bool:
        name = Path(changed).name
        if overlay is not None and Path(changed).resolve() == overlay:
            return True
        if name.startswith(".."):  # a Kubernetes ConfigMap update
            return True
        if directory:
            return name.endswith((".yaml", ".yml"))
        return name == path.name

    return relevant


def _can_handle_signals() -> bool:
    return hasattr(signal, "SIGHUP") and threading.current_thread() is threading.main_thread()
