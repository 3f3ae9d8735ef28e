"""Block Kit messages: pure functions from entries and matches to Slack payloads."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from bot.content.models import Entry, Source
from bot.render import markup, pagelinks
from bot.render.inline import Span
from bot.render.richtext import rich_text, rich_text_blocks

# Slack rejects a section whose text is over 3,000 characters; stay clear of it. An answer's rich
# text blocks hold as much each, so a long answer takes a few blocks of a message's 50.
SECTION_LIMIT = 2900
SUGGEST_ACTION_PREFIX = "qa_suggest"
MAX_SUGGESTIONS = 3
_ECHO_LIMIT = 300
_BUTTON_LIMIT = 75
_TEXT_LIMIT = 3000
_MAX_NOTICES = 20
_NO_NOTICE = (
    "no notice of a later change is recorded here; the issuer's site has the current status."
)

Message = dict[str, Any]


def escape(text: str) -> str:
    """Escape user text for mrkdwn so ``<!channel>`` or ``<@U1>`` can never ping anyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def echo(text: str) -> str:
    """User text made safe to show back: escaped, on one line, not overly long."""
    flat = " ".join(text.split())
    if len(flat) > _ECHO_LIMIT:
        flat = flat[: _ECHO_LIMIT - 1] + "…"
    # Formatting marks would let a query restyle our message: a backtick becomes a look-alike,
    # and zero-width spaces around * _ ~ stop Slack from reading them as bold, italic, strike.
    flat = flat.replace("`", "\u02cb")
    return escape(re.sub(r"[*_~]", lambda m: f"\u200b{m.group()}\u200b", flat))


def releaselong_date(source: Source) -> str:
    """The release date as the citation writes it, e.g. ``February 21, 2017``."""
    return long_date(source.released)


def long_date(day: dt.date) -> str:
    """A date as citations write it, e.g. ``February 21, 2017``."""
    return f"{day:%B} {day.day}, {day.year}"


def citation(source: Source) -> str:
    """One mrkdwn line: issuer, the linked title, and the release date."""
    title = escape(source.title)
    linked = f"<{_href(source.url)}|{title}>" if source.url else f"“{title}”"
    return f"{escape(source.issuer)} · {linked} · Released {releaselong_date(source)}"


def answer_citation(entry: Entry) -> str:
    """The answer's citation in mrkdwn: issuer, its page's linked title, released and updated."""
    source = entry.source
    title = escape(source.title)
    linked = f"<{_href(entry.url)}|{title}>" if entry.url else f"“{title}”"
    line = f"{escape(source.issuer)} · {linked} · Released {long_date(entry.released)}"
    if entry.updated:
        line += f" · Updated {long_date(entry.updated)}"
    return line


def answer_links(entry: Entry) -> str | None:
    """Links to the answer on its page (scrolled to its first words) and to an archived copy."""
    if not entry.url:
        return None
    words = markup.first_words(markup.parse(entry.answer), pagelinks.DEEP_LINK_WORDS)
    deep = pagelinks.answer_url(entry.url, words)
    links = [f"<{_href(deep)}|The answer on the page>"] if deep else []
    archived = pagelinks.archive_url(entry.url, entry.released)
    links.append(f"<{_href(archived)}|Archived copy>")
    return " · ".join(links)


def answer_message(
    entry: Entry,
    asked_by: str | None = None,
    query: str | None = None,
    feedback: dict[str, Any] | None = None,
) -> Message:
    """The official answer, verbatim, with its question, notice and citation; ``feedback`` (a
    block from ``bot.render.feedback``) goes last.

    Official text goes out as rich text, shown exactly as written: the answer's own links and
    lists are kept, and none of its characters is read as Slack formatting.
    """
    blocks: list[dict[str, Any]] = [
        rich_text([Span(f"{entry.label}: {entry.question}", bold=True)])
    ]
    blocks += rich_text_blocks(markup.parse(entry.answer), SECTION_LIMIT)
    if entry.source.notice:
        blocks.append(notice_block(entry.source.notice))
    context = [mrkdwn(answer_citation(entry))]
    links = answer_links(entry)
    if links:
        context.append(mrkdwn(links))
    if asked_by:
        asked = f"Asked by <@{_user_id(asked_by)}>"
        context.append(mrkdwn(f"{asked}: “{echo(query)}”" if query else asked))
    blocks.append({"type": "context", "elements": context})
    if feedback is not None:
        blocks.append(feedback)
    return {"text": answer_text(entry), "blocks": blocks}


def answer_text(entry: Entry) -> str:
    """Plain fallback for notifications and clients without Block Kit: nothing left out.

    The answer as shown, with each link's address after its text, escaped once.
    """
    source = entry.source
    answer = markup.plain(markup.parse(entry.answer))
    parts = [f"{entry.label}: {entry.question}", answer, "", _plain_citation(entry)]
    if source.notice:
        parts.append(source.notice)
    return escape("\n".join(parts))


def decline_message(query: str, suggestions: Sequence[Entry], command: str = "/qa") -> Message:
    """No confident match: say so, offer up to three answers, point to the list.

    Each suggestion is its full question with its document and number, and a button that posts
    its answer (action id starting with ``SUGGEST_ACTION_PREFIX``, value the entry id).
    """
    shown = f"“{echo(query)}”" if query.strip() else "that"
    blocks: list[dict[str, Any]] = [
        mrkdwn_section(
            f"No official answer found for {shown}. The bot only quotes the official "
            "document, so it would rather say nothing than the wrong thing."
        )
    ]
    suggestions = list(suggestions)[:MAX_SUGGESTIONS]
    if suggestions:
        blocks.append(mrkdwn_section("*Did you mean…*"))
        blocks += [_suggestion(i, entry) for i, entry in enumerate(suggestions)]
    blocks.append(
        {
            "type": "context",
            "elements": [mrkdwn(f"See every question with `{command} list`.")],
        }
    )
    text = f"No official answer found for {shown}."
    if suggestions:
        text += " Did you mean: " + "; ".join(
            f"{e.label}: {escape(e.question)}" for e in suggestions
        )
    return {"text": text, "blocks": blocks}


def _suggestion(index: int, entry: Entry) -> dict[str, Any]:
    # plain_text: the official question shown as written, whatever characters it has.
    question = f"{entry.label}: {entry.question}"
    return {
        "type": "section",
        "text": _plain_text(shorten(question, _TEXT_LIMIT)),
        "accessory": {
            "type": "button",
            "action_id": f"{SUGGEST_ACTION_PREFIX}_{index}",
            "value": entry.id,
            "text": _plain_text(shorten(f"Post {entry.label}", _BUTTON_LIMIT)),
        },
    }


def notice_message(sources: Sequence[Source]) -> Message:
    """Whether the loaded documents still hold: each one's notice, as the bot's note."""
    noticed = [s for s in sources if s.notice]
    lines = [
        f":warning: {_cited(source)}: {escape(source.notice or '')}"
        for source in noticed[:_MAX_NOTICES]
    ]
    if len(noticed) > _MAX_NOTICES:
        lines.append(f"…and {len(noticed) - _MAX_NOTICES} more documents with a notice.")
    quiet = [s for s in sources if not s.notice]
    if len(quiet) == 1:
        lines.append(f"{_cited(quiet[0])}: {_NO_NOTICE}")
    elif quiet:
        first = min(s.released for s in quiet)
        last = max(s.released for s in quiet)
        span = f"released {long_date(first)} to {long_date(last)}"
        lines.append(f"{len(quiet)} other documents ({span}): {_NO_NOTICE}")
    blocks: list[dict[str, Any]] = [
        mrkdwn_section(chunk) for chunk in split_text("\n\n".join(lines), SECTION_LIMIT)
    ]
    blocks.append(
        {
            "type": "context",
            "elements": [
                mrkdwn("This note is the bot's, kept with the content; it is not official text.")
            ],
        }
    )
    return {"text": "Whether the loaded documents still hold: the bot's note.", "blocks": blocks}


def _cited(source: Source) -> str:
    return f"*{escape(source.title)}* ({escape(source.issuer)}, {releaselong_date(source)})"


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into chunks of at most ``limit`` characters, at the most natural boundary.

    Nothing is dropped or changed: ``"".join(split_text(t, n)) == t`` always holds.
    """
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = _boundary(window, minimum=limit // 2) or _boundary(window, minimum=1) or limit
        chunks.append(rest[:cut])
        rest = rest[cut:]
    chunks.append(rest)
    return chunks


def _boundary(window: str, minimum: int) -> int:
    for separator in ("\n\n", "\n", ". ", " "):
        pos = window.rfind(separator)
        if pos >= minimum:
            return pos + len(separator)
    return 0


def _plain_citation(entry: Entry) -> str:
    source = entry.source
    url = f" {entry.url}" if entry.url else ""
    dates = f"released {long_date(entry.released)}"
    if entry.updated:
        dates += f", updated {long_date(entry.updated)}"
    return f"{source.issuer}, “{source.title}”, {dates}.{url}"


def button_label(entry: Entry) -> str:
    """A button's text: the entry's label and question, within Slack's 75 characters."""
    return shorten(f"{entry.label}: {entry.question}", _BUTTON_LIMIT)


def shorten(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters: cut at a word when one ends past half-way, then "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…"


def _href(url: str) -> str:
    """A URL inside mrkdwn ``<url|text>``: ``&``, ``<``, ``>`` escaped, ``|`` percent-encoded."""
    return escape(url).replace("|", "%7C")


def _user_id(user: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", user.upper())


def notice_block(notice: str) -> dict[str, Any]:
    """A currency notice as its own block: a warning sign, its first sentence in bold."""
    lead, rest = _first_sentence(notice)
    text = f":warning: *{escape(lead)}*" + (f" {escape(rest)}" if rest else "")
    return mrkdwn_section(text)


# A sentence ends at . ! or ? before a capital or a digit, but not after an initial ("U.S.")
# or a short abbreviation ("No. 5", "Jan. 20").
_SENTENCE_END = re.compile(
    r"(?<!\b[A-Z])(?<!\b[A-Z][a-z])(?<!\bNo)[.!?][”\"’)]?(\s+)(?=[A-Z0-9“\"(])"
)


def _first_sentence(text: str) -> tuple[str, str]:
    text = text.strip()
    cut = _SENTENCE_END.search(text)
    if cut is None:
        return text, ""
    return text[: cut.start(1)].strip(), text[cut.end(1) :].strip()


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def mrkdwn_section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text)}


def _plain_text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": False}
