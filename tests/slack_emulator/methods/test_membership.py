"""Where the bot is no member: what each method answers, as Slack documents it per method."""

import pytest
from slack_sdk import WebClient

from slack_emulator import Workspace
from tests.slack_emulator.helpers import present, refused


@pytest.fixture
def removed(client: WebClient, ws: Workspace) -> tuple[str, str]:
    """#support, where the bot posted a thread and was then removed: (channel id, thread ts)."""
    support = ws.channel("support")
    ts = client.chat_postMessage(channel=support.id, text="SR-000001")["ts"]
    ws.post_message(support, ws.user("alice"), text="a reply", thread_ts=ts)
    ws.remove(support, ws.bot)
    return support.id, ts


def test_posting_reading_and_sharing_where_the_bot_was_removed_is_not_in_channel(
    client: WebClient, removed: tuple[str, str]
) -> None:
    channel, ts = removed
    assert refused(client.chat_postMessage, channel=channel, text="x")["error"] == "not_in_channel"
    assert refused(client.chat_postMessage, channel=channel, text="x", thread_ts=ts)["error"] == "not_in_channel"
    assert refused(client.chat_postEphemeral, channel=channel, user="U00000001", text="x")["error"] == "not_in_channel"
    assert refused(client.conversations_history, channel=channel)["error"] == "not_in_channel"
    assert refused(client.conversations_replies, channel=channel, ts=ts)["error"] == "not_in_channel"
    shared = refused(client.files_upload_v2, channel=channel, content=b"log", filename="app.txt")
    assert shared["error"] == "not_in_channel"


def test_the_bot_may_still_update_its_message_and_see_the_channel(
    client: WebClient, ws: Workspace, removed: tuple[str, str]
) -> None:
    channel, ts = removed
    assert client.chat_update(channel=channel, ts=ts, text="SR-000001 (closed)")["ok"]
    assert present(ws.message(channel, ts)).text == "SR-000001 (closed)"
    assert client.conversations_info(channel=channel)["channel"]["is_member"] is False


def test_a_private_channel_without_the_bot_is_not_found_by_every_method(client: WebClient, ws: Workspace) -> None:
    hidden = ws.add_channel("secret", members=[ws.user("bob")], private=True, bot_member=False)
    ts = ws.post_message(hidden, ws.user("bob"), text="psst").ts
    calls = [
        lambda: client.chat_postMessage(channel=hidden.id, text="x"),
        lambda: client.chat_update(channel=hidden.id, ts=ts, text="x"),
        lambda: client.conversations_history(channel=hidden.id),
        lambda: client.conversations_replies(channel=hidden.id, ts=ts),
        lambda: client.conversations_info(channel=hidden.id),
    ]
    assert [refused(call)["error"] for call in calls] == ["channel_not_found"] * len(calls)


def test_invited_again_the_bot_reads_and_posts(client: WebClient, ws: Workspace, removed: tuple[str, str]) -> None:
    channel, ts = removed
    ws.invite(channel, ws.bot)
    assert [m["text"] for m in client.conversations_replies(channel=channel, ts=ts)["messages"]] == [
        "SR-000001",
        "a reply",
    ]
    assert client.chat_postMessage(channel=channel, text="back", thread_ts=ts)["ok"]
