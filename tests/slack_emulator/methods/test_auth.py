"""auth.test, apps.connections.open and the token rules every method shares."""

import json
import urllib.request
from urllib.parse import urlencode

import pytest
from slack_sdk import WebClient

from slack_emulator import SlackEmulator, Workspace
from tests.slack_emulator.helpers import Json, refused


def post(
    emulator: SlackEmulator, method: str, body: bytes, content_type: str, headers: dict[str, str] | None = None
) -> Json:
    request = urllib.request.Request(
        emulator.base_url + method, data=body, headers={"Content-Type": content_type, **(headers or {})}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        answer: Json = json.loads(response.read())
        return answer


def test_auth_test_names_the_bot(client: WebClient, ws: Workspace) -> None:
    answer = client.auth_test()
    assert answer["user_id"] == ws.app.bot_user_id
    assert answer["bot_id"] == ws.app.bot_id
    assert answer["team_id"] == ws.team.id
    assert answer["url"] == f"https://{ws.team.domain}.slack.com/"


@pytest.mark.parametrize(
    ("token", "error"), [(None, "not_authed"), ("xoxb-1-2-unknown", "invalid_auth"), ("xoxp-user", "invalid_auth")]
)
def test_unknown_tokens_are_refused(emulator: SlackEmulator, token: str | None, error: str) -> None:
    client = WebClient(token=token, base_url=emulator.base_url)
    assert refused(client.auth_test)["error"] == error


def test_the_app_level_token_opens_socket_mode_and_nothing_else(emulator: SlackEmulator) -> None:
    client = WebClient(base_url=emulator.base_url)
    url = client.apps_connections_open(app_token=emulator.app_token)["url"]
    assert url.startswith(emulator.root_url.replace("http://", "ws://") + "link/?ticket=")
    assert refused(client.apps_connections_open, app_token=emulator.bot_token)["error"] == "not_allowed_token_type"
    assert refused(client.apps_connections_open, app_token="xapp-1-unknown")["error"] == "invalid_auth"
    as_bot = WebClient(token=emulator.app_token, base_url=emulator.base_url)
    assert refused(as_bot.auth_test)["error"] == "not_allowed_token_type"


def test_a_token_argument_counts_in_a_form_but_not_in_json(emulator: SlackEmulator) -> None:
    form = urlencode({"token": emulator.bot_token}).encode()
    assert post(emulator, "auth.test", form, "application/x-www-form-urlencoded")["ok"] is True
    in_json = json.dumps({"token": emulator.bot_token}).encode()
    assert post(emulator, "auth.test", in_json, "application/json")["error"] == "not_authed"


def test_the_authorization_header_wins_over_a_token_argument(emulator: SlackEmulator) -> None:
    form = urlencode({"token": "xoxb-wrong"}).encode()
    headers = {"Authorization": f"Bearer {emulator.bot_token}"}
    assert post(emulator, "auth.test", form, "application/x-www-form-urlencoded", headers)["ok"] is True


def test_an_unknown_method_is_unknown_method(client: WebClient) -> None:
    assert refused(client.api_call, "chat.scheduleMessage", json={"channel": "C1", "text": "x"})["error"] == (
        "unknown_method"
    )
