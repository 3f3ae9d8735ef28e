"""How common an English word is, so filler words weigh little and rare ones weigh a lot."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

# Words missing from the list are rarer than its rarest entry (Zipf 2.95).
RARE_ZIPF = 2.5


@lru_cache(maxsize=1)
def zipf_table() -> dict[str, float]:
    """Word -> Zipf frequency, read once from the packaged list (read-only afterwards)."""
    text = resources.files("bot.matching").joinpath("data/english_zipf.txt").read_text("utf-8")
    table: dict[str, float] = {}
    for line in text.splitlines():
        if line and line[0] != "#":
            value, *words = line.split()
            table.update(dict.fromkeys(words, float(value)))
    return table


def zipf(word: str) -> float:
    return zipf_table().get(word, RARE_ZIPF)


def is_english(word: str) -> bool:
    return word in zipf_table()
