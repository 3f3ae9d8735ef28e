"""The ``qabot`` command line: parse arguments, call the pieces, print, exit."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from bot.content import ContentError, load_catalogue
from bot.content.importers import FORMATS, ImportOptions, import_content
from bot.content.models import _ID_PATTERN, _SHORT_PATTERN, _URL_PATTERN
from bot.digest.cli import add_digest_commands
from bot.feedback.cli import add_report_command
from bot.matching import Matcher, Semantics
from bot.matching.embedding import ModelError, Progress, in_tenths
from bot.matching.evaluation import evaluate, format_report, load_queries
from bot.render import terminal
from bot.responder import Responder
from bot.settings import Settings, SettingsError, load_settings

DEFAULT_EVAL_FILE = Path("../shared/eval/dev.yaml")
EXIT_INVALID = 1
EXIT_CONFIG = 2


class CliError(Exception):
    """A failure to report in one or more lines, with an exit code, and no traceback."""

    def __init__(self, message: str, code: int = EXIT_INVALID) -> None:
        super().__init__(message)
        self.code = code


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_CONFIG
    try:
        return int(args.handler(args) or 0)
    except CliError as exc:
        print(str(exc), file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing left to say to it.
        sys.stderr.close()
        return 0


# -- helpers shared by the commands ---------------------------------------------------------


def settings_from(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "content", None):
        overrides["QABOT_CONTENT"] = args.content
    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        raise CliError(str(exc), EXIT_CONFIG) from None


def load_semantics(settings: Settings) -> Semantics:
    """The embedding model named by the settings; a missing or corrupt one is a CliError."""
    try:
        return Semantics.load(
            settings.embedding_model, settings.embedding_sha256, settings.cache_dir
        )
    except ModelError as exc:
        raise CliError(f"qabot: embedding model: {exc}", EXIT_CONFIG) from None


def build_matcher(settings: Settings) -> Matcher:
    """Load the content named by the settings and index it; content errors become CliError."""
    try:
        catalogue = load_catalogue(settings.content, settings.learned)
    except ContentError as exc:
        raise CliError(f"{exc}\ncontent is invalid; fix it and run: qabot content check") from None
    semantics = load_semantics(settings)
    return Matcher(catalogue, semantics, settings.match_threshold, progress=progress_printer())


def progress_printer(minimum: int = 500) -> Progress:
    """Reports a cold embedding build of ``minimum`` texts or more on stderr, in tenths."""

    def report(done: int, total: int) -> None:
        print(f"qabot: embedding content {done}/{total}", file=sys.stderr, flush=True)

    return in_tenths(report, minimum)


# -- commands --------------------------------------------------------------------------------


def cmd_ask(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    matcher = build_matcher(settings)
    query = " ".join(args.question)
    if args.json:
        print(json.dumps(matcher.match(query).as_dict(), ensure_ascii=False))
        return 0
    reply = Responder(matcher, settings.command).respond(query)
    sys.stdout.write(terminal.render(reply.message))
    return 0


def cmd_match(args: argparse.Namespace) -> int:
    matcher = build_matcher(settings_from(args))
    _match_lines(matcher, sys.stdin, sys.stdout)
    return 0


def _match_lines(matcher: Matcher, stdin: TextIO, stdout: TextIO) -> None:
    # readline() rather than iteration: iteration reads ahead, and a caller driving us one
    # query at a time would wait forever for the answer to the line it just sent.
    while line := stdin.readline():
        query = line.rstrip("\r\n")
        stdout.write(json.dumps(matcher.match(query).as_dict(), ensure_ascii=False) + "\n")
        stdout.flush()


def cmd_eval(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    path = Path(args.file) if args.file else DEFAULT_EVAL_FILE
    if not path.is_file():
        raise CliError(f"{path}: query file not found (pass its path: qabot eval FILE)")
    matcher = build_matcher(settings)
    if args.threshold is not None:
        matcher.threshold = args.threshold
    try:
        queries = load_queries(path)
    except (KeyError, TypeError, ValueError) as exc:
        raise CliError(f"{path}: not a labelled query file ({exc})") from None
    print(format_report(evaluate(matcher, queries), matcher.threshold))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    settings = settings_from(args)
    return run_demo(settings, build_matcher(settings), sys.stdin, sys.stdout)


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.slack.runner import serve

    return serve(args)


def cmd_content_check(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    path = Path(args.path) if args.path else settings.content
    try:
        # The learned phrasings are checked with the content they name (a missing file is empty).
        catalogue = load_catalogue(path, settings.learned)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        print(f"{count} problem{'s' if count != 1 else ''} found", file=sys.stderr)
        return EXIT_INVALID
    sources = len(catalogue.sources)
    print(f"{path}: ok, {len(catalogue)} entries from {sources} source{'s' * (sources != 1)}")
    return 0


def cmd_content_import(args: argparse.Namespace) -> int:
    options = ImportOptions(
        id=args.id, short=args.short, title=args.title, issuer=args.issuer, url=args.url
    )
    try:
        sys.stdout.write(import_content(Path(args.path), args.format, options))
    except ContentError as exc:
        raise CliError(str(exc)) from None
    return 0


def _matching(pattern: str, what: str) -> Callable[[str], str]:
    """An argument type that accepts only values a content file would accept."""

    def check(value: str) -> str:
        if re.fullmatch(pattern, value) is None:
            raise argparse.ArgumentTypeError(f"{value!r} is not {what}")
        return value

    return check


# -- argument parser -------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qabot", description="Official answers from official Q&A documents."
    )
    parser.add_argument("--content", help="content file (default: $QABOT_CONTENT)")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    ask = sub.add_parser("ask", help="print the answer the bot would post")
    ask.add_argument("question", nargs="+")
    ask.add_argument("--json", action="store_true", help="print the match result as JSON")
    ask.set_defaults(handler=cmd_ask)

    match = sub.add_parser("match", help="match queries from stdin, one JSON line each")
    match.add_argument("--jsonl", action="store_true", required=True)
    match.set_defaults(handler=cmd_match)

    ev = sub.add_parser("eval", help="accuracy on a labelled query file")
    ev.add_argument("file", nargs="?", help=f"query file (default: {DEFAULT_EVAL_FILE})")
    ev.add_argument("--threshold", type=float, help="decision threshold to try")
    ev.set_defaults(handler=cmd_eval)

    demo = sub.add_parser("demo", help="a local session over the bot's pipeline, no Slack")
    demo.set_defaults(handler=cmd_demo)

    serve = sub.add_parser("serve", help="run the Slack bot")
    serve.add_argument("--http", action="store_true", help="HTTP mode even with SLACK_APP_TOKEN")
    serve.add_argument("--port", type=int, help="HTTP port (default: $PORT or 3000)")
    serve.set_defaults(handler=cmd_serve)

    content = sub.add_parser("content", help="check or import content")
    content_sub = content.add_subparsers(title="content commands", metavar="ACTION")
    check = content_sub.add_parser("check", help="validate a content file")
    check.add_argument("path", nargs="?", help="file or directory (default: $QABOT_CONTENT)")
    check.set_defaults(handler=cmd_content_check)
    imp = content_sub.add_parser(
        "import", help="turn a release or collection into content YAML on stdout"
    )
    imp.add_argument(
        "path", help="release text, folder of Markdown files, CSV/TSV file or saved HTML page"
    )
    imp.add_argument(
        "--format", choices=sorted(FORMATS), help="read it as this (default: from the path)"
    )
    imp.add_argument(
        "--id",
        "--source-id",
        type=_matching(_ID_PATTERN, "an id (lowercase letters, digits, . _ -)"),
        help="id of the source block (default: from the file name)",
    )
    imp.add_argument(
        "--short",
        type=_matching(
            _SHORT_PATTERN,
            "a short name (a lowercase letter, then up to 23 lowercase letters, digits or -)",
        ),
        help="what people type to name the document",
    )
    imp.add_argument("--title", help="the document's title, when the file does not give it")
    imp.add_argument("--issuer", help="who issued it, in full")
    imp.add_argument(
        "--url",
        type=_matching(_URL_PATTERN, "an http(s):// address"),
        help="its official page",
    )
    imp.set_defaults(handler=cmd_content_import)

    add_digest_commands(sub)
    add_report_command(sub)
    return parser
