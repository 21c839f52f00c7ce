"""Outgoing webhooks end to end: real flows through the Slack emulator and the sweeps (an injected clock), the HTTP
channel sending to a loopback receiver that verifies every delivery with the recipe of docs/integrations.md."""

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config.webhooks import EVENTS
from bot.delivery.tuning import DeliverySettings
from bot.desk.reminders import sweep_milestones
from bot.integrations.calls import HttpSender
from bot.integrations.webhooks.caller import webhook_callers
from bot.integrations.webhooks.payload import instant
from bot.say import Say
from slack_emulator import Workspace
from storage import deadlines, outbox
from storage.kinds import OutboxState
from tests.bot.conversation import Conversation, conversation_on, desk_config
from tests.bot.desk.conftest import complete_request, frontdesk, ticket_of
from tests.bot.integrations.webhooks.receiver import PATH, Receiver, documented_example, receiving
from tests.standins.server import Slow, StandIn, Status

SECRET = "ops-endpoint-signing-secret-0123"
ENVIRONMENT = {"OPS_SECRET": SECRET}
PARIS = ZoneInfo("Europe/Paris")
SEED = 3


def _hook(url: str, events: tuple[str, ...] = EVENTS) -> str:
    listed = ", ".join(f'"{event}"' for event in events)
    return f'[[webhooks]]\nname = "ops"\nurl = "{url}"\nevents = [{listed}]\nsecret_env = "OPS_SECRET"\n'


class Hooked:
    def __init__(self, conversation: Conversation, receiver: Receiver, server: StandIn) -> None:
        self.conversation, self.receiver, self.server = conversation, receiver, server
        receiver.clock = lambda: conversation.now
        self.sender = HttpSender(conversation.database, webhook_callers(conversation.desk.webhooks, ENVIRONMENT),
                                 lambda: conversation.now, rng=random.Random(SEED))  # fmt: skip

    def deliver(self) -> None:
        """Every webhook call due at the conversation's instant, tried once."""
        while self.sender.send_once(self.conversation.now):
            pass

    def types(self) -> list[str]:
        return self.receiver.types()

    def last(self, event: str) -> dict:
        return [e for e in self.receiver.events if e["type"] == event][-1]

    def entries(self) -> list[outbox.OutboxEntry]:
        with self.conversation.database.read() as session:
            keys = [letter.idempotency_key for letter in outbox.dead_letters(session)]
            return [entry for key in keys if (entry := outbox.outbox_entry(session, key)) is not None]


@pytest.fixture
def hooked(db, tmp_path: Path) -> Iterator[Hooked]:
    workspace = Workspace.example()
    with receiving(SECRET.encode(), lambda: datetime.now(UTC)) as (receiver, server):
        desk = desk_config(workspace, tmp_path, extra=_hook(f"{server.url}{PATH}"))
        for conversation in conversation_on(db, workspace, desk):
            yield Hooked(conversation, receiver, server)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def test_a_request_opened_through_slack_is_told_with_its_exact_deadlines(hooked: Hooked) -> None:
    complete_request(hooked.conversation)
    hooked.deliver()

    assert hooked.types() == ["request.opened", "request.completed"]
    assert hooked.receiver.refused == []
    completed = hooked.last("request.completed")
    with hooked.conversation.database.read() as session:
        stored = deadlines.deadlines_of(session, ticket_of(hooked.conversation).id)
    assert completed["request"]["number"] == "SR-000001"
    assert completed["request"]["status"] == "open"
    assert completed["request"]["channel"] == "slack"
    assert [(d["target"], d["state"], d["due_at"]) for d in completed["request"]["deadlines"]] == [
        (d.target, d.state.value, instant(d.due_at)) for d in stored
    ]
    assert completed["request"]["deadlines"][0]["due_at"].endswith("+00:00")
    opened = hooked.last("request.opened")
    assert opened["request"]["status"] == "intake"
    assert opened["occurred_at"] == instant(ticket_of(hooked.conversation).opened_at)


def test_the_payload_has_the_documented_shape(hooked: Hooked) -> None:
    complete_request(hooked.conversation)
    hooked.deliver()
    example, sent = documented_example(), hooked.last("request.completed")
    assert set(sent) == set(example)
    assert set(sent["request"]) == set(example["request"])
    assert set(sent["request"]["deadlines"][0]) == set(example["request"]["deadlines"][0])


def test_agent_actions_are_told_in_order_and_a_target_met_once(hooked: Hooked) -> None:
    conversation = hooked.conversation
    complete_request(conversation)
    frontdesk(conversation, "triage 1 P1 production is down")
    frontdesk(conversation, "reply 1 Looking into it now")
    frontdesk(conversation, "note 1 still looking")  # the card changes again: the response stays met, told once
    frontdesk(conversation, "resolve 1")
    hooked.deliver()

    assert hooked.types() == [
        "request.opened",
        "request.completed",
        "priority.changed",
        "deadline.met",
        "request.resolved",
        "deadline.met",
    ]
    met = [event["data"] for event in hooked.receiver.events if event["type"] == "deadline.met"]
    assert [data["target"] for data in met] == ["response", "resolution"]  # a cadence (update) is no deadline
    assert hooked.last("priority.changed")["data"] == {"from": "P4", "to": "P1"}
    assert hooked.last("priority.changed")["request"]["priority"] == "P1"
    response = next(event for event in hooked.receiver.events if event["type"] == "deadline.met")
    assert response["data"]["met_at"] == response["occurred_at"]
    assert hooked.last("request.resolved")["request"]["status"] == "resolved"


def test_a_breach_found_by_the_sweep_is_told_once(hooked: Hooked) -> None:
    conversation = hooked.conversation
    complete_request(conversation)
    hooked.deliver()
    for at in (_at(24, 12, 30), _at(24, 12, 31)):  # owkin P4: response due 12:05 Paris
        sweep_milestones(conversation.database, conversation.desk, at, lambda s, at=at: Say(s, conversation.desk, at))
        conversation.now = at
        hooked.deliver()

    assert hooked.types() == ["request.opened", "request.completed", "deadline.breached"]
    breach = hooked.last("deadline.breached")
    assert breach["data"]["target"] == "response"
    (response,) = [d for d in breach["request"]["deadlines"] if d["target"] == "response"]
    assert (response["state"], response["due_at"]) == ("breached", "2026-11-24T11:05:00+00:00")


def test_a_5xx_is_retried_with_a_fresh_signature_and_a_4xx_is_a_dead_letter(hooked: Hooked) -> None:
    conversation = hooked.conversation
    hooked.server.fault("POST", PATH, Status(503), Status(503), Slow(0), Status(410, json={"error": "gone"}))
    complete_request(conversation)
    hooked.deliver()  # opened: 503
    assert hooked.types() == []
    conversation.now += DeliverySettings().backoff(1, random.Random(SEED)) + timedelta(seconds=1)
    hooked.deliver()  # opened: 503 again
    conversation.now += timedelta(minutes=1)
    hooked.deliver()  # opened: delivered; completed: 410, dead

    assert hooked.types() == ["request.opened"]
    first, second = (r.headers["frontdesk-webhook-timestamp"] for r in hooked.server.received[:2])
    assert first != second  # signed when sent, not when stored
    (dead,) = hooked.entries()
    assert dead.state is OutboxState.DEAD
    assert dead.destination == "webhook:ops POST 127.0.0.1"
    assert dead.last_error == "HTTP 410 from webhook:ops POST 127.0.0.1: gone"


def test_a_receiver_refuses_a_wrong_secret_and_nothing_is_kept(hooked: Hooked) -> None:
    conversation = hooked.conversation
    wrong = webhook_callers(conversation.desk.webhooks, {"OPS_SECRET": "another-secret-of-16-chars"})
    hooked.sender = HttpSender(conversation.database, wrong, lambda: conversation.now)
    complete_request(conversation)
    hooked.deliver()
    assert hooked.receiver.events == []
    assert len(hooked.receiver.refused) == 2
    assert {entry.last_error for entry in hooked.entries()} == {
        "HTTP 401 from webhook:ops POST 127.0.0.1: bad signature"
    }


def test_a_delivery_replayed_late_is_refused_by_the_receiver(hooked: Hooked) -> None:
    complete_request(hooked.conversation)
    hooked.deliver()
    original = hooked.server.received[0]
    later = hooked.conversation.now + timedelta(minutes=6)
    assert not hooked.receiver.verify(SECRET.encode(), dict(original.headers), original.body, now=later.timestamp())


def test_only_the_events_an_endpoint_wants_are_stored(db, tmp_path: Path) -> None:
    workspace = Workspace.example()
    desk = desk_config(workspace, tmp_path, extra=_hook("https://hooks.example.com/in", ("request.resolved",)))
    for conversation in conversation_on(db, workspace, desk):
        complete_request(conversation)
        assert _http_rows(db) == []  # opened and completed: not wanted, nothing stored
        frontdesk(conversation, "resolve 1")
        assert len(_http_rows(db)) == 1


def _http_rows(db) -> list[str]:
    claims = outbox.claim_outbox(db, now=datetime(2100, 1, 1, tzinfo=UTC), lease_for=timedelta(0),
                                 destination_kind="http", limit=100)  # fmt: skip
    return [claim.idempotency_key for claim in claims]


def test_an_outage_declared_and_ended_is_told_with_its_public_title(hooked: Hooked) -> None:
    conversation = hooked.conversation
    complete_request(conversation, "Nobody can log in\nsince 9:00")
    frontdesk(conversation, "triage 1 P1 everyone is locked out")
    declared_at = conversation.now
    frontdesk(conversation, "outage 1 Exports are failing for everyone")
    resolved_at = conversation.now
    frontdesk(conversation, "resolve 1")
    hooked.deliver()

    outages = [event for event in hooked.receiver.events if event["type"].startswith("outage.")]
    assert [event["type"] for event in outages] == ["outage.declared", "outage.resolved"]
    declared, ended = (event["data"] for event in outages)
    assert declared["title"] == "Exports are failing for everyone"
    assert declared["started_at"] == "2026-11-24T08:00:00+00:00"  # when the problem began: 9:00 in Paris
    assert declared["ended_at"] is None
    assert ended["ended_at"] == instant(resolved_at)
    assert outages[0]["occurred_at"] == instant(declared_at)
    assert all(event["request"]["number"] == "SR-000001" for event in outages)
    assert "Nobody can log in" not in str(hooked.receiver.events)  # nothing the requester wrote
