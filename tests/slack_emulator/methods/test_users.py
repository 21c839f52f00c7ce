"""users.info and usergroups.users.list through slack_sdk's WebClient."""

from slack_sdk import WebClient

from slack_emulator import SlackEmulator, Workspace
from tests.slack_emulator.helpers import ManualClock, refused


def test_a_user_comes_with_profile_contact_and_time_zone(client: WebClient, ws: Workspace) -> None:
    alice = ws.user("alice")
    user = client.users_info(user=alice.id)["user"]
    assert (user["id"], user["name"], user["real_name"], user["tz"]) == (
        alice.id,
        "alice",
        "Alice Martin",
        "Europe/Paris",
    )
    assert user["profile"]["email"] == "alice@customer.example"
    assert user["profile"]["phone"] == "+33 6 12 34 56 78"
    assert user["is_bot"] is False


def test_the_time_zone_offset_follows_daylight_saving(clocked_emulator: SlackEmulator, clock: ManualClock) -> None:
    client, alice = clocked_emulator.client(), clocked_emulator.workspace.user("alice")
    assert client.users_info(user=alice.id)["user"]["tz_offset"] == 3600  # November in Paris
    clock.advance(-140 * 86400)  # July
    assert client.users_info(user=alice.id)["user"]["tz_offset"] == 7200


def test_an_unknown_user_is_user_not_found(client: WebClient) -> None:
    assert refused(client.users_info, user="U99999999")["error"] == "user_not_found"


def test_a_user_group_lists_its_members(client: WebClient, ws: Workspace) -> None:
    team = ws.usergroup("support-team")
    assert client.usergroups_users_list(usergroup=team.id)["users"] == [ws.user("bob").id, ws.user("carol").id]
    assert refused(client.usergroups_users_list, usergroup="S99999999")["error"] == "no_such_subteam"


def test_a_user_group_can_change_its_members(client: WebClient, ws: Workspace) -> None:
    team = ws.set_usergroup_users("support-team", ["dave"])
    assert client.usergroups_users_list(usergroup=team.id)["users"] == [ws.user("dave").id]
