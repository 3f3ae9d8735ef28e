"""Meaning-level similarity of a query to every entry's question (and phrasings) and answer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.content.models import Entry
from bot.matching.embedding import Encoder, ModelFiles, Progress, locate_model
from bot.matching.vectors import VectorCache

_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def plain_text(text: str) -> str:
    """Official text without link targets and tags: the model should read the words."""
    return _SPACE.sub(" ", _TAG.sub(" ", _MARKDOWN_LINK.sub(r"\1", text))).strip()


_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_PASSAGE_WORDS = 50


def passages(answer: str) -> list[str]:
    """The answer's paragraphs and list items, long ones cut at sentence ends."""
    parts: list[str] = []
    for paragraph in _PARAGRAPH.split(answer):
        text = plain_text(paragraph)
        if not text:
            continue
        current: list[str] = []
        for sentence in _SENTENCE_END.split(text):
            if current and len(" ".join([*current, sentence]).split()) > _PASSAGE_WORDS:
                parts.append(" ".join(current))
                current = []
            current.append(sentence)
        parts.append(" ".join(current))
    return parts or [plain_text(answer)]


class Semantics:
    """The embedding model and its cache, loaded once per process and shared by every matcher."""

    def __init__(self, files: ModelFiles, cache_dir: Path | None) -> None:
        self.encoder = Encoder(files, cache_dir)
        self.cache = VectorCache(cache_dir)

    @classmethod
    def load(cls, model: Path | None, sha256: str | None, cache_dir: Path | None) -> Semantics:
        """The operator's model (or the packaged one), checked; raises ModelError."""
        return cls(locate_model(model, sha256), cache_dir)

    def index(
        self, entries: tuple[Entry, ...], progress: Progress | None = None, scope: str = ""
    ) -> SemanticIndex:
        """Vectors of every question, phrasing, answer passage and gist; ``scope`` names the
        content."""
        texts: list[str] = []
        owners: list[int] = []
        for i, entry in enumerate(entries):
            for text in (entry.question, *entry.phrasings):
                texts.append(text)
                owners.append(i)
        answers: list[str] = []
        answer_owners: list[int] = []
        # An entry's gist is its question with the opening of its answer, read as one text:
        # what the entry is about. Neither half alone says it: a bare official question is terse
        # and formal, and an answer's passage may not name the subject the question gives it.
        gists: list[str] = []
        for i, entry in enumerate(entries):
            parts = passages(entry.answer)
            answers += parts
            answer_owners += [i] * len(parts)
            gists.append(f"{entry.question} {parts[0]}")
        vectors, computed = self.cache.embed(self.encoder, texts + answers + gists, progress, scope)
        end = len(texts) + len(answers)
        return SemanticIndex(
            questions=vectors[: len(texts)],
            owners=np.array(owners, dtype=np.int64),
            answers=vectors[len(texts) : end],
            gists=vectors[end:],
            answer_owners=np.array(answer_owners, dtype=np.int64),
            size=len(entries),
            computed=computed,
        )

    def embed(self, query: str) -> np.ndarray:
        """The query's vector, the same whatever other queries run beside it."""
        return self.encoder.encode([query])[0]


@dataclass(frozen=True)
class SemanticIndex:
    """Unit vectors of every question, phrasing, answer passage and gist, with the entry of each."""

    questions: np.ndarray
    owners: np.ndarray
    answers: np.ndarray
    gists: np.ndarray  # one per entry
    answer_owners: np.ndarray
    size: int  # entries
    computed: int  # how many vectors this build had to compute (the rest came from the cache)

    def similarities(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per entry: best cosine to its question or a phrasing, to its answer or a passage, and
        cosine to its gist."""
        by_question = np.full(self.size, -1.0, dtype=np.float32)
        np.maximum.at(by_question, self.owners, self.questions @ query)
        by_answer = np.full(self.size, -1.0, dtype=np.float32)
        np.maximum.at(by_answer, self.answer_owners, self.answers @ query)
        return by_question, by_answer, (self.gists @ query).astype(np.float32)
