"""The app manifest an admin pastes, and the OAuth install, ask for the same things."""

from __future__ import annotations

from bot.app import BOT_SCOPES
from bot.manifest import render_manifest
from handlers.weekly import ADD_MESSAGE_SHORTCUT


def test_oauth_installs_ask_for_exactly_the_manifests_bot_scopes() -> None:
    manifest = render_manifest("https://bot.example.org", socket_mode=False)
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)


def test_the_manifest_declares_the_commands_with_escaping() -> None:
    commands = render_manifest(None, socket_mode=True)["features"]["slash_commands"]
    assert {command["command"] for command in commands} == {
        "/daily",
        "/weekly",
        "/prospect",
        "/board",
        "/okr",
    }
    assert all(command["should_escape"] for command in commands)


def test_the_weekly_shortcut_in_the_manifest_is_the_one_the_bot_listens_for() -> None:
    shortcuts = render_manifest(None, socket_mode=True)["features"]["shortcuts"]
    assert [shortcut["callback_id"] for shortcut in shortcuts] == [ADD_MESSAGE_SHORTCUT]


def test_the_http_manifest_points_every_request_url_at_slack_events() -> None:
    settings = render_manifest("https://bot.example.org", socket_mode=False)["settings"]
    assert settings["event_subscriptions"]["request_url"] == "https://bot.example.org/slack/events"
    assert settings["interactivity"]["request_url"] == "https://bot.example.org/slack/events"
    assert settings["socket_mode_enabled"] is False


def test_only_the_email_import_manifest_asks_to_read_e_mail_addresses() -> None:
    assert (
        "users:read.email"
        not in render_manifest(None, socket_mode=True)["oauth_config"]["scopes"]["bot"]
    )
    with_email = render_manifest(None, socket_mode=True, email_import=True)
    assert "users:read.email" in with_email["oauth_config"]["scopes"]["bot"]
    # Rendering twice must not leak the scope into the next manifest.
    assert "users:read.email" not in render_manifest(None)["oauth_config"]["scopes"]["bot"]


def test_the_usage_hints_name_every_subcommand() -> None:
    commands = render_manifest(None, socket_mode=True)["features"]["slash_commands"]
    hints = {command["command"]: command["usage_hint"] for command in commands}
    for word in ("today:", "skip", "away", "settings", "help"):
        assert word in hints["/daily"]
    for word in ("add", "remove", "decide", "decisions", "settings", "help"):
        assert word in hints["/weekly"]
    for word in ("knows", "list", "remove", "scan on|off", "help"):
        assert word in hints["/prospect"]
    for word in ("add", "check", "remove", "close", "archive", "help"):
        assert word in hints["/okr"]


def test_the_manifest_subscribes_to_the_message_events_that_carry_edits_and_deletions() -> None:
    # message_changed and message_deleted arrive as subtypes of these (handlers/messages.py).
    events = render_manifest(None)["settings"]["event_subscriptions"]["bot_events"]
    assert {"message.channels", "message.groups"} <= set(events)


def test_the_home_tab_is_enabled_and_its_event_subscribed() -> None:
    manifest = render_manifest(None, socket_mode=True)
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]
