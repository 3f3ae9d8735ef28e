"""The app manifests ask Slack for exactly what the bot handles, in both modes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.endpoints import EVENTS_PATH
from bot.render.blocks import SUGGEST_ACTION_PREFIX
from bot.settings import Settings
from bot.slack.listeners.shortcuts import FIND_CALLBACK

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SOCKET = DEPLOY / "slack-manifest.yaml"
HTTP = DEPLOY / "slack-manifest-http.yaml"


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", [SOCKET, HTTP], ids=["socket", "http"])
def test_manifest_asks_for_what_the_listeners_handle(path: Path) -> None:
    manifest = load(path)
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == Settings.model_fields["command"].default
    assert manifest["features"]["bot_user"]["display_name"]
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is False
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    # assistant:write sets the suggested prompts of an assistant thread (listeners/welcome.py);
    # channels:history and groups:history read back a post whose answer was lost (posting.py).
    assert scopes == {
        "commands",
        "chat:write",
        "app_mentions:read",
        "im:history",
        "channels:history",
        "groups:history",
        "assistant:write",
    }
    settings = manifest["settings"]
    events = set(settings["event_subscriptions"]["bot_events"])
    # app_home_opened: the welcome and the Home tab; assistant_thread_started: a thread's prompts.
    assert events == {"app_mention", "message.im", "app_home_opened", "assistant_thread_started"}
    # The assistant surface, without which Slack starts no assistant thread; its description is
    # what Slack shows of the bot there, and the prompts come from the content, not from here.
    assistant = manifest["features"]["assistant_view"]
    assert set(assistant) == {"assistant_description"}
    assert assistant["assistant_description"].strip()
    [shortcut] = manifest["features"]["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"]) == ("message", FIND_CALLBACK)
    # The Home tab (listeners/home.py) is published on app_home_opened.
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    # The "Did you mean" buttons (SUGGEST_ACTION_PREFIX) need interactivity.
    assert SUGGEST_ACTION_PREFIX and settings["interactivity"]["is_enabled"] is True


def test_socket_manifest_needs_no_public_url() -> None:
    manifest = load(SOCKET)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "url" not in manifest["features"]["slash_commands"][0]
    assert "request_url" not in manifest["settings"]["event_subscriptions"]


def test_http_manifest_points_every_request_at_the_events_path() -> None:
    manifest = load(HTTP)
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is False
    urls = [
        manifest["features"]["slash_commands"][0]["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        settings["interactivity"]["message_menu_options_url"],
    ]
    assert all(url.startswith("https://") and url.endswith(EVENTS_PATH) for url in urls)
