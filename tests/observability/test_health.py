"""The /healthz report: store, Socket Mode grace period, content and reload state."""

from __future__ import annotations

import dataclasses
import io
import logging

from bot.matching import Matcher
from bot.observability.health import ConnectionClock, SocketModeState, health_report, public
from bot.observability.logs import configure_logging
from bot.observability.metrics import Metrics
from bot.observability.report import report_request
from bot.reload import ReloadState
from bot.responder import Responder
from bot.settings import Settings
from tests.observability.test_metrics import value

CONTENT = ReloadState(version="abc123def456", entries=22)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_healthy_report_carries_content() -> None:
    status, body = health_report(CONTENT, store_ok=True)
    assert status == 200
    assert body["status"] == "ok"
    assert body["content_version"] == "abc123def456" and body["entries"] == 22
    assert body["store"] is True and "socket_mode" not in body
    assert body["last_reload"]["status"] == "initial"


def test_rejected_reload_is_degraded_but_up() -> None:
    rejected = dataclasses.replace(CONTENT, status="rejected", errors=("/srv/qa.yaml:3: bad",))
    status, body = health_report(rejected, store_ok=True)
    assert (status, body["status"]) == (200, "degraded")
    assert body["last_reload"]["errors"] == ["/srv/qa.yaml:3: bad"]


def test_the_public_form_is_the_status_alone() -> None:
    rejected = dataclasses.replace(CONTENT, status="rejected", errors=("/srv/qa.yaml:3: bad",))
    assert public(health_report(CONTENT, True)) == (200, {"status": "ok"})
    assert public(health_report(rejected, True)) == (200, {"status": "degraded"})
    assert public(health_report(CONTENT, False)) == (200, {"status": "degraded"})


def test_store_unreachable_is_degraded_as_replies_still_go_out() -> None:
    status, body = health_report(CONTENT, store_ok=False)
    assert status == 200 and body["status"] == "degraded" and body["store"] is False


def test_socket_mode_disconnection_within_and_beyond_grace() -> None:
    clock = FakeClock()
    connection = ConnectionClock(clock)
    assert connection.observe(True) == SocketModeState(True)
    assert health_report(CONTENT, True, connection.observe(True), grace_s=60)[0] == 200

    clock.t += 5
    state = connection.observe(False)  # dropped now
    assert state == SocketModeState(False, 0.0)
    clock.t += 60
    status, body = health_report(CONTENT, True, connection.observe(False), grace_s=60)
    assert status == 200 and body["status"] == "degraded"
    assert body["socket_mode"] is False and body["socket_disconnected_for_s"] == 60
    clock.t += 1
    assert health_report(CONTENT, True, connection.observe(False), grace_s=60)[0] == 503

    # Reconnected: healthy again, and the next drop counts from its own start.
    assert health_report(CONTENT, True, connection.observe(True), grace_s=60)[0] == 200
    clock.t += 1000
    assert connection.observe(False).disconnected_for_s == 0


def test_never_connected_counts_from_start() -> None:
    clock = FakeClock()
    connection = ConnectionClock(clock)
    clock.t += 61
    assert health_report(CONTENT, True, connection.observe(False), grace_s=60)[0] == 503


def test_report_request_counts_and_logs_once(matcher: Matcher) -> None:
    out = io.StringIO()
    level = logging.getLogger().level
    handler = configure_logging(Settings(_env_file=None, QABOT_LOG_LEVEL="INFO"), out)
    try:
        metrics = Metrics()
        reply = Responder(matcher).respond("has PEP been terminated yet?")
        record = report_request(metrics, "mention", reply, 0.12)
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(level)
    assert record.entry_id == "q14"
    assert value(metrics, "qabot_requests_total", surface="mention", outcome="answered") == 1
    assert out.getvalue().count("request surface=mention answer=q14") == 1
