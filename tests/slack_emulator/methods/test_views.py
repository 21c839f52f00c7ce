"""views.open, views.update and views.publish through slack_sdk's WebClient."""

import pytest
from slack_sdk import WebClient

from slack_emulator import SlackEmulator, Workspace
from tests.slack_emulator.helpers import Json, ManualClock, modal, present, refused


def test_a_modal_opens_for_the_user_the_trigger_was_issued_to(client: WebClient, ws: Workspace) -> None:
    alice = ws.user("alice")
    view = client.views_open(trigger_id=ws.issue_trigger(alice), view=modal(private_metadata="SR-1"))["view"]
    assert view["id"].startswith("V")
    assert (view["callback_id"], view["private_metadata"], view["state"]) == ("intake", "SR-1", {"values": {}})
    assert view["root_view_id"] == view["id"]
    assert view["hash"]
    stored = ws.views(alice)
    assert [(v.id, v.callback_id, v.is_open) for v in stored] == [(view["id"], "intake", True)]


def test_a_trigger_works_once(client: WebClient, ws: Workspace) -> None:
    trigger = ws.issue_trigger(ws.user("alice"))
    client.views_open(trigger_id=trigger, view=modal())
    assert refused(client.views_open, trigger_id=trigger, view=modal())["error"] == "exchanged_trigger_id"
    assert refused(client.views_open, trigger_id="1.2.abc", view=modal())["error"] == "invalid_trigger_id"


def test_a_trigger_expires_after_three_seconds(clocked_emulator: SlackEmulator, clock: ManualClock) -> None:
    ws, client = clocked_emulator.workspace, clocked_emulator.client()
    trigger = ws.issue_trigger(ws.user("alice"))
    clock.advance(3.5)
    assert refused(client.views_open, trigger_id=trigger, view=modal())["error"] == "expired_trigger_id"


def test_a_trigger_works_at_three_seconds_on_the_workspace_clock_and_not_a_moment_after(
    clocked_emulator: SlackEmulator, clock: ManualClock
) -> None:
    ws, client = clocked_emulator.workspace, clocked_emulator.client()
    on_time, late = ws.issue_trigger(ws.user("alice")), ws.issue_trigger(ws.user("bob"))
    clock.advance(3.0)
    assert client.views_open(trigger_id=on_time, view=modal())["ok"]
    clock.advance(0.001)
    assert refused(client.views_open, trigger_id=late, view=modal())["error"] == "expired_trigger_id"
    assert ws.views(ws.user("bob")) == []


@pytest.mark.parametrize(
    ("view", "explanation"),
    [
        (modal(title=""), "missing required field: title"),
        (modal(title="A title far longer than Slack allows"), "must be less than 25 characters"),
        ({**modal(), "submit": None}, "submit is required"),
        ({**modal(), "blocks": [{"type": "divider"}] * 101}, "no more than 100 items"),
        ({**modal(), "type": "home"}, "must be a view of type modal"),
        (modal(private_metadata="x" * 3001), "must be less than 3001 characters"),
    ],
)
def test_views_slack_would_reject_are_invalid_arguments(
    client: WebClient, ws: Workspace, view: Json, explanation: str
) -> None:
    answer = refused(client.views_open, trigger_id=ws.issue_trigger(ws.user("alice")), view=view)
    assert answer["error"] == "invalid_arguments"
    assert explanation in answer["response_metadata"]["messages"][0]


def test_a_view_is_updated_by_id_or_external_id_and_a_stale_hash_conflicts(client: WebClient, ws: Workspace) -> None:
    opened = client.views_open(trigger_id=ws.issue_trigger(ws.user("alice")), view=modal(external_id="sr-1"))["view"]
    by_id = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal(title="Step 2"))["view"]
    assert by_id["title"]["text"] == "Step 2"
    stale = refused(client.views_update, view_id=opened["id"], hash=opened["hash"], view=modal(title="Step 3"))
    assert stale["error"] == "hash_conflict"
    by_external = client.views_update(external_id="sr-1", view=modal(title="Step 3", external_id="sr-1"))["view"]
    assert by_external["id"] == opened["id"]
    assert present(ws.view(opened["id"])).definition["title"]["text"] == "Step 3"
    assert refused(client.views_update, view_id="V99999999", view=modal())["error"] == "not_found"


def test_app_home_is_published_per_user(client: WebClient, ws: Workspace) -> None:
    alice = ws.user("alice")
    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Your requests"}}]}
    first = client.views_publish(user_id=alice.id, view=home)["view"]
    second = client.views_publish(user_id=alice.id, view={**home, "blocks": []})["view"]
    assert first["id"] == second["id"]
    assert present(ws.home_view(alice)).definition["blocks"] == []
    assert ws.views(alice) == []  # the home tab is not a modal
    assert refused(client.views_publish, user_id="U99999999", view=home)["error"] == "user_not_found"
