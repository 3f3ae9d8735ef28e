"""``qabot content import``: the format from the path or ``--format``, flags, errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from tests.conftest import ROOT
from tests.content.importers.conftest import FIXTURES


def _entries(out: str) -> list[dict]:
    return yaml.safe_load(out)["sources"][0]["entries"]


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("faq-md", 3),
        ("faq.csv", 2),
        ("qna.tsv", 2),
        ("faq.html", 3),
        ("release-question-style.txt", 3),
    ],
)
def test_format_from_the_path(name: str, count: int, capsys: pytest.CaptureFixture) -> None:
    assert main(["content", "import", str(FIXTURES / name)]) == 0
    assert len(_entries(capsys.readouterr().out)) == count


def test_format_option_overrides_the_path(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "export.txt"
    shutil.copy(FIXTURES / "faq.csv", path)
    assert main(["content", "import", str(path)]) == 1  # read as release text: no questions
    assert f"{path}:1: no numbered questions and answers found" in capsys.readouterr().err
    assert main(["content", "import", "--format", "csv", str(path)]) == 0
    assert len(_entries(capsys.readouterr().out)) == 2


def test_flags(capsys: pytest.CaptureFixture) -> None:
    path = str(FIXTURES / "faq.html")
    assert main(["content", "import", path, "--id", "sample", "--short", "sample"]) == 0
    source = yaml.safe_load(capsys.readouterr().out)["sources"][0]
    assert (source["id"], source["short"]) == ("sample", "sample")
    assert main(["content", "import", path, "--source-id", "old-name", "--title", "T"]) == 0
    source = yaml.safe_load(capsys.readouterr().out)["sources"][0]
    assert (source["id"], source["title"]) == ("old-name", "T")


@pytest.mark.parametrize(
    ("flag", "value"), [("--short", "Sample Doc"), ("--url", "example.gov"), ("--id", "A B")]
)
def test_flags_a_content_file_would_refuse(
    flag: str, value: str, capsys: pytest.CaptureFixture
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["content", "import", str(FIXTURES / "faq.html"), flag, value])
    assert caught.value.code == 2
    assert f"argument {flag}" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: d / "missing.txt", "missing.txt:0: no such file or directory"),
        (lambda d: d, ":0: no Markdown files (*.md) in this folder"),
        (lambda d: _write(d / "a.csv", "Answer\nYes.\n"), "a.csv:1: no 'Question' column"),
        (lambda d: _write(d / "a.md", "---\ntitle: [\n---\nA.\n"), "a.md:3: YAML syntax error"),
        (lambda d: _write(d / "r.txt", "A1: Yes.\n"), "r.txt:1: A1 before any question"),
    ],
)
def test_errors_name_file_and_line_without_a_traceback(make, expected: str, tmp_path: Path) -> None:
    path = make(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "content", "import", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 1
    assert expected in result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
