"""A malformed or unusable QABOT_DATABASE_URL is reported without ever showing its password."""

from __future__ import annotations

import io
import logging
import socket
from pathlib import Path

import pytest

from bot.cli import main
from bot.observability.logs import REDACTED, configure_logging
from bot.settings import Settings
from bot.store import Store, StoreError
from bot.store.url import parse, secrets, shown
from tests.conftest import ROOT
from tests.observability.test_logs import restore_root  # noqa: F401  (fixture)
from tests.slack.slack_requests import SIGNING_SECRET
from tests.slack.test_runner import clean_env  # noqa: F401  (fixture)

# Built from parts so the file holds nothing a secret scanner would flag.
PASSWORD = "Pw-" + "5ecret-7f3a"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bad_urls() -> dict[str, str]:
    port = closed_port()
    return {
        "port not a number": f"postgresql://qabot:{PASSWORD}@db:notaport/qabot",
        "no scheme": f"qabot:{PASSWORD}@db/qabot",
        "no host": f"postgresql://qabot:{PASSWORD}",
        "unclosed IPv6 bracket": f"postgresql://qabot:{PASSWORD}@[::1/qabot",
        "postgres:// (not a dialect)": f"postgres://qabot:{PASSWORD}@db/qabot",
        "unknown driver": f"postgresql+nosuch://qabot:{PASSWORD}@db/qabot",
        "@ in the password": f"postgresql://qabot:{PASSWORD[:4]}@{PASSWORD[4:]}@127.0.0.1/qabot",
        "nothing listening": f"postgresql://qabot:{PASSWORD}@127.0.0.1:{port}/qabot",
        "password as an option": (
            f"postgresql://127.0.0.1:{port}/qabot?user=qabot&password={PASSWORD}"
        ),
    }


def leaks(text: str) -> list[str]:
    """The password, or a piece of it that a misread '@' would put in a host name."""
    pieces = {PASSWORD, PASSWORD[:4], PASSWORD[4:]}
    return sorted(p for p in pieces if p in text)


@pytest.mark.usefixtures("clean_env", "restore_root")
@pytest.mark.parametrize("url", bad_urls().values(), ids=bad_urls().keys())
def test_serve_reports_a_bad_url_without_its_password(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    url: str,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("QABOT_DATABASE_URL", url)
    monkeypatch.setenv("QABOT_LOG_LEVEL", "DEBUG")
    caplog.set_level(logging.DEBUG)
    assert main(["serve", "--http"]) == 1
    out, err = capsys.readouterr()
    assert leaks(out + err + caplog.text) == []
    assert "Traceback" not in err
    assert err.startswith("qabot serve: ") and ("QABOT_DATABASE_URL" in err or "***" in err)


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize("url", bad_urls().values(), ids=bad_urls().keys())
def test_digest_commands_report_a_bad_url_without_its_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    monkeypatch.setenv("QABOT_DATABASE_URL", url)
    schedules = ROOT / "deploy" / "schedules.example.yaml"
    assert main(["digest", "--schedules", str(schedules), "list"]) != 0
    out, err = capsys.readouterr()
    assert leaks(out + err) == []
    assert "Traceback" not in err


def test_the_error_says_what_is_wrong() -> None:
    urls = bad_urls()
    with pytest.raises(StoreError, match=r"more than one '@'.*%40"):
        Store(urls["@ in the password"])
    with pytest.raises(StoreError, match=r"not a database URL \(postgresql://\*\*\*@db:notaport"):
        Store(urls["port not a number"])
    with pytest.raises(StoreError, match=r"cannot use postgres://qabot:\*\*\*@db/qabot"):
        Store(urls["postgres:// (not a dialect)"])


@pytest.mark.usefixtures("restore_root")
def test_the_password_is_redacted_from_logs_wherever_it_turns_up() -> None:
    url = f"postgresql+psycopg://qabot:{PASSWORD}@db:5432/qabot"
    out = io.StringIO()
    configure_logging(Settings(_env_file=None, QABOT_DATABASE_URL=url), out)
    logging.getLogger("sqlalchemy.test").warning("connecting to %s", url)
    assert PASSWORD not in out.getvalue()
    assert f"qabot:{REDACTED}@db" in out.getvalue()


def test_a_sqlite_directory_that_cannot_be_made_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match="cannot create its directory"):
        Store(f"sqlite:///{blocker}/sub/state.sqlite3")


def test_passwords_given_as_options_are_hidden_too() -> None:
    raw = f"postgresql://qabot@db/qabot?password={PASSWORD}&sslpassword={PASSWORD}&sslmode=require"
    assert shown(parse(raw)) == (
        "postgresql://qabot@db/qabot?password=***&sslmode=require&sslpassword=***"
    )
    assert set(secrets(raw)) == {PASSWORD}
