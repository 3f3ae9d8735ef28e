"""From what someone typed to the reply the bot gives, independent of Slack or the terminal."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.content.models import Catalogue, Entry
from bot.content.reference import resolve
from bot.currency import asks_currency
from bot.matching.matcher import Match, Matcher
from bot.render import blocks, browse
from bot.render.blocks import Message
from bot.render.feedback import feedback_block

_LIST = re.compile(r"^(?:list|index|all)(?:\s+([a-z][a-z0-9-]*))?$")
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
# Candidates below this are noise, not suggestions worth a button.
MIN_SUGGESTION_SCORE = 0.15


class ReplyKind(StrEnum):
    ANSWER = "answer"
    DECLINE = "decline"
    HELP = "help"
    LIST = "list"
    NOTICE = "notice"
    CHOOSE = "choose"  # a number several documents have: which one?


@dataclass(frozen=True)
class Reply:
    """A rendered reply and what it was made from; ``public`` replies go to the channel."""

    kind: ReplyKind
    message: Message
    match: Match | None = None

    @property
    def public(self) -> bool:
        return self.kind is ReplyKind.ANSWER

    @property
    def entry(self) -> Entry | None:
        return self.match.entry if self.match else None


class Responder:
    """Turns a question into a reply; holds the matcher, so swapping it swaps the content."""

    def __init__(self, matcher: Matcher, command: str = "/qa") -> None:
        self.matcher = matcher
        self.command = command

    def respond(self, text: str, user: str | None = None, surface: str | None = None) -> Reply:
        """Reply to a slash command's text, a mention or a direct message; an answer carries
        vote buttons when the ``surface`` it goes to is named."""
        matcher = self.matcher  # one read: a content reload may swap it at any await elsewhere
        query = clean_query(text)
        keyword = query.lower().strip(" ?!.")
        catalogue = matcher.catalogue
        if keyword in ("", "help"):
            return Reply(ReplyKind.HELP, browse.help_message(self.command, catalogue))
        listing = _LIST.match(keyword)
        if listing:
            return Reply(ReplyKind.LIST, self._listing(catalogue, listing.group(1)))
        if asks_currency(query):
            return Reply(ReplyKind.NOTICE, blocks.notice_message(catalogue.sources))
        reference = resolve(query, catalogue)
        if reference is not None and not reference.entries:
            # A number no document has: there is nothing to search for.
            named = (reference.document,) if reference.document else catalogue.documents
            message = browse.no_number_message(reference.number, named, self.command)
            return Reply(ReplyKind.DECLINE, message, Match(query, None, 0.0))
        match = matcher.match(query)
        if reference is not None and len(reference.entries) > 1:
            message = browse.which_message(reference.number, reference.entries, catalogue.documents)
            return Reply(ReplyKind.CHOOSE, message, match)
        if match.entry is not None:
            vote = _feedback(match.entry, match.score, surface)
            message = blocks.answer_message(match.entry, user, query, vote)
            return Reply(ReplyKind.ANSWER, message, match)
        return Reply(
            ReplyKind.DECLINE,
            blocks.decline_message(query, self.suggestions(match, matcher), self.command),
            match,
        )

    def page(self, value: str) -> Reply | None:
        """The page a "More" button asks for, or None when its document is gone."""
        catalogue = self.matcher.catalogue
        wanted = browse.page_value(value)
        if wanted is None:
            return None
        short, page = wanted
        if short is None:
            return Reply(ReplyKind.LIST, browse.documents_message(catalogue, self.command, page))
        document = catalogue.document(short)
        if document is None:
            return None
        return Reply(ReplyKind.LIST, browse.list_message(document, self.command, page))

    def _listing(self, catalogue: Catalogue, name: str | None) -> Message:
        if not name:
            return browse.index_message(catalogue, self.command)
        document = catalogue.document(name)
        if document is not None:
            return browse.list_message(document, self.command)
        unknown = f"No document is called “{name}”; these are loaded:"
        return browse.documents_message(catalogue, self.command, intro=unknown)

    def suggestions(
        self,
        match: Match,
        matcher: Matcher | None = None,
        besides: Entry | None = None,
        floor: float = MIN_SUGGESTION_SCORE,
    ) -> list[Entry]:
        """The best distinct answers to offer: one entry per answer, none scored below
        ``floor``, none giving the same answer as ``besides``."""
        matcher = matcher or self.matcher  # the matcher that made ``match``
        limit = blocks.MAX_SUGGESTIONS
        chosen: list[Entry] = [besides] if besides is not None else []
        if besides is not None:
            limit += 1
        for candidate in match.alternatives:
            if candidate.score < floor:
                break
            if not any(matcher.same_answer(candidate.entry, e) for e in chosen):
                chosen.append(candidate.entry)
            if len(chosen) == limit:
                break
        return chosen[1:] if besides is not None else chosen

    def alternatives(self, text: str, entry_id: str) -> list[Entry]:
        """Other answers to ``text`` than the entry ``entry_id`` (voted "Not what I asked").

        The next ones by rank, however little chance the matcher gave them: beside a confident
        answer every other entry scores near 0, and the asker has just said that answer is wrong.
        """
        matcher = self.matcher
        query = clean_query(text)
        if not query:
            return []
        besides = matcher.catalogue.get(entry_id)
        return self.suggestions(matcher.match(query), matcher, besides, floor=0.0)

    def entry_reply(
        self, entry_id: str, user: str | None = None, surface: str | None = None
    ) -> Reply | None:
        """The answer for a chosen entry (a "Did you mean" button), or None if it is gone."""
        entry = self.matcher.catalogue.get(entry_id)
        if entry is None:
            return None
        match = Match(entry.label, entry, 1.0)
        message = blocks.answer_message(entry, user, feedback=_feedback(entry, None, surface))
        return Reply(ReplyKind.ANSWER, message, match)


def _feedback(entry: Entry, confidence: float | None, surface: str | None) -> Message | None:
    return feedback_block(entry.id, confidence, surface) if surface else None


def clean_query(text: str) -> str:
    """The question without mentions of the bot (or anyone) and surrounding space."""
    return " ".join(_MENTION.sub(" ", text or "").split())
