"""Inbox keys: one message is one key whichever event carries it; retries share a key; odd payloads are safe."""

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.slack.inbox_keys import Dropped, Received, classify


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
    assert result is None or isinstance(result, Dropped) or (result.key and result.conversation)


MESSAGE = {"type": "message", "channel": "C1", "ts": "17.1", "thread_ts": "16.0", "user": "U1", "text": "help"}
REACTION = {
    "type": "reaction_added",
    "user": "U2",
    "reaction": "ticket",
    "item": {"type": "message", "channel": "C1", "ts": "17.1"},
}
HOME = {"type": "app_home_opened", "user": "U1", "tab": "home"}
not_a_string = st.one_of(
    st.just(""),
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.lists(st.text(max_size=3), max_size=2),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
)


def replaced(event, path, value):
    """`event` with the field at the dotted `path` set to `value`."""
    head, _, rest = path.partition(".")
    return {**event, head: replaced(event[head], rest, value) if rest else value}


@settings(max_examples=300)
@given(
    case=st.sampled_from(
        [(MESSAGE, f) for f in ("channel", "ts", "thread_ts", "user")]
        + [(REACTION, f) for f in ("user", "reaction", "item.channel", "item.ts")]
    ),
    value=not_a_string,
)
def test_an_event_with_a_key_field_empty_or_of_another_type_is_dropped_naming_it(case, value):
    event, field = case
    if field == "thread_ts" and value is None:
        return  # no thread: the message starts its own
    assert classify(envelope(replaced(event, field, value))) == Dropped(f"{event['type']} event", f"event.{field}")


@given(value=not_a_string.filter(lambda v: v is not None and v != ""))
def test_wrongly_typed_fields_elsewhere_drop_the_request_too(value):
    assert classify(envelope({**MESSAGE, "subtype": value})) in (None, Dropped("message event", "event.subtype"))
    if not isinstance(value, dict):  # an object without "type": "message" is a reaction to something else
        assert classify(envelope({**REACTION, "item": value})) == Dropped("reaction_added event", "event.item")
    assert classify(envelope({**HOME, "user": value})) == Dropped("app_home_opened event", "event.user")
    event = Dropped("event_callback", "event.type" if isinstance(value, dict) else "event")
    assert classify({"type": "event_callback", "event_id": "Ev1", "event": value}) == event
    assert classify({"command": "/support", "trigger_id": value, "user_id": "U1"}) == Dropped("command", "trigger_id")
    user = Dropped("block_actions", "user.id" if isinstance(value, dict) else "user")
    if isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"]:  # a user object, as Slack's
        user = Received("block_actions:t1", f"user:{value['id']}", "block_actions")
    assert classify({"type": "block_actions", "trigger_id": "t1", "user": value}) == user


def test_a_click_by_a_user_object_with_any_id_is_received():
    """The explore profile drew {"id": "0"} for a wrongly typed field: an interaction's user is such an object."""
    assert classify({"type": "block_actions", "trigger_id": "t1", "user": {"id": "0"}}) == Received(
        "block_actions:t1", "user:0", "block_actions"
    )
    assert classify({"type": "block_actions", "trigger_id": "t1", "user": {"id": ""}}) == Dropped(
        "block_actions", "user.id"
    )


def test_the_fields_as_slack_sends_them_make_keys():
    assert classify(envelope(MESSAGE)) == Received("message:C1:17.1", "C1:16.0", "message")
    assert classify(envelope(REACTION)) == Received("reaction:C1:17.1:U2:ticket", "C1:17.1", "reaction")
    assert classify(envelope(HOME, "Ev7")) == Received("event:Ev7", "user:U1", "app_home_opened")


def test_a_reaction_to_a_file_is_not_acted_on():
    assert classify(envelope({**REACTION, "item": {"type": "file", "file": "F1"}})) is None
