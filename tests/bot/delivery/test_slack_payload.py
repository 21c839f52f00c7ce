"""The Slack payload contract: what is refused, how references resolve, which ordering key a row gets."""

import pytest

from bot.delivery import InvalidPayload, SlackPayload
from bot.delivery.slack_payload import Unresolvable, result_of
from storage.engine import Database
from tests.bot.delivery.helpers import ManualClock, enqueue, entry

POSTED = {"card": {"channel": "C1", "ts": "1.000001"}, "modal": {"view_id": "V1"}}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"method": "chat.delete", "args": {}}, "not one of"),
        ({"method": "chat.postMessage", "args": [], "thread_of": "x"}, "args must be an object"),
        ({"method": "chat.postMessage", "args": {}, "update_of": "x"}, "update_of is for"),
        ({"method": "views.open", "args": {}, "thread_of": "x"}, "thread_of is for"),
        ({"method": "chat.update", "args": {}, "update_of": ""}, "must be an idempotency key"),
        ({"method": "chat.postMessage", "args": {}, "text": "hi"}, "unknown payload keys: text"),
        ("chat.postMessage", "must be an object"),
    ],
)
def test_a_payload_that_breaks_the_contract_is_refused(value: object, message: str) -> None:
    with pytest.raises(InvalidPayload, match=message):
        SlackPayload.from_json(value)


def test_references_fill_in_the_thread_the_message_and_the_view() -> None:
    reply = SlackPayload("chat.postMessage", {"text": "r"}, thread_of="card")
    assert reply.resolved_args(POSTED) == {"text": "r", "thread_ts": "1.000001", "channel": "C1"}
    edit = SlackPayload("chat.update", {"channel": "U1", "text": "e"}, update_of="card")
    assert edit.resolved_args(POSTED) == {"channel": "C1", "text": "e", "ts": "1.000001"}
    eyes = SlackPayload("reactions.add", {"name": "eyes"}, update_of="card")
    assert eyes.resolved_args(POSTED) == {"name": "eyes", "timestamp": "1.000001", "channel": "C1"}
    step = SlackPayload("views.update", {"view": {}}, update_of="modal")
    assert step.resolved_args(POSTED) == {"view": {}, "view_id": "V1"}
    with pytest.raises(Unresolvable, match="refers to modal, whose result has no ts"):
        SlackPayload("chat.postMessage", {}, thread_of="modal").resolved_args(POSTED)


def test_only_what_later_rows_need_is_kept_from_an_answer() -> None:
    answer = {"ok": True, "channel": "C1", "ts": "1.5", "message": {"text": "long"}}
    assert result_of("chat.postMessage", answer, {}) == {"channel": "C1", "ts": "1.5"}
    assert result_of("views.open", {"ok": True, "view": {"id": "V9", "blocks": []}}, {}) == {"view_id": "V9"}
    assert result_of("chat.postEphemeral", {"message_ts": "2.5"}, {"channel": "C1"}) == {
        "channel": "C1",
        "message_ts": "2.5",
    }


def test_a_payload_round_trips_through_json() -> None:
    payload = SlackPayload("chat.postMessage", {"channel": "C1", "text": "t"}, thread_of="card")
    assert SlackPayload.from_json(payload.to_json()) == payload


def test_rows_are_ordered_by_channel_and_thread_and_referring_rows_inherit(db: Database, clock: ManualClock) -> None:
    enqueue(db, clock, "card", args={"channel": "C1", "text": "c"})
    enqueue(db, clock, "reply", args={"text": "r"}, thread_of="card")
    enqueue(db, clock, "in-thread", args={"channel": "C1", "thread_ts": "5.0", "text": "t"})
    enqueue(db, clock, "edit", "chat.update", args={"channel": "C1", "ts": "5.0", "text": "e"})
    enqueue(db, clock, "eyes", "reactions.add", args={"channel": "C1", "timestamp": "5.0", "name": "eyes"})
    enqueue(db, clock, "home", "views.publish", args={"user_id": "U1", "view": {}})
    enqueue(db, clock, "modal", "views.open", args={"trigger_id": "t", "view": {}})
    enqueue(db, clock, "modal:2", "views.update", args={"view": {}}, update_of="modal")
    keys = {key: entry(db, key).ordering_key for key in ("card", "reply", "in-thread", "edit", "eyes", "home")}
    assert keys == {
        "card": "C1/",
        "reply": "C1/",
        "in-thread": "C1/5.0",
        "edit": "C1/5.0",
        "eyes": None,
        "home": "home/U1",
    }
    assert (entry(db, "modal").ordering_key, entry(db, "modal:2").ordering_key) == (None, None)
    assert entry(db, "reply").destination == "C1"
