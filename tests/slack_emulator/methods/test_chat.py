"""chat.postMessage, chat.update, chat.postEphemeral and reactions.add through slack_sdk's WebClient."""

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk import WebClient

from slack_emulator import SlackEmulator, Workspace
from tests.slack_emulator.helpers import present, refused, section

TS = re.compile(r"^\d{10}\.\d{6}$")


def test_a_posted_message_is_answered_like_slack_and_stored(client: WebClient, ws: Workspace) -> None:
    support = ws.channel("support")
    answer = client.chat_postMessage(channel=support.id, text="Hello", blocks=[section("*Hello*")])
    assert answer["ok"] is True
    assert answer["channel"] == support.id
    assert TS.match(answer["ts"])
    message = answer["message"]
    assert message["text"] == "Hello"
    assert message["bot_id"] == ws.app.bot_id
    assert message["user"] == ws.app.bot_user_id
    assert message["blocks"] == [section("*Hello*")]
    stored = ws.message(support, answer["ts"])
    assert stored is not None
    assert (stored.text, stored.blocks, stored.user) == ("Hello", [section("*Hello*")], ws.app.bot_user_id)


def test_timestamps_increase_from_message_to_message(client: WebClient, ws: Workspace) -> None:
    support = ws.channel("support")
    stamps = [client.chat_postMessage(channel=support.id, text=str(n))["ts"] for n in range(5)]
    assert stamps == sorted(stamps, key=lambda ts: tuple(map(int, ts.split("."))))
    assert len(set(stamps)) == 5


def test_a_channel_can_be_named_or_be_a_user_whose_dm_gets_the_message(client: WebClient, ws: Workspace) -> None:
    by_name = client.chat_postMessage(channel="#support", text="by name")
    assert by_name["channel"] == ws.channel("support").id
    alice = ws.user("alice")
    to_user = client.chat_postMessage(channel=alice.id, text="to alice")
    assert to_user["channel"] == ws.open_im(alice).id
    assert [m.text for m in ws.messages(ws.open_im(alice))] == ["to alice"]


def test_a_reply_goes_into_the_thread_and_marks_its_parent(client: WebClient, ws: Workspace) -> None:
    support = ws.channel("support")
    parent = client.chat_postMessage(channel=support.id, text="parent")["ts"]
    reply = client.chat_postMessage(channel=support.id, text="reply", thread_ts=parent)
    assert reply["message"]["thread_ts"] == parent
    assert [m.text for m in ws.messages(support)] == ["parent"]
    assert [m.text for m in ws.messages(support, parent)] == ["parent", "reply"]
    assert present(ws.message(support, parent)).thread_ts == parent


def test_a_form_encoded_post_carries_blocks_as_json_text(client: WebClient, ws: Workspace) -> None:
    support = ws.channel("support")
    answer = client.api_call(
        "chat.postMessage", params={"channel": support.id, "text": "form", "blocks": json.dumps([section("x")])}
    )
    assert present(ws.message(support, answer["ts"])).blocks == [section("x")]


@pytest.mark.parametrize(
    ("channel", "error"),
    [("C99999999", "channel_not_found"), ("", "channel_not_found"), ("#general", "not_in_channel")],
)
def test_channels_the_bot_cannot_post_to_are_refused(client: WebClient, channel: str, error: str) -> None:
    assert refused(client.api_call, "chat.postMessage", json={"channel": channel, "text": "x"})["error"] == error


def test_a_private_channel_without_the_bot_does_not_exist_for_it(client: WebClient, ws: Workspace) -> None:
    hidden = ws.add_channel("secret", members=[ws.user("bob")], private=True, bot_member=False)
    assert refused(client.chat_postMessage, channel=hidden.id, text="x")["error"] == "channel_not_found"


def test_an_archived_channel_is_refused(client: WebClient, ws: Workspace) -> None:
    old = ws.add_channel("old")
    ws.archive(old)
    assert refused(client.chat_postMessage, channel=old.id, text="x")["error"] == "is_archived"


def test_a_message_without_text_or_blocks_is_no_text(client: WebClient, ws: Workspace) -> None:
    answer = refused(client.api_call, "chat.postMessage", json={"channel": ws.channel("support").id, "text": ""})
    assert answer == {"ok": False, "error": "no_text"}


def test_a_post_keeps_40000_characters_of_text_and_cuts_the_rest(client: WebClient, ws: Workspace) -> None:
    support = ws.channel("support")
    kept = client.chat_postMessage(channel=support.id, text="x" * 40_000)
    cut = client.chat_postMessage(channel=support.id, text="y" * 40_000 + "z")
    assert len(kept["message"]["text"]) == 40_000
    assert cut["message"]["text"] == "y" * 40_000
    assert present(ws.message(support, cut["ts"])).text == "y" * 40_000


def test_an_update_or_an_ephemeral_over_40000_characters_is_msg_too_long(client: WebClient, ws: Workspace) -> None:
    support = ws.channel("support").id
    ts = client.chat_postMessage(channel=support, text="short")["ts"]
    assert client.chat_update(channel=support, ts=ts, text="x" * 40_000)["ok"]
    assert refused(client.chat_update, channel=support, ts=ts, text="x" * 40_001)["error"] == "msg_too_long"
    alice = ws.user("alice").id
    assert refused(client.chat_postEphemeral, channel=support, user=alice, text="x" * 40_001)["error"] == "msg_too_long"


def test_more_than_50_blocks_are_invalid_blocks_with_slacks_explanation(client: WebClient, ws: Workspace) -> None:
    support = ws.channel("support").id
    assert client.chat_postMessage(channel=support, text="50", blocks=[{"type": "divider"}] * 50)["ok"]
    answer = refused(client.chat_postMessage, channel=support, text="51", blocks=[{"type": "divider"}] * 51)
    assert answer["error"] == "invalid_blocks"
    assert answer["response_metadata"]["messages"] == ["[ERROR] no more than 50 items allowed [json-pointer:/blocks]"]


@pytest.mark.parametrize(
    ("blocks", "error"),
    [
        ("not json", "invalid_blocks_format"),
        ('{"type": "divider"}', "invalid_blocks_format"),
        ('[{"text": "no type"}]', "invalid_blocks"),
        ('[{"type": "section", "text": {"type": "mrkdwn", "text": "' + "x" * 3001 + '"}}]', "invalid_blocks"),
    ],
)
def test_malformed_blocks_are_refused(client: WebClient, ws: Workspace, blocks: str, error: str) -> None:
    params = {"channel": ws.channel("support").id, "text": "x", "blocks": blocks}
    assert refused(client.api_call, "chat.postMessage", params=params)["error"] == error


def test_an_update_changes_the_stored_message_and_marks_it_edited(client: WebClient, ws: Workspace) -> None:
    support = ws.channel("support")
    ts = client.chat_postMessage(channel=support.id, text="before")["ts"]
    answer = client.chat_update(channel=support.id, ts=ts, text="after", blocks=[section("after")])
    assert (answer["ts"], answer["text"]) == (ts, "after")
    stored = ws.message(support, ts)
    assert stored is not None
    assert (stored.text, stored.blocks) == ("after", [section("after")])
    assert stored.edited is not None
    assert stored.edited.user == ws.app.bot_user_id
    assert len(ws.history(support)) == 1


def test_an_update_of_a_missing_or_someone_elses_message_is_refused(client: WebClient, ws: Workspace) -> None:
    support = ws.channel("support")
    theirs = ws.post_message(support, ws.user("alice"), text="mine")
    assert refused(client.chat_update, channel=support.id, ts="1.000001", text="x")["error"] == "message_not_found"
    assert refused(client.chat_update, channel=support.id, ts="not a ts", text="x")["error"] == "message_not_found"
    assert refused(client.chat_update, channel=support.id, ts=theirs.ts, text="x")["error"] == "cant_update_message"


def test_an_ephemeral_message_is_kept_for_its_user_only(client: WebClient, ws: Workspace) -> None:
    support, alice = ws.channel("support"), ws.user("alice")
    answer = client.chat_postEphemeral(channel=support.id, user=alice.id, text="only you")
    assert TS.match(answer["message_ts"])
    assert [e.text for e in ws.ephemerals(support, alice)] == ["only you"]
    assert ws.messages(support) == []


def test_an_ephemeral_message_needs_a_known_user_in_the_channel(client: WebClient, ws: Workspace) -> None:
    support = ws.channel("support").id
    dave = ws.user("dave")
    assert refused(client.chat_postEphemeral, channel=support, user="U99999999", text="x")["error"] == "user_not_found"
    assert refused(client.chat_postEphemeral, channel=support, user=dave.id, text="x")["error"] == "user_not_in_channel"


def test_a_reaction_is_added_once(client: WebClient, ws: Workspace) -> None:
    support = ws.channel("support")
    message = ws.post_message(support, ws.user("alice"), text="help")
    assert client.reactions_add(channel=support.id, name=":eyes:", timestamp=message.ts)["ok"]
    stored = ws.message(support, message.ts)
    assert stored is not None
    assert [(r.name, r.users) for r in stored.reactions] == [("eyes", (ws.app.bot_user_id,))]
    again = refused(client.reactions_add, channel=support.id, name="eyes", timestamp=message.ts)
    assert again["error"] == "already_reacted"
    missing = refused(client.reactions_add, channel=support.id, name="eyes", timestamp="1.000001")
    assert missing["error"] == "message_not_found"
    assert refused(client.api_call, "reactions.add", params={"channel": support.id, "name": "x"})["error"] == (
        "no_item_specified"
    )


TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=400)


@pytest.mark.parametrize("encoding", ["json", "form"])
def test_any_text_is_stored_and_answered_verbatim(emulator: SlackEmulator, encoding: str) -> None:
    client, support = emulator.client(), emulator.workspace.channel("support").id

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(text=TEXT)
    def check(text: str) -> None:
        body = {"channel": support, "text": text}
        answer = (
            client.api_call("chat.postMessage", json=body)
            if encoding == "json"
            else client.api_call("chat.postMessage", params=body)
        )
        assert answer["message"]["text"] == text
        stored = emulator.workspace.message(support, answer["ts"])
        assert stored is not None
        assert stored.text == text

    check()
