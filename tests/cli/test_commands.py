"""The qabot commands, as a user runs them: real processes where stdin and exit codes matter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import CONTENT, DEV_SET, ROOT, require

A14 = (
    "ICE has terminated the Priority Enforcement Program (PEP) and restored Secure Communities, "
    "directing its personnel to take enforcement action consistent with the priorities set "
    "forth in the executive orders."
)


def run(
    *args: str, stdin: str | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_ask_prints_the_answer_verbatim_with_citation(capsys: pytest.CaptureFixture) -> None:
    assert main(["ask", "is", "PEP", "still", "in", "effect?"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Q14: When is the Priority Enforcement Program (PEP) being terminated?")
    assert A14 in out.splitlines()
    assert "Released February 21, 2017" in out
    assert "https://www.dhs.gov/news/2017/02/21/" in out
    assert "Executive Order 14159" in out


def test_ask_json(capsys: pytest.CaptureFixture) -> None:
    assert main(["ask", "--json", "has PEP been terminated yet?"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["query"] == "has PEP been terminated yet?"
    assert data["id"] in {"q14", "q15"}
    assert set(data) == {"query", "id", "score", "alternatives"}
    assert all(set(a) == {"id", "score"} for a in data["alternatives"])


def test_ask_declines_with_suggestions(capsys: pytest.CaptureFixture) -> None:
    assert main(["ask", "how many detention centers does ICE run in Texas"]) == 0
    assert "No official answer found" in capsys.readouterr().out


def test_match_jsonl_answers_line_by_line_and_flushes() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "match", "--jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        # One query at a time: each answer must arrive before the next query is sent.
        for query, expected in [("q7", "q7"), ("hey", None), ("#22", "q22")]:
            proc.stdin.write(query + "\n")
            proc.stdin.flush()
            line = json.loads(proc.stdout.readline())
            assert (line["query"], line["id"]) == (query, expected)
    finally:
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0


def test_match_jsonl_keeps_order_and_odd_lines() -> None:
    queries = ["has pep ended", "", "🙂", "<!channel>", "287g?"]
    result = run("match", "--jsonl", stdin="\n".join(queries) + "\n")
    assert result.returncode == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == queries


def test_eval_prints_the_three_figures(capsys: pytest.CaptureFixture) -> None:
    assert main(["eval", str(require(DEV_SET))]) == 0
    out = capsys.readouterr().out
    assert "top-1 accuracy (in scope):" in out
    assert "wrong answers (in scope):" in out
    assert "out of scope declined:" in out


def test_eval_on_missing_file(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    assert main(["eval", str(tmp_path / "nope.yaml")]) == 1
    assert "query file not found" in capsys.readouterr().err


def test_demo_with_piped_stdin_exits_at_end_of_input() -> None:
    result = run("demo", stdin="has PEP been terminated yet?\n/qa 22\n@qabot hey\n")
    assert result.returncode == 0
    assert A14 in result.stdout.splitlines()
    assert "February 21, 2017" in result.stdout
    assert "Q22: Do these memoranda affect recipients" in result.stdout
    assert "No official answer found for “hey”" in result.stdout
    assert "3 questions asked in this session." in result.stdout


def test_content_check_valid(capsys: pytest.CaptureFixture) -> None:
    assert main(["content", "check", str(CONTENT)]) == 0
    assert "ok, 22 entries from 1 source" in capsys.readouterr().out


def test_content_check_invalid_exits_non_zero_with_file_line(tmp_path: Path) -> None:
    broken = tmp_path / "qa.yaml"
    broken.write_text(CONTENT.read_text(encoding="utf-8").replace("number: 3\n", "numbr: 3\n"))
    result = run("content", "check", str(broken))
    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{broken}:")
    assert "unknown field 'numbr'" in result.stderr
    assert "missing field 'number'" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_content_stops_every_command(tmp_path: Path) -> None:
    result = run("ask", "hello", env={"QABOT_CONTENT": str(tmp_path / "missing.yaml")})
    assert result.returncode == 1
    assert "content file not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_console_script_and_module_agree() -> None:
    script = Path(sys.executable).with_name("qabot")
    if not script.exists():
        pytest.skip("the qabot console script is not installed in this environment")
    via_script = subprocess.run(
        [str(script), "ask", "--json", "Q3"], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert json.loads(via_script.stdout) == json.loads(run("ask", "--json", "Q3").stdout)
