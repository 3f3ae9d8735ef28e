"""Hostile YAML files: aliases, deep nesting and huge files are refused as file:line problems."""

from __future__ import annotations

import resource
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from bot.content import check
from bot.digest.schedule import ScheduleError, load_schedules
from bot.yamlfile import MAX_DEPTH, MAX_FILE_BYTES
from tests.conftest import CONTENT, ROOT

# "Billion laughs": nine levels of nine aliases, a billion strings once expanded.
LAUGHS = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)
# Address space for a child process given a hostile file: several times what it needs.
CHILD_MEMORY = 1024 * 1024 * 1024


def write(tmp_path: Path, text: str, name: str = "qa.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    return [str(p) for p in check(path)]


def test_an_alias_is_refused_at_the_line_of_its_anchor(tmp_path: Path) -> None:
    text = CONTENT.read_text(encoding="utf-8")
    # The second entry borrowing the first one's topics through an alias.
    text = text.replace("  - id: q1\n", "  - id: q1\n    topics: &shared [pep]\n", 1)
    text = text.replace("  - id: q2\n", "  - id: q2\n    topics: *shared\n", 1)
    line = text[: text.index("&shared")].count("\n") + 1
    path = write(tmp_path, text)
    assert problems(path) == [f"{path}:{line}: {_no_aliases()}"]


def test_an_anchor_alone_is_refused_too(tmp_path: Path) -> None:
    path = write(tmp_path, "sources:\n- &first\n  id: demo\n")
    assert problems(path) == [f"{path}:2: {_no_aliases()}"]


def test_nesting_beyond_the_limit_is_refused(tmp_path: Path) -> None:
    deep = "sources: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n"
    path = write(tmp_path, deep)
    assert problems(path) == [f"{path}:1: nested more than {MAX_DEPTH} levels deep"]


def test_block_nesting_a_hundred_thousand_deep_is_refused(tmp_path: Path) -> None:
    # Block style, which libyaml's own flow-level limit does not cover: "- - - x".
    deep = "- " * 100_000 + "x\n"
    path = write(tmp_path, deep)
    [problem] = problems(path)
    assert problem.startswith(f"{path}:") and problem.endswith("levels deep")


def limit_memory() -> None:
    """Cap a child's memory, so a loader that follows the aliases fails there in seconds
    instead of taking the test machine down with it."""
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))


def in_a_child(*argv: str) -> subprocess.CompletedProcess[str]:
    """Run ``python ARGV`` with its memory capped."""
    return subprocess.run(
        [sys.executable, *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        preexec_fn=limit_memory,
        timeout=120,  # a guard against a hang, not a speed goal
    )


def test_billion_laughs_is_refused_by_the_command(tmp_path: Path) -> None:
    path = write(tmp_path, LAUGHS)
    assert len(LAUGHS.encode()) < 500
    done = in_a_child("-m", "bot", "content", "check", str(path))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"{path}:1: {_no_aliases()}", "1 problem found"]


def test_billion_laughs_schedule_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "schedules:\n- " + LAUGHS.replace("\n", "\n  "), "schedules.yaml")
    load = (
        "import sys\n"
        "from bot.digest.schedule import ScheduleError, load_schedules\n"
        "try:\n"
        "    load_schedules(sys.argv[1])\n"
        "except ScheduleError as exc:\n"
        "    print(exc)\n"
    )
    done = in_a_child("-c", load, str(path))
    assert (done.returncode, done.stdout, done.stderr) == (0, f"{path}:2: {_no_aliases()}\n", "")


def big_file(tmp_path: Path, name: str) -> Path:
    """A 50 MB file of valid-looking YAML, written in pieces."""
    path = tmp_path / name
    line = b"# " + b"x" * 1021 + b"\n"
    with path.open("wb") as file:
        for _ in range(50 * 1024):
            file.write(line)
    return path


def test_a_50_mb_content_file_is_refused_without_being_read(tmp_path: Path) -> None:
    path = big_file(tmp_path, "qa.yaml")
    tracemalloc.start()
    try:
        found = problems(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert found == [
        f"{path}:0: the file is larger than 5 MB, the limit for a content or schedule file"
    ]
    assert peak < 2 * MAX_FILE_BYTES


def test_a_file_at_the_limit_is_still_read(tmp_path: Path) -> None:
    text = CONTENT.read_text(encoding="utf-8")
    padded = text + "#" * (MAX_FILE_BYTES - len(text.encode()) - 1) + "\n"
    path = write(tmp_path, padded)
    assert path.stat().st_size == MAX_FILE_BYTES
    assert problems(path) == []


def test_a_50_mb_schedule_file_is_refused(tmp_path: Path) -> None:
    path = big_file(tmp_path, "schedules.yaml")
    with pytest.raises(ScheduleError) as info:
        load_schedules(path)
    [problem] = info.value.problems
    assert str(problem).startswith(f"{path}:0: the file is larger than 5 MB")


def _no_aliases() -> str:
    return "YAML anchors and aliases (&name, *name) are not allowed; write the value out"
