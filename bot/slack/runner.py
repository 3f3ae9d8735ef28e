"""``qabot serve``: settings, content and store checked first, then the server until SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import logging
import signal
import sys

import aiohttp

from bot.content import ContentError, load_catalogue
from bot.digest.clock import Clock
from bot.digest.schedule import ScheduleError, Schedules, load_schedules
from bot.digest.scheduler import Scheduler
from bot.feedback.questions import question_purger
from bot.matching import Matcher, Semantics
from bot.matching.embedding import ModelError, in_tenths
from bot.observability.logs import configure_logging
from bot.observability.metrics import Metrics
from bot.reload import ContentReloader
from bot.responder import Responder
from bot.settings import Settings, SettingsError, load_settings
from bot.slack.claims import claim_purger
from bot.slack.config import README_SECTION, CredentialsError, choose_mode, credentials
from bot.slack.posting import posting_own_retries
from bot.slack.server import BotServer, ServerOptions, Service, TokenRejected
from bot.store import QuestionStore, Store, StoreError

EXIT_INVALID = 1
EXIT_CONFIG = 2
SWITCH_INTERVAL = 0.0005
YOUNG_GC_THRESHOLD = 20_000

log = logging.getLogger(__name__)


def serve(args: argparse.Namespace) -> int:
    """Run the bot until SIGTERM or SIGINT; returns the process exit code."""
    try:
        overrides = {"QABOT_CONTENT": args.content} if _has(args, "content") else {}
        settings = load_settings(**overrides)
        configure_logging(settings)
    except SettingsError as exc:
        return _fail(str(exc), EXIT_CONFIG)
    mode = choose_mode(settings, bool(getattr(args, "http", False)))
    try:
        creds = credentials(settings, mode)
    except CredentialsError as exc:
        return _fail(str(exc), EXIT_CONFIG)
    try:
        catalogue = load_catalogue(settings.content, settings.learned)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return _fail("content is invalid; fix it and run: qabot content check", EXIT_INVALID)
    try:
        schedules = load_schedules(settings.schedules, catalogue) if settings.schedules else None
    except ScheduleError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return _fail("the schedule file is invalid (QABOT_SCHEDULES)", EXIT_INVALID)
    try:
        store = Store(settings.database_url)
        store.create_schema()
    except StoreError as exc:
        return _fail(str(exc), EXIT_INVALID)
    try:
        semantics = Semantics.load(
            settings.embedding_model, settings.embedding_sha256, settings.cache_dir
        )
    except ModelError as exc:
        return _fail(f"embedding model: {exc}", EXIT_CONFIG)
    progress = in_tenths(lambda done, total: log.info("embedding content: %d of %d", done, total))
    matcher = Matcher(catalogue, semantics, settings.match_threshold, progress=progress)
    responder = Responder(matcher, settings.command)
    options = ServerOptions(
        api_url=settings.slack_api_url,
        port=settings.port if getattr(args, "port", None) is None else args.port,
        shutdown_grace=float(settings.socket_grace_seconds),
        socket_grace=float(settings.socket_grace_seconds),
        metrics_port=settings.metrics_port,
        keep_questions_days=settings.keep_questions_days,
        reply_lease_seconds=settings.reply_lease_seconds,
        maintainers=settings.maintainers,
        learned=settings.learned,
    )
    metrics = Metrics()
    reloader = ContentReloader(
        responder,
        settings.content,
        semantics,
        settings.match_threshold,
        metrics,
        watch=settings.watch_content,
        learned=settings.learned,
    )
    # The purger runs with 0 days too: it then deletes what a larger setting kept before.
    purgers = [
        claim_purger(store),
        question_purger(QuestionStore(store), settings.keep_questions_days),
    ]
    server = BotServer(responder, store, creds, options, purgers, metrics, reloader)
    if schedules is not None:
        server.services.append(digest_service(server, schedules, settings, metrics))
    # The claim thread would otherwise keep the interpreter for up to 5 ms whenever the event
    # loop wakes up from a socket call, and every ack waiting behind it pays for that.
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        return asyncio.run(_run_until_signal(server))
    finally:
        store.close()


def digest_service(
    server: BotServer,
    schedules: Schedules,
    settings: Settings,
    metrics: Metrics | None,
    clock: Clock | None = None,
) -> Service:
    """The digest scheduler as a background service: due slots become jobs of the server's job
    runner, posted with the app's own Web API client and always from the content being served
    (it follows hot reloads); ``clock`` is the wall clock unless given."""

    async def run(stop: asyncio.Event) -> None:
        assert server.app is not None and server.deps is not None, "services start after the app"
        scheduler = Scheduler(
            schedules,
            server.store,
            # Slack's 429s and 5xx are left to the job's retries, which look in the channel
            # before posting again; the client still retries connections that never got made.
            posting_own_retries(server.app.client, metrics),
            lambda: server.responder.matcher.catalogue,
            server.deps.jobs,
            grace=dt.timedelta(minutes=settings.digest_grace_minutes),
            metrics=metrics,
            clock=clock,
        )
        await scheduler.run(stop)

    return run


async def _run_until_signal(server: BotServer) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await server.start()
    except TokenRejected as exc:
        await server.stop()
        return _fail(f"{exc}; {README_SECTION}", EXIT_CONFIG)
    except aiohttp.ClientError as exc:
        await server.stop()
        url = server.options.api_url
        return _fail(f"cannot reach Slack at {url} (SLACK_API_URL): {exc}", EXIT_INVALID)
    except OSError as exc:
        await server.stop()
        return _fail(f"cannot serve on port {server.options.port}: {exc.strerror}", EXIT_INVALID)
    _tune_garbage_collection()
    print(f"qabot: serving in {server.creds.mode.value} mode (port {server.port})", flush=True)
    await stop.wait()
    log.info("shutting down: finishing replies in flight")
    await server.stop()
    return 0


def _tune_garbage_collection() -> None:
    """Start-up objects out of the collector's reach, and young collections rarer."""
    # What start-up loaded (content, model, the app) lives as long as the process, yet every
    # full collection walked it with the event loop stopped: about 50 ms once in each run of
    # bench/http_bench.py, straight into the acks' p99. And a burst of requests makes and frees
    # so many short-lived containers that at the default threshold (700) the young generation
    # was collected about 130 times a run, each pause up to 13 ms; at 20,000 it was not
    # collected at all, and cyclic garbage waits for at most that many new objects.
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GC_THRESHOLD, *gc.get_threshold()[1:])
    log.info("start-up objects kept out of garbage collection: %d", gc.get_freeze_count())


def _fail(message: str, code: int) -> int:
    print(f"qabot serve: {message}", file=sys.stderr)
    return code


def _has(args: argparse.Namespace, name: str) -> bool:
    return bool(getattr(args, name, None))
