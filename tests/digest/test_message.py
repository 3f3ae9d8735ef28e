"""What a digest posts: rotation order, and the official text with intro, citation and notice."""

from __future__ import annotations

from bot.content import Catalogue
from bot.digest.message import digest_message, next_in_rotation, pick_entry
from bot.digest.schedule import Schedule
from bot.render import terminal
from bot.render.blocks import citation, notice_block
from bot.render.feedback import FeedbackValue
from tests.render.reading import answer_shown, check_slack_limits


def schedule(**fields: str) -> Schedule:
    base = {"name": "weekly", "channel": "C1", "cron": "0 9 * * 1", "kind": "rotate"}
    return Schedule.model_validate({**base, **fields})


def test_rotation_goes_through_all_before_any_repeat(catalogue: Catalogue) -> None:
    entries = catalogue.entries[:3]
    a, b, c = (e.id for e in entries)
    assert next_in_rotation(entries, []) == entries[0]
    assert next_in_rotation(entries, [a]) == entries[1]
    assert next_in_rotation(entries, [b, a]) == entries[2]
    assert next_in_rotation(entries, [a, b, c]) == entries[0]  # a new round
    assert next_in_rotation(entries, [a, b, c, a]) == entries[1]


def test_rotation_fills_gaps_and_ignores_removed_entries(catalogue: Catalogue) -> None:
    entries = catalogue.entries[:3]
    a, _, c = (e.id for e in entries)
    # Posted by hand out of order, plus an entry since removed from the content.
    assert next_in_rotation(entries, [c, "gone", a]) == entries[1]


def test_entry_kind_posts_its_entry(catalogue: Catalogue) -> None:
    one = schedule(kind="entry", entry="q14")
    assert pick_entry(one, catalogue, ["q14"]) == catalogue.get("q14")
    assert pick_entry(schedule(kind="index"), catalogue, []) is None


def test_answer_digest_has_intro_verbatim_answer_citation_and_notice(catalogue: Catalogue) -> None:
    entry = catalogue.get("q14")
    assert entry is not None
    weekly = schedule(intro="Question of the week <!channel> & co")
    message = digest_message(weekly, catalogue, entry)
    assert message["blocks"][0]["text"]["text"] == "Question of the week &lt;!channel&gt; &amp; co"
    assert "<!channel>" not in message["text"]
    assert answer_shown(message) == entry.answer
    # The notice, the citation, then the vote buttons.
    assert entry.source.notice and message["blocks"][-3] == notice_block(entry.source.notice)
    context = message["blocks"][-2]["elements"]
    assert context[0]["text"] == citation(entry.source)


def test_index_digest_lists_every_question_with_citation_and_notice(catalogue: Catalogue) -> None:
    message = digest_message(schedule(kind="index", intro="All questions"), catalogue, None)
    shown = terminal.render(message)
    assert shown.startswith("All questions\n")
    for entry in catalogue.entries:
        assert f"{entry.label} {entry.question}" in shown
    source = catalogue.sources[0]
    assert "Released February 21, 2017" in shown
    assert source.notice and source.notice in shown


def test_an_entry_digest_carries_vote_buttons(catalogue: Catalogue) -> None:
    entry = catalogue.get("q14")
    message = digest_message(schedule(kind="entry", entry="q14"), catalogue, entry)
    check_slack_limits(message)
    [votes] = [b for b in message["blocks"] if b["type"] == "context_actions"]
    buttons = votes["elements"][0]
    value = FeedbackValue.decode(buttons["negative_button"]["value"])
    assert value is not None
    assert (value.entry_id, value.surface, value.helpful) == ("q14", "digest", False)
