"""Typed models of a content file and of the loaded catalogue."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

_ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"
_WORD = re.compile(r"[^\W_]+")  # a word as the matcher reads it: letters and digits


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


def _not_blank(value: str, what: str) -> str:
    if not value.strip():
        raise ValueError(f"{what} is empty")
    return value


class ImplementedOrder(_Strict):
    """The executive order (or other instrument) a release implements."""

    title: str
    signed: dt.date
    citation: str | None = None


def _one_word(value: str) -> str:
    if _WORD.fullmatch(value) is None:
        raise ValueError(f"'{value}' is not one word (letters and digits only)")
    return value


def _several_words(value: str) -> str:
    if len(_WORD.findall(value)) < 2:
        raise ValueError(f"'{value}' needs at least two words")
    return value


# Checked item by item, so that a problem is reported at the line of its item.
Word = Annotated[str, AfterValidator(_one_word)]
Words = Annotated[str, AfterValidator(_several_words)]
Phrase = Annotated[str, AfterValidator(lambda value: _not_blank(value, "the phrase"))]


class Vocabulary(_Strict):
    """How people talk about one document: its names, its jargon, what it does not cover.

    Matching aids like an entry's phrasings, written once for the whole source and never shown.
    Words are written as people type them; the matcher normalises and stems them.
    """

    # A year or an order number is a word here, whether or not the YAML quotes it.
    model_config = ConfigDict(coerce_numbers_to_str=True)

    # Short form -> the full name it stands for. A program known by its name alone gets a short
    # form made up for it, so that its name is still matched as one word.
    acronyms: dict[Word, Words] = {}
    phrases: dict[Phrase, str] = {}  # phrase -> the words it is read as ("" drops it)
    synonyms: dict[Word, tuple[Word, ...]] = {}  # a word people use -> the document's words
    concepts: tuple[Words, ...] = ()  # words that stand for one idea, space separated
    context: tuple[Word, ...] = ()  # words naming the document itself: they weigh little
    off_document: tuple[Word, ...] = ()  # subjects it is known not to cover

    @field_validator("synonyms")
    @classmethod
    def _some_synonyms(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        if empty := [word for word, alternatives in value.items() if not alternatives]:
            raise ValueError(f"'{empty[0]}' has no synonyms")
        return value

    def __hash__(self) -> int:
        # Frozen models hash their fields and dicts do not hash; entries stay hashable values.
        return hash(
            (
                tuple(self.acronyms.items()),
                tuple(self.phrases.items()),
                tuple(self.synonyms.items()),
                self.concepts,
                self.context,
                self.off_document,
            )
        )


_URL_PATTERN = r"^https?://\S+$"
_SHORT_PATTERN = r"^[a-z][a-z0-9-]{0,23}$"


def _dated(released: dt.date | None, updated: dt.date | None) -> dt.date | None:
    if released is not None and updated is not None and updated < released:
        raise ValueError(f"{updated} is before the release date, {released}")
    return updated


class Source(_Strict):
    """Where an answer comes from: every entry cites exactly one source."""

    id: str = Field(pattern=_ID_PATTERN)
    # What people type to name the document ("interior 14"); sources sharing one form a document.
    short: str | None = Field(default=None, pattern=_SHORT_PATTERN)
    title: str
    issuer: str
    released: dt.date
    updated: dt.date | None = None
    url: str | None = Field(default=None, pattern=_URL_PATTERN)
    implements: ImplementedOrder | None = None
    also_published_as: tuple[str, ...] = ()
    notice: str | None = None
    vocabulary: Vocabulary = Vocabulary()

    @field_validator("title", "issuer")
    @classmethod
    def _required_text(cls, value: str, info) -> str:
        return _not_blank(value, info.field_name)

    @field_validator("updated")
    @classmethod
    def _updated_after_release(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return _dated(info.data.get("released"), value)


class EntrySpec(_Strict):
    """One question and its official answer, as written in a content file."""

    id: str = Field(pattern=_ID_PATTERN)
    number: int = Field(ge=1)
    question: str
    answer: str
    # A collection whose answers each cite their own page and date gives them here; an entry
    # without them takes its source's.
    url: str | None = Field(default=None, pattern=_URL_PATTERN)
    released: dt.date | None = None
    updated: dt.date | None = None
    topics: tuple[str, ...] = ()
    phrasings: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    @field_validator("question", "answer")
    @classmethod
    def _required_text(cls, value: str, info) -> str:
        return _not_blank(value, info.field_name)

    @field_validator("updated")
    @classmethod
    def _updated_after_release(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return _dated(info.data.get("released"), value)


class SourceSpec(Source):
    """A source block of a content file: the source and the entries that cite it."""

    entries: tuple[EntrySpec, ...] = Field(min_length=1)


class ContentFile(_Strict):
    """The top level of a content file."""

    sources: tuple[SourceSpec, ...] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Entry:
    """A loaded entry, bound to the source it cites, with its own page and dates resolved."""

    id: str
    number: int
    question: str
    answer: str
    source: Source
    released: dt.date  # the entry's own date, else its source's
    updated: dt.date | None = None
    url: str | None = None  # the entry's own page, else its source's
    topics: tuple[str, ...] = ()
    phrasings: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    # The short name of its document, set only when more than one document is loaded: labels
    # then say which document a number belongs to.
    document: str | None = None

    @property
    def label(self) -> str:
        """The entry's number as people cite it: ``Q14``, or ``interior Q14`` among several."""
        return f"{self.document} Q{self.number}" if self.document else f"Q{self.number}"

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(p for p in self.answer.split("\n\n") if p.strip())


@dataclass(frozen=True)
class Document:
    """One document as people name it: the sources sharing a short name, and their entries."""

    short: str
    title: str
    entries: tuple[Entry, ...]

    @property
    def sources(self) -> tuple[Source, ...]:
        return _unique_sources(self.entries)

    @property
    def released(self) -> tuple[dt.date, dt.date]:
        """The first and last release dates of its entries."""
        days = [e.released for e in self.entries]
        return min(days), max(days)


@dataclass(frozen=True)
class Catalogue:
    """Every loaded entry, in file order, with lookups by id, document and number."""

    entries: tuple[Entry, ...]
    version: str = ""
    paths: tuple[str, ...] = ()
    documents: tuple[Document, ...] = ()
    _by_id: dict[str, Entry] = field(init=False, repr=False, compare=False)
    _by_short: dict[str, Document] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {e.id: e for e in self.entries})
        object.__setattr__(self, "_by_short", {d.short: d for d in self.documents})

    def document(self, short: str) -> Document | None:
        return self._by_short.get(short.lower())

    def numbered(self, number: int, short: str | None = None) -> tuple[Entry, ...]:
        """The first entry numbered ``number`` in each document (or in the one named)."""
        documents = self.documents if short is None else (self._by_short[short],)
        found: list[Entry] = []
        for document in documents:
            entry = next((e for e in document.entries if e.number == number), None)
            if entry is not None:
                found.append(entry)
        return tuple(found)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    @property
    def sources(self) -> tuple[Source, ...]:
        return _unique_sources(self.entries)


def _unique_sources(entries: Iterable[Entry]) -> tuple[Source, ...]:
    seen: dict[str, Source] = {}
    for entry in entries:
        seen.setdefault(entry.source.id, entry.source)
    return tuple(seen.values())
