"""conversations.open, conversations.info and conversations.members through slack_sdk's WebClient."""

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_emulator import ChannelKind, Workspace
from tests.slack_emulator.helpers import Json, refused


def test_opening_a_dm_makes_it_once(client: WebClient, ws: Workspace) -> None:
    alice = ws.user("alice")
    first = client.conversations_open(users=alice.id)
    assert first.data == {"ok": True, "channel": {"id": ws.open_im(alice).id}}
    again = client.conversations_open(users=[alice.id], return_im=True)
    assert again["already_open"] is True
    assert again["no_op"] is True
    assert again["channel"]["is_im"] is True
    assert again["channel"]["user"] == alice.id


def test_opening_with_several_users_makes_a_group_dm_with_the_bot(client: WebClient, ws: Workspace) -> None:
    alice, bob = ws.user("alice"), ws.user("bob")
    channel_id = client.conversations_open(users=[alice.id, bob.id])["channel"]["id"]
    group = ws.channel(channel_id)
    assert group.kind is ChannelKind.MPIM
    assert set(group.members) == {alice.id, bob.id, ws.app.bot_user_id}


def test_opening_needs_known_users(client: WebClient, ws: Workspace) -> None:
    assert refused(client.api_call, "conversations.open", params={})["error"] == "users_list_not_supplied"
    assert refused(client.conversations_open, users="U99999999")["error"] == "user_not_found"


def test_info_describes_a_channel_as_slack_does(client: WebClient, ws: Workspace) -> None:
    support = ws.channel("support")
    channel = client.conversations_info(channel=support.id, include_num_members=True)["channel"]
    assert channel["id"] == support.id
    assert (channel["name"], channel["is_channel"], channel["is_private"], channel["is_member"]) == (
        "support",
        True,
        False,
        True,
    )
    assert channel["purpose"]["value"] == "Ask for help here"
    assert channel["num_members"] == len(support.members)


def test_info_sees_public_channels_and_private_ones_the_bot_is_in(client: WebClient, ws: Workspace) -> None:
    assert client.conversations_info(channel=ws.channel("general").id)["channel"]["is_member"] is False
    assert client.conversations_info(channel=ws.channel("support-agents").id)["channel"]["is_group"] is True
    hidden = ws.add_channel("hidden", private=True, bot_member=False)
    assert refused(client.conversations_info, channel=hidden.id)["error"] == "channel_not_found"
    assert refused(client.conversations_info, channel="C99999999")["error"] == "channel_not_found"


def test_members_come_in_pages_that_slack_sdk_can_follow(client: WebClient, ws: Workspace) -> None:
    support = ws.channel("support")
    pages = [list(page["members"]) for page in client.conversations_members(channel=support.id, limit=2)]
    assert [len(page) for page in pages] == [2, 2]
    assert [m for page in pages for m in page] == list(support.members)


@pytest.mark.parametrize(
    ("params", "error"), [({"limit": 0}, "invalid_limit"), ({"cursor": "nope!"}, "invalid_cursor")]
)
def test_members_paging_arguments_are_checked(client: WebClient, ws: Workspace, params: Json, error: str) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.conversations_members(channel=ws.channel("support").id, **params)
    assert raised.value.response["error"] == error


def test_replies_with_limit_one_fetch_a_message_with_its_files(client: WebClient, ws: Workspace) -> None:
    support, alice = ws.channel("support"), ws.user("alice")
    shot = ws.add_file("shot.png", b"\x89PNG\r\n\x1a\n", user=alice)
    root = ws.post_message(support, alice, text="Exports fail", files=(shot.id,))
    ws.post_message(support, alice, text="more", thread_ts=root.ts)
    answer = client.conversations_replies(channel=support.id, ts=root.ts, limit=1, inclusive=True)
    (message,) = answer["messages"]
    assert (message["user"], message["text"], message["ts"]) == (alice.id, "Exports fail", root.ts)
    assert [f["id"] for f in message["files"]] == [shot.id]
    assert answer["has_more"] is True


def test_replies_answer_the_whole_thread_in_pages_narrowed_by_oldest_and_latest(
    client: WebClient, ws: Workspace
) -> None:
    support, alice = ws.channel("support"), ws.user("alice")
    root = ws.post_message(support, alice, text="root")
    first = ws.post_message(support, alice, text="one", thread_ts=root.ts)
    second = ws.post_message(support, alice, text="two", thread_ts=root.ts)
    pages = [page["messages"] for page in client.conversations_replies(channel=support.id, ts=first.ts, limit=2)]
    assert [[m["text"] for m in page] for page in pages] == [["root", "one"], ["two"]]
    narrowed = client.conversations_replies(channel=support.id, ts=root.ts, oldest=root.ts, latest=second.ts)
    assert [m["text"] for m in narrowed["messages"]] == ["one"]
    included = client.conversations_replies(
        channel=support.id, ts=root.ts, oldest=first.ts, latest=first.ts, inclusive=True
    )
    assert [m["text"] for m in included["messages"]] == ["one"]


def test_replies_are_checked_as_slack_checks_them(client: WebClient, ws: Workspace) -> None:
    support = ws.channel("support")
    root = ws.post_message(support, ws.user("alice"), text="root")
    assert refused(client.api_call, "conversations.replies", params={"channel": support.id})["error"] == (
        "invalid_arguments"
    )
    assert refused(client.conversations_replies, channel=support.id, ts="1.000001")["error"] == "thread_not_found"
    assert refused(client.conversations_replies, channel="C99999999", ts=root.ts)["error"] == "channel_not_found"
    assert refused(client.conversations_replies, channel=support.id, ts=root.ts, limit=0)["error"] == "invalid_limit"
