"""Typed models of a content file and of the loaded catalogue."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

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


class Source(_Strict):
    """Where an answer comes from: every entry cites exactly one source."""

    id: str = Field(pattern=_ID_PATTERN)
    title: str
    issuer: str
    released: dt.date
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    implements: ImplementedOrder | None = None
    also_published_as: tuple[str, ...] = ()
    notice: str | None = None
    vocabulary: Vocabulary = Vocabulary()

    @field_validator("title", "issuer")
    @classmethod
    def _required_text(cls, value: str, info) -> str:
        return _not_blank(value, info.field_name)


class EntrySpec(_Strict):
    """One question and its official answer, as written in a content file."""

    id: str = Field(pattern=_ID_PATTERN)
    number: int = Field(ge=1)
    question: str
    answer: str
    topics: tuple[str, ...] = ()
    phrasings: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    @field_validator("question", "answer")
    @classmethod
    def _required_text(cls, value: str, info) -> str:
        return _not_blank(value, info.field_name)


class SourceSpec(Source):
    """A source block of a content file: the source and the entries that cite it."""

    entries: tuple[EntrySpec, ...] = Field(min_length=1)


class ContentFile(_Strict):
    """The top level of a content file."""

    sources: tuple[SourceSpec, ...] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Entry:
    """A loaded entry, bound to the source it cites."""

    id: str
    number: int
    question: str
    answer: str
    source: Source
    topics: tuple[str, ...] = ()
    phrasings: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The entry's number as people cite it, e.g. ``Q14``."""
        return f"Q{self.number}"

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(p for p in self.answer.split("\n\n") if p.strip())


@dataclass(frozen=True)
class Catalogue:
    """Every loaded entry, in file order, with lookups by id."""

    entries: tuple[Entry, ...]
    version: str = ""
    paths: tuple[str, ...] = ()
    _by_id: dict[str, Entry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {e.id: e for e in self.entries})

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    @property
    def sources(self) -> tuple[Source, ...]:
        seen: dict[str, Source] = {}
        for entry in self.entries:
            seen.setdefault(entry.source.id, entry.source)
        return tuple(seen.values())
