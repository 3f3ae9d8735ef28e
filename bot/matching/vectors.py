"""Embeddings of entry texts kept on disk, keyed by model and text, so a restart or a content
reload embeds only what changed."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.matching.embedding import Encoder, Progress

log = logging.getLogger(__name__)


def text_key(identity: str, text: str) -> str:
    return hashlib.sha256(f"{identity}\0{text}".encode()).hexdigest()


class VectorCache:
    """One file per model under ``directory``; unreadable or absent files mean a cold start."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory

    def embed(
        self,
        encoder: Encoder,
        texts: Sequence[str],
        progress: Progress | None = None,
        scope: str = "",
    ) -> tuple[np.ndarray, int]:
        """Vectors of ``texts`` and how many had to be computed (the rest came from disk).

        ``scope`` names the content (its files): each content keeps a file of its own, so that
        serving one collection never evicts another's vectors.
        """
        keys = [text_key(encoder.identity, t) for t in texts]
        path = self._path(encoder, scope)
        known = self._read(encoder, path)
        missing = list(dict.fromkeys(k for k in keys if k not in known))
        if missing:
            text_of = dict(zip(keys, texts, strict=True))
            fresh = encoder.encode([text_of[k] for k in missing], progress)
            known.update(zip(missing, fresh, strict=True))
            # Only what this content needs is kept: the file never grows past one catalogue.
            self._write(encoder, path, {k: known[k] for k in dict.fromkeys(keys)})
        out = np.zeros((len(texts), encoder.dimensions), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = known[key]
        return out, len(missing)

    def _path(self, encoder: Encoder, scope: str) -> Path | None:
        if self.directory is None:
            return None
        name = hashlib.sha256(f"{encoder.identity}\0{scope}".encode()).hexdigest()[:16]
        return self.directory / f"vectors-{name}.npz"

    def _read(self, encoder: Encoder, path: Path | None) -> dict[str, np.ndarray]:
        if path is None or not path.is_file():
            return {}
        try:
            with np.load(path, allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
                if vectors.shape[1:] != (encoder.dimensions,) or len(keys) != len(vectors):
                    raise ValueError("shape does not fit the model")
                return {str(k): v for k, v in zip(keys, vectors, strict=True)}
        except (OSError, ValueError, KeyError) as exc:
            log.warning("embedding cache %s unreadable (%s); embedding afresh", path, exc)
            return {}

    def _write(self, encoder: Encoder, path: Path | None, vectors: dict[str, np.ndarray]) -> None:
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as f:
                np.savez(
                    f,
                    keys=np.array(list(vectors), dtype="U64"),
                    vectors=np.array(list(vectors.values()), dtype=np.float32).reshape(
                        len(vectors), encoder.dimensions
                    ),
                )
            os.replace(f.name, path)
        except OSError as exc:
            log.warning("embedding cache %s not written (%s)", path, exc)
