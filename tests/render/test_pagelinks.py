"""Links into the cited page: a text fragment to the answer's first words, an archived copy."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import unquote

from hypothesis import given
from hypothesis import strategies as st

from bot.render import pagelinks

# The characters a text directive may hold unencoded (URL Fragment Text Directives,
# TextDirectiveExplicitChar), and percent-encoded bytes.
DIRECTIVE = re.compile(r"^(?:[a-zA-Z0-9!$'()*+./:;=?@_~]|%[0-9A-F]{2})+$")


def test_text_directive_encodes_its_syntax_characters() -> None:
    assert pagelinks.text_directive("Yes - but, Q&A") == "Yes%20%2D%20but%2C%20Q%26A"
    assert pagelinks.text_directive("child’s care") == "child%E2%80%99s%20care"
    assert pagelinks.text_directive("(FD.C) 50%") == "(FD.C)%2050%25"


@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1, max_size=80))
def test_text_directive_round_trips_and_keeps_to_the_grammar(words: str) -> None:
    encoded = pagelinks.text_directive(words)
    assert DIRECTIVE.match(encoded)
    assert not set("-&,#") & set(encoded)
    assert unquote(encoded) == words


def test_answer_url_adds_a_text_fragment() -> None:
    url = pagelinks.answer_url("https://www.dhs.gov/news/qa", "ICE has terminated the PEP")
    assert url == "https://www.dhs.gov/news/qa#:~:text=ICE%20has%20terminated%20the%20PEP"


def test_no_text_fragment_where_it_cannot_work() -> None:
    # The page already has an anchor for this answer: it is linked as it is.
    assert pagelinks.answer_url("https://x.gov/faq.html#anchor_158", "Some words") is None
    assert pagelinks.answer_url("https://x.gov/faq.html#", "Some words") is None
    # PDF viewers do not read text fragments.
    assert pagelinks.answer_url("https://x.gov/files/Guide.PDF", "Some words") is None
    assert pagelinks.answer_url("https://x.gov/faq.html", "  ") is None


def test_archived_copy_of_the_release_date() -> None:
    assert pagelinks.archive_url("https://www.dhs.gov/news/qa", dt.date(2017, 2, 21)) == (
        "https://web.archive.org/web/20170221/https://www.dhs.gov/news/qa"
    )
