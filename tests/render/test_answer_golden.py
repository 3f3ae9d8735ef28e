"""Golden answers: whole payloads for answers written in Markdown, in HTML, with formatting
characters, longer than a section, and with a notice. Each is also checked against Slack's models
and limits, and read back as a person sees it.

After an intended change of the rendering, regenerate and review the diff:

    QABOT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/render/test_answer_golden.py
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from bot.content.models import Entry, Source
from bot.render import blocks
from tests.render.reading import answer_shown, check_slack_limits, links, shown, words

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("QABOT_UPDATE_GOLDEN") == "1"

SOURCE = Source(
    id="example-faq",
    title="Frequently asked questions & answers",
    issuer="Example Agency, Office of Public Affairs",
    released=dt.date(2020, 4, 3),
    url="https://www.example.gov/faq.html",
)
NOTICE = (
    "Historical guidance from April 3, 2020. The U.S. agency withdrew it on May 1, 2021. "
    "Check current policy before relying on it."
)

MARKDOWN = (
    "People of any age with certain "
    "[underlying medical conditions](https://www.example.gov/conditions.html) "
    "might be at increased risk.  \n\n"
    "- Consider identifying **alternative caregivers**, in case you become sick.\n"
    "  - Make sure they have [2 weeks of medications](https://www.example.gov/meds.html).\n"
    "- Review the [Direct Service Providers](https://www.example.gov/dsp.html) guidance.\n\n"
    "1. The employer’s business is *fully or partially* suspended.\n"
    "2. The gross receipts are below 50 percent.\n\n"
    "Report fraud to [the FTC](https://www.ftccomplaintassistant.gov/#crnt&panel1-1) or "
    "[by email](mailto:fraud@example.gov)."
)

HTML = (
    "<p>Yes. Under the <strong>Federal Food, Drug, and Cosmetic (FD&amp;C) Act</strong>, "
    "products are\n  reviewed.<br>See below.</p>"
    '<ul><li><a href="https://www.example.gov/a">Guidance for workers</a></li>'
    "<li>Water &amp; sanitation &lt;PDF&gt;</li></ul>"
    "<p>Questions? <a href='mailto:info@example.gov'>Write to us</a>.</p>"
)

FORMATTING = (
    "Use *asterisks*, _underscores_, ~tildes~ and `backticks` as written; "
    "a < b > c & d; <!channel> <@U123> <https://example.gov|not a link>; **not bold*; "
    "snake_case_name; &amp; stays."
)

LONG = "\n\n".join(
    f"Paragraph {n}. Officers will consider the totality of the circumstances & document "
    "each decision <carefully>, consistent with the law and with the guidance issued by the "
    "Secretary. " * 4
    for n in range(1, 11)
)


def entry(answer: str, **kwargs: object) -> Entry:
    source = kwargs.pop("source", SOURCE)
    assert isinstance(source, Source)
    fields: dict = {
        "id": "e7",
        "number": 7,
        "question": "What should families do?",
        "answer": answer,
        "source": source,
        "released": source.released,
        "url": source.url,
    }
    fields.update(kwargs)
    return Entry(**fields)


def check_golden(name: str, payload: dict) -> None:
    path = GOLDEN / f"{name}.json"
    rendered = json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"{path} is missing; create it with QABOT_UPDATE_GOLDEN=1")
    assert json.loads(rendered) == json.loads(path.read_text(encoding="utf-8"))


def test_markdown_answer() -> None:
    message = blocks.answer_message(entry(MARKDOWN), asked_by="U123ASKER", query="kids?")
    check_golden("answer_markdown", message)
    check_slack_limits(message)
    assert ("underlying medical conditions", "https://www.example.gov/conditions.html") in links(
        message
    )
    assert ("the FTC", "https://www.ftccomplaintassistant.gov/#crnt&panel1-1") in links(message)
    assert ("by email", "mailto:fraud@example.gov") in links(message)
    assert answer_shown(message, "\n").splitlines() == [
        "People of any age with certain underlying medical conditions might be at increased risk.",
        "• Consider identifying alternative caregivers, in case you become sick.",
        "  • Make sure they have 2 weeks of medications.",
        "• Review the Direct Service Providers guidance.",
        "1. The employer’s business is fully or partially suspended.",
        "2. The gross receipts are below 50 percent.",
        "Report fraud to the FTC or by email.",
    ]
    lists = [e for b in message["blocks"] for e in b.get("elements", ()) if "style" in e]
    assert [(e["style"], e.get("indent", 0)) for e in lists] == [
        ("bullet", 0),
        ("bullet", 1),
        ("bullet", 0),
        ("ordered", 0),
    ]


def test_html_answer() -> None:
    message = blocks.answer_message(entry(HTML))
    check_golden("answer_html", message)
    check_slack_limits(message)
    assert answer_shown(message, "\n").splitlines() == [
        "Yes. Under the Federal Food, Drug, and Cosmetic (FD&C) Act, products are reviewed.",
        "See below.",
        "• Guidance for workers",
        "• Water & sanitation <PDF>",
        "Questions? Write to us.",
    ]
    assert links(message) == [
        ("Guidance for workers", "https://www.example.gov/a"),
        ("Write to us", "mailto:info@example.gov"),
    ]


def test_formatting_characters_are_shown_literally() -> None:
    message = blocks.answer_message(entry(FORMATTING))
    check_golden("answer_formatting", message)
    check_slack_limits(message)
    (answer,) = [b for b in message["blocks"] if b["type"] == "rich_text"][1:]
    # One literal text element: Slack shows rich text as written, nothing read as formatting.
    assert answer["elements"] == [
        {"type": "rich_text_section", "elements": [{"type": "text", "text": FORMATTING}]}
    ]
    assert "<!channel>" not in message["text"] and "&lt;!channel&gt;" in message["text"]


def test_formatting_characters_inside_markdown_stay_literal() -> None:
    text = "**Yes.** Ages 2*3 and a_b_c, x < y & z > w, `code`, ~one~ and [a](https://x.gov)."
    message = blocks.answer_message(entry(text))
    check_slack_limits(message)
    assert answer_shown(message) == "Yes. Ages 2*3 and a_b_c, x < y & z > w, code, ~one~ and a."


def test_long_answer_is_split_across_blocks_without_losing_a_character() -> None:
    assert len(LONG) > 2 * 3000
    message = blocks.answer_message(entry(LONG))
    check_golden("answer_long", message)
    check_slack_limits(message)
    rich = [b for b in message["blocks"] if b["type"] == "rich_text"][1:]
    assert len(rich) >= 3
    assert all(len(shown(b)) <= blocks.SECTION_LIMIT for b in rich)
    assert answer_shown(message) == LONG


def test_longest_answer_slack_takes_stays_under_fifty_blocks() -> None:
    # Slack keeps at most 40,000 characters of a message; an answer that long takes 14 blocks.
    huge = ("A sentence of official text, quoted whole. " * 1000)[:40_000]
    message = blocks.answer_message(
        entry(huge, source=SOURCE.model_copy(update={"notice": NOTICE}))
    )
    assert len(message["blocks"]) < 50
    assert answer_shown(message) == huge


def test_notice_is_its_own_block_above_the_citation() -> None:
    noticed = SOURCE.model_copy(update={"notice": NOTICE})
    message = blocks.answer_message(
        entry("Officers decide.", source=noticed, updated=dt.date(2020, 5, 1)),
        asked_by="U123ASKER",
        query="who decides?",
    )
    check_golden("answer_notice", message)
    check_slack_limits(message)
    kinds = [b["type"] for b in message["blocks"]]
    assert kinds == ["rich_text", "rich_text", "section", "context"]
    notice = message["blocks"][2]["text"]["text"]
    assert notice.startswith(":warning: *Historical guidance from April 3, 2020.* The U.S.")
    context = [e["text"] for e in message["blocks"][3]["elements"]]
    assert NOTICE.split(".")[0] not in " ".join(context)
    assert context[0].endswith("Released April 3, 2020 · Updated May 1, 2020")
    assert words(NOTICE) in words(message["text"])
