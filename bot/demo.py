"""``qabot demo``: talk to the bot in a terminal, through the same responder Slack uses."""

from __future__ import annotations

from typing import TextIO

from bot.matching import Matcher
from bot.render import terminal
from bot.responder import Responder
from bot.settings import Settings

BANNER = """qabot demo: official answers, quoted verbatim, no Slack needed.
Type a question, `{command} QUESTION`, `@qabot QUESTION`, `{command} list` or `{command} help`.
End with Ctrl-D (or `quit`).
"""


def run_demo(settings: Settings, matcher: Matcher, stdin: TextIO, stdout: TextIO) -> int:
    """Read questions line by line until end of input; print each reply as Slack would show it."""
    responder = Responder(matcher, settings.command)
    interactive = stdin.isatty()
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
        reply = responder.respond(_strip_surface(text, settings.command), user="UDEMO")
        where = "in channel" if reply.public else "only visible to you"
        stdout.write(f"qabot ({where})>\n{terminal.render(reply.message)}\n")
        stdout.flush()
    return 0


def _strip_surface(text: str, command: str) -> str:
    """`/qa ...` and `@qabot ...` arrive in Slack without these; plain text is a DM."""
    lowered = text.lower()
    if lowered == command or lowered.startswith(command + " "):
        return text[len(command) :]
    if lowered.startswith("@qabot"):
        return text[len("@qabot") :]
    return text
