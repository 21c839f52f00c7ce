"""The bot token's OAuth scopes: sent in `x-oauth-scopes` on every answer, and `missing_scope` without them."""

from slack_sdk import WebClient

from bot.cli.manifest import SCOPES
from slack_emulator import SlackEmulator, Workspace
from slack_emulator.methods import METHODS
from slack_emulator.scopes import ACCEPTED, DEFAULT_SCOPES
from tests.slack_emulator.helpers import refused


def test_every_answer_names_the_scopes_the_token_holds(client: WebClient) -> None:
    answer = client.auth_test()
    assert answer.headers["x-oauth-scopes"] == ",".join(DEFAULT_SCOPES)


def test_a_method_names_the_scopes_it_accepts(client: WebClient, ws: Workspace) -> None:
    answer = client.users_info(user=ws.user("alice").id)
    assert answer.headers["x-accepted-oauth-scopes"] == "users:read"


def test_a_method_without_its_scope_is_refused_as_slack_refuses_it(client: WebClient, ws: Workspace) -> None:
    ws.grant_scopes(["chat:write", "channels:read"])
    body = refused(lambda: client.users_info(user=ws.user("alice").id))
    assert body == {
        "ok": False,
        "error": "missing_scope",
        "needed": "users:read",
        "provided": "chat:write,channels:read",
    }
    assert client.auth_test().headers["x-oauth-scopes"] == "chat:write,channels:read"


def test_one_scope_of_several_will_do(client: WebClient, ws: Workspace) -> None:
    ws.grant_scopes(["mpim:write"])
    assert client.conversations_open(users=ws.user("alice").id)["ok"]
    ws.grant_scopes(["groups:read"])
    assert refused(lambda: client.conversations_info(channel="C0UNKNOWN1"))["error"] == "channel_not_found"


def test_the_default_scopes_are_the_manifests_and_cover_every_method() -> None:
    assert set(DEFAULT_SCOPES) - set(SCOPES) == {"reactions:write"}
    assert set(ACCEPTED) <= set(METHODS)
    assert all(set(accepted) & set(DEFAULT_SCOPES) for accepted in ACCEPTED.values())


def test_the_app_level_token_is_not_checked_for_scopes(emulator: SlackEmulator) -> None:
    emulator.workspace.grant_scopes([])
    app = WebClient(base_url=emulator.base_url)
    assert app.apps_connections_open(app_token=emulator.app_token)["ok"]


def test_a_conversation_needs_the_scope_of_its_kind(client: WebClient, ws: Workspace) -> None:
    ws.grant_scopes(["channels:read", "channels:history"])
    assert client.conversations_info(channel=ws.channel("support").id)["ok"]
    body = refused(lambda: client.conversations_info(channel=ws.channel("support-agents").id))
    assert (body["error"], body["needed"]) == ("missing_scope", "groups:read")
    body = refused(lambda: client.conversations_history(channel=ws.channel("support-agents").id))
    assert body["needed"] == "groups:history"
