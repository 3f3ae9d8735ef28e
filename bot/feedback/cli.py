"""``qabot report [--since 7d] [--format table|csv|json]``: what use shows about the content."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from typing import Any

EXIT_INVALID = 1
EXIT_CONFIG = 2
DEFAULT_SINCE = "7d"
# Those of bot.feedback.formats.render, named here so that building the parser imports nothing.
FORMATS = ("table", "csv", "json")

_SPAN = re.compile(r"(\d{1,6})([hdw])")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


class ReportError(Exception):
    """Why the report cannot be made, in a line or more, with the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def add_report_command(subparsers: Any) -> None:
    """Add ``report`` to the CLI."""
    report = subparsers.add_parser(
        "report", help="questions declined, answers voted down, entries never asked, by day"
    )
    report.add_argument(
        "--since",
        default=DEFAULT_SINCE,
        help="Nh, Nd or Nw back from now, or a date such as 2026-03-01 (default: 7d)",
    )
    report.add_argument("--format", choices=FORMATS, default="table", help="default: table")
    report.set_defaults(handler=cmd_report)


def parse_since(value: str, now: dt.datetime) -> dt.datetime:
    """The start of the period: ``Nh``/``Nd``/``Nw`` before ``now``, or an ISO date or time
    (UTC unless it says otherwise). ValueError, with a message fit for the user, otherwise."""
    text = value.strip().lower()
    if span := _SPAN.fullmatch(text):
        count = int(span.group(1))
        if count == 0:
            raise ValueError(f"--since {value!r} is an empty period; use 1{span.group(2)} or more")
        return now - dt.timedelta(**{_UNITS[span.group(2)]: count})
    try:
        start = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"--since {value!r} is not a period; use Nh, Nd or Nw (such as 7d) or a date "
            "(such as 2026-03-01)"
        ) from None
    if start.tzinfo is None:
        start = start.replace(tzinfo=dt.UTC)
    if start >= now:
        raise ValueError(f"--since {value!r} is not in the past")
    return start


def cmd_report(args: argparse.Namespace) -> int:
    try:
        print(report_text(args, dt.datetime.now(dt.UTC)), end="")
    except ReportError as exc:
        print(f"qabot report: {exc}", file=sys.stderr)
        return exc.code
    return 0


def report_text(args: argparse.Namespace, now: dt.datetime) -> str:
    """The report of ``args`` up to ``now``, as text in the chosen format."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.content import ContentError, load_catalogue
    from bot.feedback.formats import render
    from bot.feedback.report import build_report
    from bot.settings import SettingsError, load_settings
    from bot.store import Store, StoreError

    try:
        since = parse_since(args.since, now)
    except ValueError as exc:
        raise ReportError(str(exc), EXIT_CONFIG) from None
    overrides = {"QABOT_CONTENT": args.content} if getattr(args, "content", None) else {}
    try:
        settings = load_settings(**overrides)
    except SettingsError as exc:
        raise ReportError(str(exc), EXIT_CONFIG) from None
    try:
        catalogue = load_catalogue(settings.content)
    except ContentError as exc:
        problems = "\n".join(str(p) for p in exc.problems)
        raise ReportError(f"content is invalid:\n{problems}", EXIT_INVALID) from None
    try:
        store = Store(settings.database_url)
        store.create_schema()
    except StoreError as exc:
        raise ReportError(str(exc), EXIT_CONFIG) from None
    try:
        entry_ids = [e.id for e in catalogue.entries]
        report = build_report(store, entry_ids, since, now, settings.keep_questions_days)
    except SQLAlchemyError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        message = f"{store.safe_url}: cannot read the state store: {reason}"
        raise ReportError(message, EXIT_INVALID) from None
    finally:
        store.close()
    return render(report, args.format)
