"""The settings of what the bot learns from use: read from the environment, refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings

NAMES = ("QABOT_KEEP_QUESTIONS_DAYS", "QABOT_MAINTAINERS", "QABOT_LEARNED")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env file of the checkout
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)


def test_defaults_keep_no_question_text() -> None:
    settings = load_settings()
    assert settings.keep_questions_days == 0
    assert settings.maintainers == ()
    assert settings.learned == Path("content/learned.yaml")


def test_values_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QABOT_KEEP_QUESTIONS_DAYS", "30")
    monkeypatch.setenv("QABOT_MAINTAINERS", " U024BE7LH, W0123ABCD  U024BE7LH,U9Z8Y7X6 ")
    monkeypatch.setenv("QABOT_LEARNED", "/srv/qabot/learned.yaml")
    settings = load_settings()
    assert settings.keep_questions_days == 30
    assert settings.maintainers == ("U024BE7LH", "W0123ABCD", "U9Z8Y7X6")
    assert settings.learned == Path("/srv/qabot/learned.yaml")


def test_values_from_a_dotenv_file(tmp_path: Path) -> None:
    env = "QABOT_MAINTAINERS=U123ABC W456DEF\nQABOT_KEEP_QUESTIONS_DAYS=7\n"
    (tmp_path / ".env").write_text(env)
    settings = load_settings()
    assert settings.maintainers == ("U123ABC", "W456DEF")
    assert settings.keep_questions_days == 7


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("QABOT_KEEP_QUESTIONS_DAYS", "-1", "greater than or equal to 0"),
        ("QABOT_KEEP_QUESTIONS_DAYS", "two weeks", "valid integer"),
        ("QABOT_KEEP_QUESTIONS_DAYS", "1.5", "valid integer"),
        ("QABOT_MAINTAINERS", "u024be7lh", "'u024be7lh' is not a Slack user id"),
        ("QABOT_MAINTAINERS", "U024BE7LH,<@U0G9QF9C6>", "'<@U0G9QF9C6>' is not a Slack user id"),
        ("QABOT_MAINTAINERS", "C0123ABCD", "'C0123ABCD' is not a Slack user id"),
        ("QABOT_MAINTAINERS", '["U024BE7LH"]', "is not a Slack user id"),
        ("QABOT_MAINTAINERS", "U", "'U' is not a Slack user id"),
        ("QABOT_LEARNED", " ", "must name a file"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, says: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"{name}: ")
    assert says in message
    assert "\n" not in message
