"""Block Kit rendering: official text whole and unaltered, user text never live markup."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from hypothesis import given
from hypothesis import strategies as st

from bot.content import Catalogue
from bot.render import blocks
from tests.render.reading import answer_shown, buttons, check_slack_limits, shown, texts


def test_answer_is_quoted_whole_as_rich_text(catalogue: Catalogue) -> None:
    for entry in catalogue.entries:
        message = blocks.answer_message(entry)
        check_slack_limits(message)
        assert texts(message)[0] == f"{entry.label}: {entry.question}"
        assert answer_shown(message) == entry.answer
        assert entry.answer in message["text"]


def test_long_answer_is_split_never_cut(catalogue: Catalogue) -> None:
    entry = catalogue.get("q17")
    long_answer = "\n\n".join([entry.answer] * 12)  # about 9,000 characters
    message = blocks.answer_message(dataclasses.replace(entry, answer=long_answer))
    check_slack_limits(message)
    rich = [b for b in message["blocks"] if b["type"] == "rich_text"][1:]
    assert len(rich) > 3
    assert all(len(shown(b)) <= 3000 for b in rich)
    assert answer_shown(message) == long_answer
    # Cut where a section was cut before: at the most natural boundary, the same characters.
    assert [shown(b) for b in rich] == blocks.split_text(long_answer, blocks.SECTION_LIMIT)


@given(st.text(max_size=9000), st.integers(min_value=50, max_value=3000))
def test_split_text_loses_nothing(text: str, limit: int) -> None:
    chunks = blocks.split_text(text, limit)
    assert "".join(chunks) == text
    assert all(len(c) <= limit for c in chunks)


def test_citation_notice_and_asker(catalogue: Catalogue) -> None:
    message = blocks.answer_message(catalogue.get("q14"), asked_by="U123ABC", query="pep?")
    kinds = [b["type"] for b in message["blocks"]]
    assert kinds == ["rich_text", "rich_text", "section", "context"]
    notice = message["blocks"][2]["text"]["text"]
    assert notice.startswith(":warning: *Historical guidance from February 21, 2017.* Executive")
    citation, page, asked = (e["text"] for e in message["blocks"][3]["elements"])
    assert citation.startswith(
        "U.S. Department of Homeland Security, Office of the Press Secretary"
    )
    assert "<https://www.dhs.gov/news/2017/02/21/qa-dhs-implementation" in citation
    assert citation.endswith("· Released February 21, 2017")
    assert "Historical guidance" not in citation + page + asked
    assert "#:~:text=ICE%20has%20terminated%20the%20Priority%20Enforcement|" in page
    assert "<https://web.archive.org/web/20170221/https://www.dhs.gov/news/2017/02/21/" in page
    assert asked == "Asked by <@U123ABC>: “pep?”"
    assert (
        texts(message)[0] == "Q14: When is the Priority Enforcement Program (PEP) being terminated?"
    )


def test_entry_page_dates_and_fragment(catalogue: Catalogue) -> None:
    entry = dataclasses.replace(
        catalogue.get("q14"),
        url="https://www.example.gov/faq.html#pep-&-scomm",
        released=dt.date(2020, 3, 15),
        updated=dt.date(2021, 2, 3),
    )
    citation, page = (e["text"] for e in blocks.answer_message(entry)["blocks"][3]["elements"])
    # The entry's own page and dates, not its source's; "&" escaped once inside the link.
    assert "<https://www.example.gov/faq.html#pep-&amp;-scomm|" in citation
    assert citation.endswith("· Released March 15, 2020 · Updated February 3, 2021")
    # The page already points at the answer: linked as it is, no text fragment added.
    assert ":~:" not in page
    assert page == (
        "<https://web.archive.org/web/20200315/https://www.example.gov/faq.html#pep-&amp;-scomm"
        "|Archived copy>"
    )
    assert "released March 15, 2020, updated February 3, 2021." in blocks.answer_text(entry)


def test_no_page_no_page_links(catalogue: Catalogue) -> None:
    entry = dataclasses.replace(catalogue.get("q14"), url=None)
    elements = blocks.answer_message(entry)["blocks"][3]["elements"]
    assert len(elements) == 1
    assert "“Q&amp;A: DHS Implementation" in elements[0]["text"]


def test_user_text_cannot_ping_or_restyle(catalogue: Catalogue) -> None:
    query = "<!channel> <!here|here> <!everyone> <@U999> *bold* `code` & <https://evil.example|x>"
    for message in (
        blocks.answer_message(catalogue.get("q1"), asked_by="U1", query=query),
        blocks.decline_message(query, [catalogue.get("q2")]),
    ):
        payload = json.dumps(message)
        for live in ("<!channel>", "<!here", "<!everyone>", "<@U999>", "<https://evil"):
            assert live not in payload
        assert "&lt;!channel&gt;" in payload
        assert "`code`" not in payload
        assert "*bold*" not in payload


def test_asked_by_accepts_only_a_user_id(catalogue: Catalogue) -> None:
    message = blocks.answer_message(catalogue.get("q1"), asked_by="U1> <!channel", query="x")
    assert "<!channel" not in json.dumps(message)


def test_decline_offers_at_most_three_full_questions_with_buttons(catalogue: Catalogue) -> None:
    entries = list(catalogue.entries[:5])
    message = blocks.decline_message("sanctuary funding", entries, command="/ask")
    check_slack_limits(message)
    offered = buttons(message)
    assert [e["value"] for e in offered] == ["q1", "q2", "q3"]
    assert all(e["action_id"].startswith(blocks.SUGGEST_ACTION_PREFIX) for e in offered)
    assert len({e["action_id"] for e in offered}) == 3
    shown_texts = texts(message)
    for entry in entries[:3]:
        # The whole question, with its number, shown as written (plain text: no markup read).
        assert f"{entry.label}: {entry.question}" in shown_texts
    assert "`/ask list`" in json.dumps(message)
    assert "No official answer found for “sanctuary funding”." in message["text"]


def test_suggestions_name_their_document_when_several_are_loaded(catalogue: Catalogue) -> None:
    long = "Is it true that " + "under this executive order, " * 5 + "ICE has done away with it?"
    entry = dataclasses.replace(catalogue.get("q8"), document="interior", question=long)
    message = blocks.decline_message("x", [entry])
    check_slack_limits(message)
    assert f"interior Q8: {long}" in texts(message)
    (button,) = buttons(message)
    assert button["text"]["text"] == "Post interior Q8"
    assert button["value"] == "q8"


def test_button_label_cuts_at_a_word(catalogue: Catalogue) -> None:
    label = blocks.button_label(catalogue.get("q8"))
    assert len(label) <= 75 and label.endswith("…")
    assert label == "Q8: Is it true that under this executive order, ICE has done away with…"


def test_text_is_escaped_once_in_blocks_and_fallback(catalogue: Catalogue) -> None:
    entry = dataclasses.replace(catalogue.get("q14"), question="Is PEP < S-Comm & why?")
    decline = blocks.decline_message("a & b <c>", [entry])
    answer = blocks.answer_message(entry, "U1", "a & b <c>")
    for message in (decline, answer):
        everything = message["text"] + json.dumps(message["blocks"], ensure_ascii=False)
        assert "a &amp; b &lt;c&gt;" in everything
        assert "&amp;amp;" not in everything and "&amp;lt;" not in everything
        assert "<c>" not in everything
    assert "Q14: Is PEP &lt; S-Comm &amp; why?" in decline["text"]
    assert "Q14: Is PEP &lt; S-Comm &amp; why?" in answer["text"]
