"""Inbox keys: one message is one key whichever event carries it; retries share a key; odd payloads are safe."""

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.slack.inbox_keys import Received, classify


def envelope(event, event_id="Ev1"):
    return {"type": "event_callback", "event_id": event_id, "event": event}


def test_message_and_app_mention_of_one_message_share_a_key():
    message = {"type": "message", "channel": "C1", "ts": "17.1", "user": "U1", "text": "<@UBOT> help"}
    mention = {**message, "type": "app_mention"}
    assert (
        classify(envelope(message, "Ev1"))
        == classify(envelope(mention, "Ev2"))
        == Received("message:C1:17.1", "C1:17.1", "message")
    )


def test_a_thread_reply_belongs_to_its_thread():
    reply = {"type": "message", "channel": "C1", "ts": "18.5", "thread_ts": "17.1", "user": "U1", "text": "more"}
    assert classify(envelope(reply)) == Received("message:C1:18.5", "C1:17.1", "message")


def test_files_are_messages_but_edits_and_bots_are_not():
    base = {"type": "message", "channel": "D1", "ts": "1.0", "user": "U1"}
    assert classify(envelope({**base, "subtype": "file_share"})) is not None
    assert classify(envelope({**base, "subtype": "message_changed"})) is None
    assert classify(envelope({**base, "bot_id": "B1"})) is None
    assert classify(envelope({"type": "file_shared", "file_id": "F1"})) is None


def test_other_events_are_keyed_by_event_id():
    assert classify(envelope({"type": "app_home_opened", "user": "U1"}, "Ev9")) == Received(
        "event:Ev9", "user:U1", "app_home_opened"
    )


def test_interactions():
    assert classify({"command": "/support", "trigger_id": "t1", "user_id": "U1"}) == Received(
        "command:t1", "user:U1", "command"
    )
    submission = {"type": "view_submission", "user": {"id": "U1"}, "view": {"id": "V1", "hash": "h1"}}
    assert classify(submission) == Received("view:V1:h1", "user:U1", "view_submission")
    assert classify({"type": "block_suggestion"}) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300)
@given(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["event_callback", "block_actions", "view_submission", "shortcut", "x"])},
        optional={"event": json_values, "command": st.text(max_size=5), "trigger_id": st.text(max_size=5)},
    )
)
def test_any_payload_is_classified_without_error(body):
    result = classify(body)
    assert result is None or (isinstance(result.key, str) and isinstance(result.conversation, str))
