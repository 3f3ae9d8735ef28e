"""The learned phrasings overlay: validated like content, merged as a matching aid only."""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing
from pathlib import Path

import pytest

from bot.cli import main
from bot.content import ContentError, load_catalogue
from bot.content.learned import LearnedError, add_phrasing, load_learned
from bot.matching import Matcher, Semantics
from bot.reload import ContentReloader
from bot.responder import ReplyKind, Responder
from tests.conftest import CONTENT

# Declined by the shipped content: no entry says anything about landlords or paperwork.
ASKED = "can my landlord see the paperwork I filed"
MAINTAINER = "U123MAINT"


def test_a_learned_phrasing_changes_the_next_match_and_not_the_official_text(
    tmp_path: Path, semantics: Semantics
) -> None:
    learned = tmp_path / "learned.yaml"
    before = load_catalogue(CONTENT, learned)  # no file yet: nothing learned
    assert Responder(Matcher(before, semantics)).respond(ASKED).kind is ReplyKind.DECLINE

    when = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
    assert add_phrasing(learned, "q14", f"  {ASKED} ", MAINTAINER, now=when)
    after = load_catalogue(CONTENT, learned)
    reply = Responder(Matcher(after, semantics)).respond(ASKED)
    assert reply.kind is ReplyKind.ANSWER
    assert reply.entry is not None and reply.entry.id == "q14"

    old, new = before.get("q14"), after.get("q14")
    assert old is not None and new is not None
    assert (new.question, new.answer, new.source) == (old.question, old.answer, old.source)
    assert new.phrasings == (*old.phrasings, ASKED)
    assert after.version != before.version
    # Who and when are on record, in the file people read.
    text = learned.read_text()
    assert f"added_by: {MAINTAINER}" in text and "2026-12-01T09:30:00+00:00" in text
    assert ASKED not in str(Responder(Matcher(after, semantics)).respond(ASKED).message["text"])


def test_adding_the_same_phrasing_twice_keeps_one_and_leaves_no_temporary_file(
    tmp_path: Path,
) -> None:
    learned = tmp_path / "learned.yaml"
    assert add_phrasing(learned, "q3", "first wording", MAINTAINER)
    assert add_phrasing(learned, "q4", "second wording", "U999OTHER")
    assert not add_phrasing(learned, "q3", "first wording", "U999OTHER")
    catalogue = load_catalogue(CONTENT, learned)
    entry3, entry4 = catalogue.get("q3"), catalogue.get("q4")
    assert entry3 is not None and entry3.phrasings[-1:] == ("first wording",)
    assert entry4 is not None and entry4.phrasings[-1:] == ("second wording",)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["learned.yaml", "learned.yaml.lock"]


def _add_many(learned: Path, who: str, count: int) -> None:
    for n in range(count):
        add_phrasing(learned, "q3", f"wording {n} from {who}", who)


def test_replicas_sharing_the_file_lose_none_of_each_others_additions(tmp_path: Path) -> None:
    learned = tmp_path / "learned.yaml"
    # Separate processes, as replicas on one volume are: a lock inside one process would not
    # stop the other from rewriting the file with what it read before the first one's rename.
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_add_many, args=(learned, who, 40)) for who in ("UAAA", "UBBB")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    phrasings = load_learned(learned, None, []).phrasings
    assert len(phrasings) == 80
    assert {p.added_by for p in phrasings} == {"UAAA", "UBBB"}


@pytest.mark.parametrize(
    ("overlay", "expected"),
    [
        (
            "phrasings:\n"
            "  - entry: q14\n"
            "    text: fine\n"
            "    added_by: U1\n"
            "    added_at: '2026-12-01T09:30:00+00:00'\n"
            "  - entry: q999\n"
            "    text: no such entry\n"
            "    added_by: U1\n"
            "    added_at: '2026-12-01T09:30:00+00:00'\n",
            ":6: phrasing #2: no entry has the id 'q999'",
        ),
        (
            "phrasings:\n"
            "  - entry: q14\n"
            "    text: '   '\n"
            "    added_by: U1\n"
            "    added_at: '2026-12-01T09:30:00+00:00'\n",
            ":3: phrasing #1: text: the phrasing is empty",
        ),
        (
            "phrasings:\n"
            "  - entry: q14\n"
            "    text: fine\n"
            "    added_by: U1\n"
            "    added_at: yesterday\n",
            ":5: phrasing #1: bad time 'yesterday' in 'added_at'",
        ),
        (
            "phrasings:\n  - entry: q14\n    text: fine\n    added_by: U1\n",
            ":2: phrasing #1: missing field 'added_at'",
        ),
        ("phrasings: [\n", ":2: YAML syntax error"),
    ],
)
def test_a_bad_overlay_is_reported_with_file_and_line(
    tmp_path: Path, overlay: str, expected: str
) -> None:
    learned = tmp_path / "learned.yaml"
    learned.write_text(overlay)
    with pytest.raises(ContentError) as caught:
        load_catalogue(CONTENT, learned)
    lines = [str(p) for p in caught.value.problems]
    assert any(line.startswith(str(learned) + expected) for line in lines), lines
    if "no entry has" in expected:
        return  # well formed: a rewrite keeps it, and the loader goes on reporting it
    with pytest.raises(LearnedError):  # a rewrite would lose what was written there
        add_phrasing(learned, "q14", "another", MAINTAINER)


def test_the_overlay_in_the_content_directory_is_not_read_as_content(tmp_path: Path) -> None:
    (tmp_path / "qa.yaml").write_bytes(CONTENT.read_bytes())
    learned = tmp_path / "learned.yaml"
    add_phrasing(learned, "q2", "a wording", MAINTAINER)
    catalogue = load_catalogue(tmp_path, learned)
    assert catalogue.paths == (str(tmp_path / "qa.yaml"),)
    entry = catalogue.get("q2")
    assert entry is not None and entry.phrasings[-1] == "a wording"


def test_content_check_covers_the_overlay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    learned = tmp_path / "learned.yaml"
    monkeypatch.setenv("QABOT_LEARNED", str(learned))
    assert main(["content", "check", str(CONTENT)]) == 0  # no overlay yet
    add_phrasing(learned, "q14", "a wording", MAINTAINER)
    assert main(["content", "check", str(CONTENT)]) == 0
    learned.write_text(learned.read_text().replace("entry: q14", "entry: q0nope"))
    capsys.readouterr()
    assert main(["content", "check", str(CONTENT)]) == 1
    assert f"{learned}:4: phrasing #1: no entry has the id 'q0nope'" in capsys.readouterr().err


async def test_the_reloader_picks_up_an_added_phrasing(
    tmp_path: Path, semantics: Semantics
) -> None:
    learned = tmp_path / "learned.yaml"
    responder = Responder(Matcher(load_catalogue(CONTENT, learned), semantics))
    reloader = ContentReloader(responder, CONTENT, semantics, watch=False, learned=learned)
    assert responder.respond(ASKED).kind is ReplyKind.DECLINE
    add_phrasing(learned, "q14", ASKED, MAINTAINER)
    state = await reloader.reload()
    assert state.status == "ok"
    reply = responder.respond(ASKED)
    assert reply.kind is ReplyKind.ANSWER and reply.entry is not None and reply.entry.id == "q14"
    learned.write_text("phrasings: nope\n")
    state = await reloader.reload()  # a broken overlay is rejected; the last good one serves
    assert state.status == "rejected" and state.errors[0].startswith(f"{learned}:1:")
    assert responder.respond(ASKED).kind is ReplyKind.ANSWER


async def test_a_phrasing_another_replica_added_is_served_without_a_reload_request(
    tmp_path: Path, semantics: Semantics
) -> None:
    # The overlay is outside the watched content directory, as on a volume the replicas share,
    # where no file event reports another host's write: only looking at the file finds it.
    learned = tmp_path / "shared" / "learned.yaml"
    responder = Responder(Matcher(load_catalogue(CONTENT, learned), semantics))
    reloader = ContentReloader(
        responder, CONTENT, semantics, learned=learned, learned_poll=0.05, debounce_ms=50
    )
    stop = asyncio.Event()
    running = asyncio.create_task(reloader.run(stop, handle_sighup=False))
    try:
        await reloader.ready.wait()
        before = reloader.state.generation
        add_phrasing(learned, "q14", ASKED, "UOTHERREPLICA")
        state = await asyncio.wait_for(reloader.wait_for_reload(before), 10)
        assert state.status == "ok"
        reply = responder.respond(ASKED)
        assert reply.kind is ReplyKind.ANSWER and reply.entry is not None
        assert reply.entry.id == "q14"
    finally:
        stop.set()
        await running
