"""The embedding model: same vectors as upstream, checked weights, a cache that follows content."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from bot.cli import progress_printer
from bot.content import Catalogue
from bot.matching import Semantics
from bot.matching.bert_graph import build_graph
from bot.matching.embedding import DEFAULT_WEIGHTS_SHA256, ModelError, _weights, locate_model
from bot.matching.semantic import passages
from tests.conftest import ROOT

REFERENCE = Path(__file__).parent / "fixtures" / "minilm-reference.json"


def test_the_graph_computes_what_the_upstream_implementation_does(
    semantics: Semantics,
) -> None:
    # Before its weights go to int8, the graph built from the checkpoint is the model itself.
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    files = locate_model()
    config = json.loads((files.directory / "config.json").read_text(encoding="utf-8"))
    graph = build_graph(_weights(files.weights, config["num_hidden_layers"]), config, "mean")
    session = ort.InferenceSession(graph, providers=["CPUExecutionProvider"])
    for text, expected in zip(reference["texts"], reference["vectors"], strict=True):
        ids = np.array([semantics.encoder._tokenizer.encode(text).ids], dtype=np.int64)
        (pooled,) = session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        assert np.abs(pooled[0] / np.linalg.norm(pooled[0]) - expected).max() < 1e-4


def test_int8_vectors_stay_next_to_the_upstream_ones(semantics: Semantics) -> None:
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    ours = semantics.encoder.encode(reference["texts"])
    cosines = (ours * np.array(reference["vectors"])).sum(axis=1)
    assert cosines.min() > 0.98


def test_a_text_gets_the_same_vector_whatever_it_is_encoded_with(semantics: Semantics) -> None:
    texts = json.loads(REFERENCE.read_text(encoding="utf-8"))["texts"]
    together = semantics.encoder.encode(texts * 3)
    alone = np.stack([semantics.encoder.encode([t])[0] for t in texts])
    assert np.array_equal(together[: len(texts)], alone)
    assert np.array_equal(together[len(texts) :], np.concatenate([alone, alone]))


def test_packaged_weights_are_the_upstream_file(semantics: Semantics) -> None:
    assert semantics.encoder.weights_sha256 == DEFAULT_WEIGHTS_SHA256


def model_copy(tmp_path: Path) -> Path:
    """The packaged model's small files, and its weights linked, in a directory of our own."""
    source = locate_model().directory
    target = tmp_path / "model"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("model.safetensors"))
    (target / "model.safetensors").symlink_to(source / "model.safetensors")
    return target


def test_a_corrupt_weights_file_is_refused(tmp_path: Path) -> None:
    directory = model_copy(tmp_path)
    (directory / "model.safetensors").unlink()
    (directory / "model.safetensors").write_bytes(b"\0" * 1024)
    with pytest.raises(ModelError, match=r"SHA-256 \w+ is not the expected"):
        Semantics.load(directory, DEFAULT_WEIGHTS_SHA256, tmp_path / "cache")


def test_an_operator_model_is_checked_against_the_given_hash(tmp_path: Path) -> None:
    directory = model_copy(tmp_path)
    with pytest.raises(ModelError, match="is not the expected"):
        Semantics.load(directory, "0" * 64, tmp_path / "cache")
    loaded = Semantics.load(directory, DEFAULT_WEIGHTS_SHA256, tmp_path / "cache")
    assert loaded.encoder.dimensions == 384


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    directory = model_copy(tmp_path)
    (directory / "tokenizer.json").unlink()
    with pytest.raises(ModelError, match=r"tokenizer\.json: missing"):
        Semantics.load(directory, None, tmp_path / "cache")


def test_a_damaged_cached_graph_is_rebuilt(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = Semantics.load(None, None, cache)
    [graph] = cache.glob("graph-*.onnx")
    graph.write_bytes(b"not a graph")
    again = Semantics.load(None, None, cache)
    text = ["a damaged cache costs time, never answers"]
    assert np.allclose(again.encoder.encode(text), first.encoder.encode(text))
    assert graph.stat().st_size > 1_000_000


def test_cache_re_embeds_only_changed_entries(catalogue: Catalogue, tmp_path: Path) -> None:
    semantics = Semantics.load(None, None, tmp_path / "cache")
    cold = semantics.index(catalogue.entries)
    assert cold.computed > len(catalogue)  # questions, phrasings and answers
    warm = Semantics.load(None, None, tmp_path / "cache").index(catalogue.entries)
    assert warm.computed == 0
    assert np.array_equal(warm.answers, cold.answers)

    changed = list(catalogue.entries)
    changed[3] = dataclasses.replace(changed[3], answer=changed[3].answer + " Updated.")
    after = semantics.index(tuple(changed))
    # The answer's last passage, and its gist where that passage is also its first.
    assert after.computed == (1 if len(passages(changed[3].answer)) > 1 else 2)
    before_3, after_3 = (
        cold.answers[cold.answer_owners == 3],
        after.answers[after.answer_owners == 3],
    )
    assert not np.allclose(before_3[-1], after_3[-1])
    assert np.array_equal(before_3[:-1], after_3[:-1])
    assert np.array_equal(
        cold.answers[cold.answer_owners == 4], after.answers[after.answer_owners == 4]
    )
    assert np.array_equal(cold.gists[4], after.gists[4])


def test_an_unreadable_vector_cache_means_a_cold_start(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    semantics = Semantics.load(None, None, tmp_path / "cache")
    semantics.index(catalogue.entries[:2])
    [vectors] = (tmp_path / "cache").glob("vectors-*.npz")
    vectors.write_bytes(b"garbage")
    assert semantics.index(catalogue.entries[:2]).computed > 0


def test_progress_is_reported_in_tenths_for_large_builds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = progress_printer(minimum=100)
    for done in range(32, 1000, 32):
        report(done, 1000)
    report(1000, 1000)
    lines = capsys.readouterr().err.splitlines()
    assert 10 <= len(lines) <= 11
    assert lines[-1] == "qabot: embedding content 1000/1000"
    small = progress_printer(minimum=100)
    small(50, 50)
    assert capsys.readouterr().err == ""


def test_a_missing_model_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "hello"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "QABOT_EMBEDDING_MODEL": str(tmp_path / "nowhere")},
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "embedding model" in result.stderr and "nowhere" in result.stderr


def test_a_weights_file_changed_in_place_is_hashed_again(tmp_path: Path) -> None:
    directory = model_copy(tmp_path)
    cache = tmp_path / "cache"
    Semantics.load(directory, DEFAULT_WEIGHTS_SHA256, cache)  # hashed and recorded
    assert (cache / "weights-verified.json").is_file()
    weights = directory / "model.safetensors"
    weights.unlink()
    weights.write_bytes(b"\1" * 2048)
    with pytest.raises(ModelError, match="is not the expected"):
        Semantics.load(directory, DEFAULT_WEIGHTS_SHA256, cache)


def test_each_content_keeps_its_own_vectors(catalogue: Catalogue, tmp_path: Path) -> None:
    semantics = Semantics.load(None, None, tmp_path / "cache")
    first, second = catalogue.entries[:3], catalogue.entries[3:6]
    semantics.index(first, scope="a.yaml")
    semantics.index(second, scope="b.yaml")
    assert semantics.index(first, scope="a.yaml").computed == 0
    assert semantics.index(second, scope="b.yaml").computed == 0
