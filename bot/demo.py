"""``qabot demo``: talk to the bot in a terminal, through the same responder Slack uses."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import TextIO

from bot.matching import Matcher
from bot.render import terminal
from bot.render.blocks import SUGGEST_ACTION_PREFIX
from bot.render.browse import MORE_ACTION
from bot.responder import Reply, Responder
from bot.settings import Settings
from bot.store import Store

BANNER = """qabot demo: official answers, quoted verbatim, no Slack needed.
Type a question, `{command} QUESTION`, `@qabot QUESTION`, `{command} list` or `{command} help`.
Right after a reply with buttons [1], [2]..., typing a number presses that button; `Q14` always
asks for question 14. End with Ctrl-D (or `quit`).
"""
USER = "UDEMO"
GONE = "That question is no longer in the loaded content; try `{command} list`."


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
    shown: list[dict] = []  # the buttons of the last reply, pressed by typing their number
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
        if shown and text.isdigit():
            reply = _press(responder, shown, int(text), settings.command, stdout)
        else:
            surface, question = _surface(text, settings.command)
            started = time.perf_counter()
            reply = responder.respond(question, user=USER)
            latency_ms = (time.perf_counter() - started) * 1000
            if reply.match is not None:
                entry = reply.match.entry
                entry_id = entry.id if entry is not None else None
                store.record_query(surface, entry_id, reply.match.score, latency_ms)
        if reply is None:
            continue
        where = "in channel" if reply.public else "only visible to you"
        stdout.write(f"qabot ({where})>\n{terminal.render(reply.message)}\n")
        shown = terminal.buttons(reply.message)
        if shown:
            stdout.write(_hint(len(shown)))
        stdout.flush()
    count = store.query_count()
    stdout.write(f"{count} question{'' if count == 1 else 's'} asked in this session.\n")


def _press(
    responder: Responder, shown: list[dict], number: int, command: str, stdout: TextIO
) -> Reply | None:
    """What pressing button ``number`` does in Slack: post that answer, or show the next page."""
    if not 1 <= number <= len(shown):
        stdout.write(f"qabot> There is no button [{number}]. {_hint(len(shown))}\n")
        return None
    button = shown[number - 1]
    action, value = str(button.get("action_id", "")), str(button.get("value", ""))
    if action.startswith(SUGGEST_ACTION_PREFIX):
        reply = responder.entry_reply(value, USER)
    elif action == MORE_ACTION:
        reply = responder.page(value)
    else:
        reply = None
    if reply is None:
        stdout.write(f"qabot> {GONE.format(command=command)}\n\n")
    return reply


def _hint(count: int) -> str:
    numbers = "1" if count == 1 else f"1-{count}"
    return f"(Type {numbers} to press a button; Q14 asks for question 14.)\n\n"


def _surface(text: str, command: str) -> tuple[str, str]:
    """Where a line would come from in Slack, and the question as Slack would hand it over."""
    lowered = text.lower()
    if lowered == command or lowered.startswith(command + " "):
        return "command", text[len(command) :]
    if lowered.startswith("@qabot"):
        return "mention", text[len("@qabot") :]
    return "dm", text
