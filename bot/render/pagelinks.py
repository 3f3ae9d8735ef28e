"""Links into the cited page, made without fetching anything: to the answer's own words (a URL
text fragment) and to the Internet Archive's copy of the page from the release date.

A text fragment (https://wicg.github.io/scroll-to-text-fragment/) ``#:~:text=...`` makes a
browser that supports it scroll to and highlight the first words of the answer; one that does not
simply opens the page. The words are matched within one block of the page, so they are taken
from the answer's first line only, and a handful of them is enough to be unique on an FAQ page.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlsplit

DEEP_LINK_WORDS = 6
# The characters a text directive may carry as they are; everything else is percent-encoded,
# including "-", "&" and ",", which the directive's syntax uses.
_EXPLICIT = "!$'()*+./:;=?@_~"


def text_directive(words: str) -> str:
    """``words`` as the value of ``text=``: percent-encoded (UTF-8) per the spec."""
    return quote(words, safe=_EXPLICIT).replace("-", "%2D")


def answer_url(url: str, words: str) -> str | None:
    """The page scrolled to ``words``; None where a text fragment cannot be used.

    A page address that already has a fragment (an anchor the publisher chose for this answer)
    is linked as it is. PDF viewers do not read text fragments, so a PDF gets none either.
    """
    parts = urlsplit(url)
    if parts.fragment or "#" in url or not words.strip():
        return None
    if parts.path.lower().endswith(".pdf"):
        return None
    return f"{url}#:~:text={text_directive(words)}"


def archive_url(url: str, day: dt.date) -> str:
    """The Wayback Machine's copy of ``url`` nearest to ``day`` (it redirects to the closest)."""
    return f"https://web.archive.org/web/{day:%Y%m%d}/{url}"
