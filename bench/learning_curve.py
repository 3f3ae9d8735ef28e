"""The maintainers' learning loop measured: how held-back questions fare as the queue is worked.

Run with `make bench`. Half of the FAQ's development set is asked as slash commands through the
bot's own listeners (a real SQLite store, questions kept, votes as the buttons record them); a
scripted maintainer then works the App Home queue in its order, adding each queued question as a
phrasing of the entry its label names, or dismissing it. After k items the content is reloaded
with the learned file as the server reloads it, and both halves are scored as `qabot eval`
scores them. The held-back half is never asked, so only what generalises can help it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cli import progress_printer  # noqa: E402
from bot.content import Catalogue, load_catalogue  # noqa: E402
from bot.content.learned import MAX_PHRASING_CHARS, add_phrasing, load_learned  # noqa: E402
from bot.feedback.report import build_report  # noqa: E402
from bot.matching import Matcher, Semantics  # noqa: E402
from bot.matching.evaluation import LabelledQuery, Report, evaluate, load_queries  # noqa: E402
from bot.reload import ContentReloader  # noqa: E402
from bot.render.blocks import Message, escape  # noqa: E402
from bot.render.feedback import FEEDBACK_BLOCK_ID, FeedbackValue  # noqa: E402
from bot.responder import Responder  # noqa: E402
from bot.slack.deps import Deps  # noqa: E402
from bot.slack.listeners import register_job_handlers  # noqa: E402
from bot.slack.listeners.commands import submit_command  # noqa: E402
from bot.slack.listeners.feedback import submit_vote  # noqa: E402
from bot.slack.posting import Poster  # noqa: E402
from bot.store import QuestionGroup, QuestionKind, Store  # noqa: E402

SHARED = ROOT.parent / "shared"
CONTENT = SHARED / "content" / "cvfaq.yaml"
QUERIES = SHARED / "eval" / "cvfaq-dev.yaml"
CACHE = Path(os.environ.get("QABOT_CACHE_DIR", ROOT / ".cache"))
KEEP_DAYS = 30
CHANNEL = "C0TRAFFIC"
MAINTAINER = "U0MAINTAINER"
CHECKPOINTS: tuple[int | None, ...] = (0, 5, 10, 20, 40, None)  # None: the whole queue


def split(queries: list[LabelledQuery]) -> tuple[list[LabelledQuery], list[LabelledQuery]]:
    """Traffic and held-back halves by one bit of the text's hash, each in hash order; the same
    text always falls in the same half, so nothing asked is also held back."""
    keyed = sorted((hashlib.sha256(q.text.encode()).hexdigest(), q.text, q) for q in queries)
    traffic = [q for digest, _, q in keyed if int(digest[-1], 16) % 2 == 0]
    held = [q for digest, _, q in keyed if int(digest[-1], 16) % 2 == 1]
    return traffic, held


class RecordingPoster(Poster):
    """A poster that keeps what the listeners send instead of sending it to Slack."""

    def __init__(self) -> None:  # no client and no session: nothing leaves the process
        self.sent: list[Message] = []

    async def respond(self, response_url: str, message: Message, *, in_channel: bool) -> None:
        self.sent.append(message)

    async def post(self, channel: str, message: Message, thread_ts: str | None = None) -> str:
        self.sent.append(message)
        return f"{len(self.sent)}.000000"

    async def delete_original(self, response_url: str) -> None:
        pass


@dataclass
class Traffic:
    """What the asked half did, and the labelled question behind each kept question's id."""

    right: int = 0
    wrong: int = 0
    declined: int = 0
    other: int = 0  # help, lists, notices, "which one?": neither an answer nor a decline
    behind: dict[int, LabelledQuery] = field(default_factory=dict)


async def ask_all(deps: Deps, poster: RecordingPoster, traffic: list[LabelledQuery]) -> Traffic:
    """Ask each question by slash command; its asker votes on the answer by its label."""
    seen = Traffic()
    for n, query in enumerate(traffic, 1):
        user = f"U{n:08d}"
        body = {
            "user_id": user,
            "channel_id": CHANNEL,
            "trigger_id": f"command.{n}",
            "response_url": f"https://hooks.slack.invalid/commands/{n}",
            "text": escape(query.text),  # Slack escapes &, < and > in what it sends
        }
        before = len(poster.sent)
        await submit_command(deps, body, time.time())
        reply = poster.sent[before] if len(poster.sent) > before else None
        buttons = vote_buttons(reply)
        if reply is not None and buttons:
            right = entry_of(buttons[True]) in query.expect
            seen.right += right
            seen.wrong += not right
            await press(deps, reply, buttons[right], user, n)
        # Questions are kept on the store's thread: once it has caught up, the ids new since
        # the last question are this one's.
        await deps.in_store(lambda: None)
        kinds = set()
        for kept in deps.questions.kept_questions(dismissed=None):
            if kept.id not in seen.behind:
                seen.behind[kept.id] = query
                kinds.add(kept.kind)
        if not buttons:
            declined = QuestionKind.DECLINED in kinds
            seen.declined += declined
            seen.other += not declined
    return seen


def vote_buttons(message: Message | None) -> dict[bool, dict[str, Any]]:
    """An answer's two vote buttons by the verdict they give; empty for any other reply."""
    found: dict[bool, dict[str, Any]] = {}
    for block in (message or {}).get("blocks") or []:
        if block.get("block_id") != FEEDBACK_BLOCK_ID:
            continue
        for button in block.get("elements") or []:
            value = FeedbackValue.decode(str(button.get("value", "")))
            if value is not None:
                found[value.helpful] = button
    return found


def entry_of(button: dict[str, Any]) -> str:
    """The entry a vote button votes on."""
    value = FeedbackValue.decode(str(button.get("value", "")))
    assert value is not None  # vote_buttons keeps only buttons whose value decodes
    return value.entry_id


async def press(deps: Deps, message: Message, button: dict[str, Any], user: str, n: int) -> None:
    """Click a vote button under ``message`` the way Slack reports the click."""
    body = {
        "user": {"id": user},
        "trigger_id": f"vote.{n}",
        "container": {"channel_id": CHANNEL, "message_ts": f"{n}.000100"},
        "message": message,
    }
    await submit_vote(deps, body, button)


def handle(
    deps: Deps,
    group: QuestionGroup,
    behind: dict[int, LabelledQuery],
    catalogue: Catalogue,
    learned: Path,
) -> bool:
    """Add the queued text, as the modal offers it, as a phrasing of the first entry the label
    names (in content order), or dismiss it when out of scope; True when a phrasing was added."""
    query = behind[group.ids[-1]]  # the group shows its latest question's text
    entry = next((e.id for e in catalogue.entries if e.id in query.expect), None)
    added = False
    if entry is not None:
        added = add_phrasing(learned, entry, group.text[:MAX_PHRASING_CHARS], MAINTAINER)
    # Both buttons take the group off the queue (queue.py: learned() and dismiss()).
    deps.questions.dismiss_questions(group.ids, MAINTAINER)
    return added


WIDTH = 14  # one figure: "count/of  share"


def cell(part: int, whole: int) -> str:
    """``part`` of ``whole`` and its share, in one column of the table."""
    share = part / whole if whole else 0.0
    return f"{part:>3}/{whole:<3}{share:>7.1%}".rjust(WIDTH)


def half(report: Report) -> str:
    """Right and wrong (of in scope) and declined (of out of scope): one half's columns."""
    r = report
    return " ".join(
        [cell(r.correct, r.in_scope), cell(r.wrong, r.in_scope), cell(r.declined, r.out_of_scope)]
    )


def outcomes(report: Report, queries: list[LabelledQuery]) -> dict[str, str]:
    """Each question's outcome in ``report``: right, declined, or the entry it was answered."""
    missed = {q.text: m for q, m in report.misses}
    found = {}
    for q in queries:
        miss = missed.get(q.text)
        if miss is None:
            found[q.text] = "right" if q.expect else "declined"
        else:
            found[q.text] = f"answered {miss.entry.id}" if miss.entry else "declined"
    return found


def describe(name: str, queries: list[LabelledQuery]) -> str:
    """How many questions a half has, in scope and out."""
    inside = sum(1 for q in queries if q.expect)
    return f"{name}: {len(queries)} questions ({inside} in scope, {len(queries) - inside} out)"


async def run() -> None:
    """Split the set, start the bot's pieces on a temporary store and learned file, measure."""
    queries = load_queries(QUERIES)
    traffic, held = split(queries)
    print(f"{QUERIES.name} on {CONTENT.name}, split by a hash of the question text")
    print(describe("traffic (asked, seen by the maintainer)", traffic))
    print(describe("held back (never asked)", held))
    semantics = Semantics.load(None, None, CACHE)
    with tempfile.TemporaryDirectory() as tmp:
        learned = Path(tmp) / "learned.yaml"
        store = Store(f"sqlite:///{Path(tmp) / 'state.sqlite3'}")
        store.create_schema()
        # Served as `qabot serve` starts: the content with its (still empty) learned file.
        catalogue = load_catalogue(CONTENT, learned)
        matcher = Matcher(catalogue, semantics, progress=progress_printer())
        responder = Responder(matcher)
        poster = RecordingPoster()
        deps = Deps(
            responder,
            store,
            poster,
            keep_questions_days=KEEP_DAYS,
            maintainers=frozenset({MAINTAINER}),
            learned=learned,
        )
        deps.reloader = ContentReloader(responder, CONTENT, semantics, watch=False, learned=learned)
        register_job_handlers(deps)
        try:
            await learn(deps, poster, catalogue, traffic, held, learned)
        finally:
            deps.close()
            store.close()


async def learn(
    deps: Deps,
    poster: RecordingPoster,
    catalogue: Catalogue,
    traffic: list[LabelledQuery],
    held: list[LabelledQuery],
    learned: Path,
) -> None:
    """Replay the traffic, then work the queue and score both halves at each checkpoint."""
    assert deps.reloader is not None
    since = dt.datetime.now(dt.UTC)
    seen = await ask_all(deps, poster, traffic)
    until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    print(
        f"asked {len(traffic)}: {seen.right} answered right, {seen.wrong} answered wrong, "
        f"{seen.declined} declined, {seen.other} other replies"
    )
    # What `qabot report` shows for the replay, read back from the store.
    report = build_report(deps.store, [e.id for e in catalogue.entries], since, until, KEEP_DAYS)
    total = report.total
    # The Home tab's queue, in its order: most asked first, then the latest.
    queue = deps.questions.question_groups()
    print(
        f"report: {total.asked} asked, {total.answered} answered, {total.declined} declined; "
        f"votes {total.votes_up} up, {total.votes_down} down; queue {len(queue)} items "
        f"({len(report.declined)} declined, {len(report.voted_down_questions)} voted down, "
        f"{sum(1 for g in queue if g.count > 1)} asked more than once)"
    )
    print()
    span = 3 * WIDTH + 2
    print(f"{'':>6} {'':>9} | {'held back':^{span}} | {'traffic':^{span}}".rstrip())
    columns = " ".join(f"{name:>{WIDTH}}" for name in ("right", "wrong", "declined"))
    print(f"{'k':>6} {'phrasings':>9} | {columns} | {columns}")
    handled = added = 0
    before: tuple[dict[str, str], dict[str, str]] | None = None
    changes: list[str] = []
    for k in CHECKPOINTS:
        stop = len(queue) if k is None else min(k, len(queue))
        while handled < stop:
            added += handle(deps, queue[handled], seen.behind, catalogue, learned)
            handled += 1
        # What the Home tab's "Add" asks for after writing the file, done once per checkpoint.
        state = deps.reloader.reload_now()
        if state.status == "rejected":
            raise SystemExit("learned file rejected: " + "; ".join(state.errors))
        matcher = deps.responder.matcher
        held_report, traffic_report = evaluate(matcher, held), evaluate(matcher, traffic)
        name = "all" if k is None else str(k)
        label = f"all={handled}" if k is None else name
        print(f"{label:>6} {added:>9} | {half(held_report)} | {half(traffic_report)}")
        now = (outcomes(held_report, held), outcomes(traffic_report, traffic))
        if before is not None:
            changes += changed(name, "held back", before[0], now[0], everything=True)
            changes += changed(name, "traffic", before[1], now[1], everything=False)
        before = now
    taught = load_learned(learned, None, []).for_entry()
    about = sum(1 for q in held if q.expect & taught.keys())
    inside = sum(1 for q in held if q.expect)
    print()
    print(
        f"entries with learned phrasings: {len(taught)} of {len(catalogue)}; held-back "
        f"in-scope questions labelled with one of them: {about} of {inside}"
    )
    print("changes from the row before (besides traffic questions now answered right):")
    print("\n".join(changes) or "  none")


def changed(
    label: str, name: str, before: dict[str, str], now: dict[str, str], *, everything: bool
) -> list[str]:
    """Lines for the questions whose outcome changed; the expected gains can be left out."""
    return [
        f"  k={label}, {name}: {text!r}: {before[text]} -> {now[text]}"
        for text in now
        if now[text] != before[text] and (everything or now[text] != "right")
    ]


def main() -> int:
    """Run, or say in one line that the development set is missing (a failure under CI)."""
    missing = [str(p) for p in (QUERIES, CONTENT) if not p.is_file()]
    if missing:
        print(f"learning curve: the development set is not there ({', '.join(missing)})")
        return 1 if os.environ.get("CI") == "true" else 0
    started = time.perf_counter()
    asyncio.run(run())
    sys.stdout.flush()  # the table first, then the time it took
    print(f"learning curve: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
