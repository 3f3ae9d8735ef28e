"""``qabot demo``: talk to the bot in a terminal, through the same responder Slack uses."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import TextIO

from bot.matching import Matcher
from bot.render import terminal
from bot.responder import Responder
from bot.settings import Settings
from bot.store import Store

BANNER = """qabot demo: official answers, quoted verbatim, no Slack needed.
Type a question, `{command} QUESTION`, `@qabot QUESTION`, `{command} list` or `{command} help`.
End with Ctrl-D (or `quit`).
"""


def run_demo(settings: Settings, matcher: Matcher, stdin: TextIO, stdout: TextIO) -> int:
    """Read questions line by line until end of input; print each reply as Slack would show it."""
    responder = Responder(matcher, settings.command)
    interactive = stdin.isatty()
    # The demo keeps state like the bot does, in an SQLite file of its own that it removes after.
    with tempfile.TemporaryDirectory(prefix="qabot-demo-") as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'state.sqlite3'}")
        store.create_schema()
        try:
            _session(settings, responder, store, stdin, stdout, interactive)
        finally:
            store.close()
    return 0


def _session(
    settings: Settings,
    responder: Responder,
    store: Store,
    stdin: TextIO,
    stdout: TextIO,
    interactive: bool,
) -> None:
    matcher = responder.matcher
    stdout.write(BANNER.format(command=settings.command))
    stdout.write(f"{len(matcher.catalogue)} entries loaded from {settings.content}\n\n")
    while True:
        if interactive:
            stdout.write("you> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        if text in ("quit", "exit", "/quit"):
            break
        if not interactive:
            stdout.write(f"you> {text}\n")
        surface, question = _surface(text, settings.command)
        started = time.perf_counter()
        reply = responder.respond(question, user="UDEMO")
        latency_ms = (time.perf_counter() - started) * 1000
        if reply.match is not None:
            entry = reply.match.entry
            entry_id = entry.id if entry is not None else None
            store.record_query(surface, entry_id, reply.match.score, latency_ms)
        where = "in channel" if reply.public else "only visible to you"
        stdout.write(f"qabot ({where})>\n{terminal.render(reply.message)}\n")
        stdout.flush()
    count = store.query_count()
    stdout.write(f"{count} question{'' if count == 1 else 's'} asked in this session.\n")


def _surface(text: str, command: str) -> tuple[str, str]:
    """Where a line would come from in Slack, and the question as Slack would hand it over."""
    lowered = text.lower()
    if lowered == command or lowered.startswith(command + " "):
        return "command", text[len(command) :]
    if lowered.startswith("@qabot"):
        return "mention", text[len("@qabot") :]
    return "dm", text
