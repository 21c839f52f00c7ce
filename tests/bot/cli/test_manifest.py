"""`frontdesk slack-manifest`: a manifest Slack accepts, pointing at /slack/events."""

import json

from tests.bot.cli.conftest import run_frontdesk


def test_http_manifest_points_everything_at_slack_events():
    manifest = json.loads(run_frontdesk("slack-manifest", "--url", "https://desk.example.com/").stdout)
    endpoint = "https://desk.example.com/slack/events"
    assert manifest["settings"]["event_subscriptions"]["request_url"] == endpoint
    assert manifest["settings"]["interactivity"] == {"is_enabled": True, "request_url": endpoint}
    assert {command["command"]: command["url"] for command in manifest["features"]["slash_commands"]} == {
        "/support": endpoint,
        "/frontdesk": endpoint,
    }
    assert manifest["features"]["shortcuts"][0]["callback_id"] == "support_request"
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert {"chat:write", "commands", "im:history", "users:read.email"} <= set(
        manifest["oauth_config"]["scopes"]["bot"]
    )
    assert "message.im" in manifest["settings"]["event_subscriptions"]["bot_events"]
    assert "member_joined_channel" in manifest["settings"]["event_subscriptions"]["bot_events"]  # the bot invited


def test_socket_mode_manifest_needs_no_url():
    manifest = json.loads(run_frontdesk("slack-manifest", "--socket-mode", "--name", "Help desk").stdout)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in manifest["settings"]["event_subscriptions"]
    assert manifest["display_information"]["name"] == "Help desk"


def test_a_url_slack_cannot_reach_is_refused():
    for args in (("--url", "http://desk.example.com"), ()):
        outcome = run_frontdesk("slack-manifest", *args)
        assert outcome.exit_code == 2
        assert outcome.stderr.count("\n") == 1
