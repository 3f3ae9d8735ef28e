"""Reading official answers' markup: only where it is plainly markup, never changing a word."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.render import markup
from bot.render.inline import Span
from bot.render.markup import Block


def spans(text: str) -> list[Span]:
    return [s for b in markup.parse(text) for s in b.spans]


@pytest.mark.parametrize(
    "text",
    [
        "Officers may use * to mark it, and 5 * 3 is 15.",
        "A snake_case_name, a *single emphasis* and a ~tilde~ stay as written.",
        "Use <this> & `that` [sic] (see below).",
        "Line one\n- a dash line\nLine three",
        "2017. A year that starts a wrapped line.\n2. Two",
        "See [the page](/relative) for more.",
    ],
)
def test_plain_text_stays_plain_and_whole(text: str) -> None:
    assert markup.kind(text) == "plain"
    (block,) = markup.parse(text)
    assert block.text == text
    assert markup.plain(markup.parse(text)) == text


@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300))
def test_whatever_is_read_as_plain_is_shown_exactly(text: str) -> None:
    if markup.kind(text) == "plain":
        assert "".join(b.text for b in markup.parse(text)) == text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("See [CDC](https://www.cdc.gov/x).", "markdown"),
        ("Write to [us](mailto:help@example.gov).", "markdown"),
        ('See <a href="https://x.gov">this</a>.', "markdown"),
        ("**Yes.** You should.", "markdown"),
        ("Items:\n- one\n- two", "markdown"),
        ("<p>One</p>", "html"),
        ("<ul><li>One</li></ul>", "html"),
    ],
)
def test_markup_is_recognised(text: str, kind: str) -> None:
    assert markup.kind(text) == kind


def test_markdown_links_lists_and_numbers() -> None:
    text = (
        "People with [conditions](https://x.gov/a) might.  \n\n"
        "- Consider **alternative** caregivers.\n"
        "  - nested *item*\n"
        "   - its sibling\n"
        "- Back to [Sick](https://y.gov).\n\n"
        "1. First\n2. Second\n\n"
        "For more, see [Children](https://z.gov/c)."
    )
    blocks = markup.parse(text)
    assert [(b.depth, b.ordered, b.number) for b in blocks] == [
        (-1, False, 1),
        (0, False, 1),
        (1, False, 1),
        (1, False, 2),
        (0, False, 2),
        (0, True, 1),
        (0, True, 2),
        (-1, False, 1),
    ]
    assert blocks[0].spans[1] == Span("conditions", url="https://x.gov/a")
    assert Span("alternative", bold=True) in blocks[1].spans
    assert Span("item", italic=True) in blocks[2].spans
    assert markup.plain(blocks) == (
        "People with conditions (https://x.gov/a) might.\n\n"
        "• Consider alternative caregivers.\n"
        "  • nested item\n"
        "  • its sibling\n"
        "• Back to Sick (https://y.gov).\n"
        "1. First\n2. Second\n\n"
        "For more, see Children (https://z.gov/c)."
    )


def test_an_ordered_list_keeps_its_first_number() -> None:
    blocks = markup.parse("Steps:\n\n3. Third\n4. Fourth")
    assert [(b.ordered, b.number, b.text) for b in blocks[1:]] == [
        (True, 3, "Third"),
        (True, 4, "Fourth"),
    ]


def test_emphasis_follows_commonmark_delimiter_rules() -> None:
    text = "**Yes.** A *b* c_d_e 5 * 3 **not closed ***both*** ~~gone~~ \\*kept\\* `co*de*`"
    got = spans(text)
    assert "".join(s.text for s in got) == (
        "Yes. A b c_d_e 5 * 3 **not closed both gone *kept* co*de*"
    )
    assert Span("Yes.", bold=True) in got
    assert Span("b", italic=True) in got
    assert Span("both", bold=True, italic=True) in got
    assert Span("gone", strike=True) in got
    assert Span("co*de*", code=True) in got


def test_links_only_to_web_and_mail_addresses() -> None:
    got = spans(
        "[web](https://a.gov/x?y=1&z=2) [mail](mailto:a@b.gov) [rel](/spread) "
        "[js](javascript:alert(1)) <https://auto.gov/> and https://bare.gov/page."
    )
    linked = [(s.text, s.url) for s in got if s.url]
    assert linked == [
        ("web", "https://a.gov/x?y=1&z=2"),
        ("mail", "mailto:a@b.gov"),
        ("https://auto.gov/", "https://auto.gov/"),
        ("https://bare.gov/page", "https://bare.gov/page"),
    ]
    assert "".join(s.text for s in got) == (
        "web mail rel js https://auto.gov/ and https://bare.gov/page."
    )


def test_html_anchor_inside_markdown_list() -> None:
    blocks = markup.parse(
        '* <a href="https://a.gov/x">CDC: Guidance</a>\n* <a href="https://b.gov">B &amp; C</a>'
    )
    assert [b.spans for b in blocks] == [
        (Span("CDC: Guidance", url="https://a.gov/x"),),
        (Span("B & C", url="https://b.gov"),),
    ]


def test_html_paragraphs_lists_breaks_and_entities() -> None:
    blocks = markup.parse(
        "<p>Hello &amp; <strong>welcome</strong>,\n   reader<br>second line</p>"
        "<ul><li>one <a href='https://q.gov'>link</a></li>"
        "<li>two<ol start='3'><li>x</li><li>y</li></ol></li></ul>"
        "<p>Markdown *signs* stay.</p>"
    )
    assert markup.plain(blocks) == (
        "Hello & welcome, reader\nsecond line\n\n"
        "• one link (https://q.gov)\n• two\n  3. x\n  4. y\n\n"
        "Markdown *signs* stay."
    )
    assert Span("welcome", bold=True) in blocks[0].spans


def test_first_words_of_the_first_line() -> None:
    blocks = markup.parse("**No.** Under the [FD&C Act](https://x.gov), drugs...\n\n- more")
    assert markup.first_words(blocks, 6) == "No. Under the FD&C Act, drugs..."
    assert markup.first_words(markup.parse("Short."), 6) == "Short."
    assert markup.first_words((Block((Span("  "),)),), 6) == ""
