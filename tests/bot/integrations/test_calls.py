"""The outgoing HTTP channel against a real loopback vendor (tests/standins/server.py), on SQLite and PostgreSQL.

The vendor keeps "things": POST /things creates one carrying the call's `Idempotency-Key`, GET /things?key= finds
it; the test Caller signs calls with a bearer token at send time and, after a lost answer, looks the key up the
way a tracker integration searches for its issue. Instants come from a clock moved by hand; nothing sleeps.
"""

import dataclasses
import random
import threading
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.delivery.pacing import Pace
from bot.delivery.tuning import DeliverySettings
from bot.integrations.calls import (
    HttpAnswer,
    HttpCall,
    HttpSender,
    HttpSettings,
    Timeouts,
    call_later,
    send_now,
)
from bot.monitoring.instruments import INSTRUMENTS
from storage import outbox
from storage.engine import Database, Session
from storage.kinds import DestinationKind, OutboxState
from tests.bot.delivery.helpers import ManualClock
from tests.standins.server import Answer, Lost, Received, Slow, StandIn, Status

TOKEN = "vendor-token-kept-out-of-rows"
SEED = 7


class Vendor:
    """The stand-in's state: the things created, by id."""

    def __init__(self) -> None:
        self.things: dict[int, dict[str, Any]] = {}
        self.acted = threading.Event()
        self._lock = threading.Lock()

    def routes(self) -> dict[tuple[str, str], Any]:
        return {
            ("POST", "/things"): self.create,
            ("GET", "/things"): self.search,
            ("POST", "/things/{id}/notes"): lambda received: Answer(201, {"thing": int(received.params["id"])}),
            ("POST", "/elsewhere"): lambda received: Answer(307, None, {"location": "http://localhost:9/x"}),
            ("POST", "/moved"): lambda received: Answer(308, None, {"location": "/things"}),
        }

    def create(self, received: Received) -> Answer:
        if received.headers.get("authorization") != f"Bearer {TOKEN}":
            return Answer(401, {"message": "Bad credentials"})
        with self._lock:
            number = len(self.things) + 1
            self.things[number] = {"id": number, "key": received.headers.get("idempotency-key"), **received.json}
        self.acted.set()
        return Answer(201, self.things[number])

    def search(self, received: Received) -> Answer:
        return Answer(200, [thing for thing in self.things.values() if thing["key"] == received.arg("key")])


class VendorCaller:
    """What an integration's Caller does, for this vendor."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.recorded: list[tuple[str, int]] = []
        self.looked_up: list[str] = []

    def prepare(self, call: HttpCall, *, now: datetime, earlier: Mapping[str, HttpAnswer]) -> HttpCall:
        url = call.url
        for answer in earlier.values():
            url = url.replace("{id}", str(answer.json["id"]))
        return dataclasses.replace(call, url=url).with_headers(("Authorization", f"Bearer {TOKEN}"))

    def already_done(self, call: HttpCall, *, key: str) -> HttpAnswer | None:
        self.looked_up.append(key)
        found = send_now(HttpCall("vendor", "GET", f"{self.base}/things?key={key}"), Timeouts(read=2))
        if found.status != 200:
            raise RuntimeError(f"search answered {found.status}")
        return HttpAnswer(201, {}, found.json[0]) if found.json else None

    def on_sent(
        self, session: Session, call: HttpCall, answer: HttpAnswer, *, key: str, ticket_id: int | None, now: datetime
    ) -> None:
        self.recorded.append((key, answer.status))


@pytest.fixture
def vendor() -> Vendor:
    return Vendor()


@pytest.fixture
def stand_in(vendor: Vendor) -> Iterator[StandIn]:
    with StandIn(vendor.routes()) as server:
        yield server
    assert server.internal_errors == []


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def caller(stand_in: StandIn) -> VendorCaller:
    return VendorCaller(stand_in.url)


SETTINGS = HttpSettings(timeouts=Timeouts(connect=2, read=0.5))


def sender(db: Database, caller: VendorCaller, clock: ManualClock, settings: HttpSettings = SETTINGS) -> HttpSender:
    return HttpSender(db, {"vendor": caller}, clock, settings, rng=random.Random(SEED))


def store(db: Database, clock: ManualClock, key: str, url: str, **more: Any) -> None:
    body = {"title": key}
    with db.write() as session:
        call = HttpCall("vendor", "POST", url, body, (("Idempotency-Key", key),))
        call_later(session, call, key=key, now=clock.now, **more)


def entry(db: Database, key: str) -> outbox.OutboxEntry:
    with db.read() as session:
        found = outbox.outbox_entry(session, key)
    assert found is not None
    return found


def next_try(db: Database, key: str) -> datetime | None:
    return entry(db, key).next_try_at


def first_backoff() -> timedelta:
    return DeliverySettings().backoff(1, random.Random(SEED))


def tries(service: str, result: str) -> float:
    return INSTRUMENTS.get_sample_value("frontdesk_http_calls_total", {"service": service, "result": result}) or 0.0


def test_a_call_is_sent_with_credentials_added_at_send_time_and_its_answer_kept(
    db: Database, stand_in: StandIn, caller: VendorCaller, clock: ManualClock, vendor: Vendor
) -> None:
    store(db, clock, "thing:1", f"{stand_in.url}/things", ticket_id=None)
    sent_before = tries("vendor", "sent")

    assert sender(db, caller, clock).send_once(clock.now) == 1

    row = entry(db, "thing:1")
    assert row.state is OutboxState.SENT
    assert row.result is not None
    assert row.result["status"] == 201
    assert row.result["json"]["title"] == "thing:1"
    assert row.destination == "vendor POST 127.0.0.1"
    assert caller.recorded == [("thing:1", 201)]
    assert vendor.things[1]["key"] == "thing:1"
    assert stand_in.received[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in repr(row)
    assert tries("vendor", "sent") == sent_before + 1


def test_the_same_key_is_stored_once_and_a_credential_is_never_stored(db: Database, clock: ManualClock) -> None:
    url = "https://vendor.example/things"
    store(db, clock, "thing:1", url)
    store(db, clock, "thing:1", url)
    with db.read() as session:
        assert outbox.outbox_counts(session)[OutboxState.PENDING] == 1
    secret = HttpCall("vendor", "POST", url, {}, (("authorization", "Bearer x"),))
    with db.write() as session, pytest.raises(ValueError, match="authorization"):
        call_later(session, secret, key="thing:2", now=clock.now)


def test_a_5xx_is_retried_after_a_jittered_backoff_and_then_looks_before_sending_again(
    db: Database, stand_in: StandIn, caller: VendorCaller, clock: ManualClock, vendor: Vendor
) -> None:
    store(db, clock, "thing:1", f"{stand_in.url}/things")
    stand_in.fault("POST", "/things", Status(503, json={"message": "busy"}))
    worker = sender(db, caller, clock)

    worker.send_once(clock.now)

    row = entry(db, "thing:1")
    assert row.state is OutboxState.PENDING
    assert row.last_error == "HTTP 503 from vendor POST 127.0.0.1"
    assert next_try(db, "thing:1") == clock.now + first_backoff()
    assert worker.send_once(clock.now) == 0  # not due yet
    clock.advance(first_backoff())
    worker.send_once(clock.now)
    assert entry(db, "thing:1").state is OutboxState.SENT
    assert caller.looked_up == ["thing:1"]
    assert len(vendor.things) == 1


def test_an_answer_lost_after_the_vendor_acted_is_found_and_never_sent_twice(
    db: Database, stand_in: StandIn, caller: VendorCaller, clock: ManualClock, vendor: Vendor
) -> None:
    store(db, clock, "thing:1", f"{stand_in.url}/things")
    stand_in.fault("POST", "/things", Lost(act=True))
    worker = sender(db, caller, clock)
    found_before = tries("vendor", "found")

    worker.send_once(clock.now)
    assert entry(db, "thing:1").state is OutboxState.PENDING
    assert "no answer from 127.0.0.1" in str(entry(db, "thing:1").last_error)
    clock.advance(first_backoff())
    worker.send_once(clock.now)

    row = entry(db, "thing:1")
    assert row.state is OutboxState.SENT
    assert row.result is not None
    assert row.result["json"]["id"] == 1
    assert len(stand_in.calls("POST", "/things")) == 1
    assert len(vendor.things) == 1
    assert caller.recorded == [("thing:1", 201)]
    assert tries("vendor", "found") == found_before + 1


def test_an_answer_slower_than_the_read_timeout_is_a_lost_answer(
    db: Database, stand_in: StandIn, caller: VendorCaller, clock: ManualClock, vendor: Vendor
) -> None:
    store(db, clock, "thing:1", f"{stand_in.url}/things")
    stand_in.fault("POST", "/things", Slow(1))
    worker = sender(db, caller, clock, dataclasses.replace(SETTINGS, timeouts=Timeouts(connect=2, read=0.3)))

    worker.send_once(clock.now)
    assert "TimeoutError" in str(entry(db, "thing:1").last_error)
    assert vendor.acted.wait(5)  # the vendor acted after all
    clock.advance(first_backoff())
    worker.send_once(clock.now)

    assert entry(db, "thing:1").state is OutboxState.SENT
    assert len(vendor.things) == 1
    assert len(stand_in.calls("POST", "/things")) == 1


def test_a_refused_connection_is_retried(db: Database, caller: VendorCaller, clock: ManualClock) -> None:
    store(db, clock, "thing:1", "http://127.0.0.1:9/things")  # the discard port: nothing listens
    sender(db, caller, clock).send_once(clock.now)
    row = entry(db, "thing:1")
    assert row.state is OutboxState.PENDING
    assert "cannot connect to 127.0.0.1" in str(row.last_error)


def test_a_429_blocks_the_service_for_every_sender_until_retry_after(
    db: Database, stand_in: StandIn, caller: VendorCaller, clock: ManualClock
) -> None:
    store(db, clock, "thing:1", f"{stand_in.url}/things")
    stand_in.fault("POST", "/things", Status(429, {"Retry-After": "30"}))
    sender(db, caller, clock).send_once(clock.now)
    assert next_try(db, "thing:1") == clock.now + timedelta(seconds=30)

    store(db, clock, "thing:2", f"{stand_in.url}/things")
    other = sender(db, caller, clock)  # another process on the same database
    assert other.send_once(clock.now) == 1
    assert entry(db, "thing:2").state is OutboxState.PENDING
    assert entry(db, "thing:2").last_error == ("vendor rate limited")
    assert other.next_due == clock.now + timedelta(seconds=30)
    assert len(stand_in.calls("POST", "/things")) == 1

    clock.advance(timedelta(seconds=30))
    other.send_once(clock.now)
    assert entry(db, "thing:1").state is OutboxState.SENT
    assert entry(db, "thing:2").state is OutboxState.SENT


def test_github_style_403_with_an_exhausted_quota_waits_for_the_reset(
    db: Database, stand_in: StandIn, caller: VendorCaller, clock: ManualClock
) -> None:
    reset = clock.now + timedelta(minutes=7)
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(reset.timestamp()))}
    stand_in.fault("POST", "/things", Status(403, headers, {"message": "API rate limit exceeded"}))
    store(db, clock, "thing:1", f"{stand_in.url}/things")
    sender(db, caller, clock).send_once(clock.now)
    assert entry(db, "thing:1").state is OutboxState.PENDING
    assert next_try(db, "thing:1") == reset.replace(microsecond=0)


def test_a_refusal_is_a_dead_letter_at_once_and_listed_as_http(
    db: Database, stand_in: StandIn, caller: VendorCaller, clock: ManualClock
) -> None:
    stand_in.fault("POST", "/things", Status(422, json={"message": "Validation Failed"}))
    store(db, clock, "thing:1", f"{stand_in.url}/things")
    sender(db, caller, clock).send_once(clock.now)
    row = entry(db, "thing:1")
    assert row.state is OutboxState.DEAD
    assert row.last_error == "HTTP 422 from vendor POST 127.0.0.1: Validation Failed"
    with db.read() as session:
        (letter,) = outbox.dead_letters(session)
    assert letter.destination_kind is DestinationKind.HTTP
    assert letter.destination == "vendor POST 127.0.0.1"


def test_a_row_out_of_tries_is_dead(db: Database, stand_in: StandIn, caller: VendorCaller, clock: ManualClock) -> None:
    settings = dataclasses.replace(SETTINGS, delivery=DeliverySettings(max_attempts=2))
    stand_in.fault("POST", "/things", Status(500), Status(502))
    store(db, clock, "thing:1", f"{stand_in.url}/things")
    worker = sender(db, caller, clock, settings)
    worker.send_once(clock.now)
    clock.advance(timedelta(minutes=1))
    worker.send_once(clock.now)
    assert entry(db, "thing:1").state is OutboxState.DEAD
    assert entry(db, "thing:1").last_error == "HTTP 502 from vendor POST 127.0.0.1"


def test_a_redirect_to_another_host_is_never_followed_one_to_the_same_host_is(
    db: Database, stand_in: StandIn, caller: VendorCaller, clock: ManualClock, vendor: Vendor
) -> None:
    store(db, clock, "away", f"{stand_in.url}/elsewhere")
    store(db, clock, "moved", f"{stand_in.url}/moved")
    sender(db, caller, clock).send_once(clock.now)
    assert entry(db, "away").state is OutboxState.DEAD
    assert "HTTP 307" in str(entry(db, "away").last_error)
    assert entry(db, "moved").state is OutboxState.SENT
    assert [thing["key"] for thing in vendor.things.values()] == ["moved"]


def test_a_call_that_waits_for_another_gets_its_answer_and_one_order_is_kept(
    db: Database, stand_in: StandIn, caller: VendorCaller, clock: ManualClock
) -> None:
    store(db, clock, "thing:1", f"{stand_in.url}/things", ordering_key="vendor:SR-000001")
    store(db, clock, "note:1", f"{stand_in.url}/things/{{id}}/notes", waits_for="thing:1",
          ordering_key="vendor:SR-000001")  # fmt: skip
    stand_in.fault("POST", "/things", Status(503))
    worker = sender(db, caller, clock)

    worker.send_once(clock.now)
    assert entry(db, "note:1").state is OutboxState.PENDING
    assert [received.path for received in stand_in.received] == ["/things"]
    clock.advance(first_backoff())
    worker.send_once(clock.now)
    worker.send_once(clock.now)

    assert entry(db, "note:1").state is OutboxState.SENT
    assert stand_in.calls("POST", "/things/{id}/notes")[0].path == "/things/1/notes"


def test_a_call_waiting_for_a_dead_one_dies_and_a_service_without_caller_is_dead(
    db: Database, stand_in: StandIn, caller: VendorCaller, clock: ManualClock
) -> None:
    stand_in.fault("POST", "/things", Status(400))
    store(db, clock, "thing:1", f"{stand_in.url}/things")
    store(db, clock, "note:1", f"{stand_in.url}/things/{{id}}/notes", waits_for="thing:1")
    with db.write() as session:
        call_later(session, HttpCall("pager", "POST", f"{stand_in.url}/things"), key="page:1", now=clock.now)
    worker = sender(db, caller, clock)
    worker.send_once(clock.now)
    worker.send_once(clock.now)
    assert entry(db, "note:1").state is OutboxState.DEAD
    assert str(entry(db, "note:1").last_error).startswith("waits for thing:1, which was dead-lettered")
    assert entry(db, "page:1").last_error == "no integration is configured for pager"


def test_each_service_keeps_its_pace(db: Database, stand_in: StandIn, caller: VendorCaller, clock: ManualClock) -> None:
    settings = dataclasses.replace(SETTINGS, paces={"vendor": Pace(per_second=1, burst=2)})
    for number in range(3):
        store(db, clock, f"thing:{number}", f"{stand_in.url}/things")
    worker = sender(db, caller, clock, settings)
    worker.send_once(clock.now)
    assert len(stand_in.calls("POST", "/things")) == 2
    assert entry(db, "thing:2").state is OutboxState.PENDING
    assert worker.next_due == clock.now + timedelta(seconds=1)
    clock.advance(timedelta(seconds=1))
    worker.send_once(clock.now)
    assert entry(db, "thing:2").state is OutboxState.SENT


def test_a_call_that_cannot_be_sent_is_dead_at_once_without_its_header_value(
    db: Database, stand_in: StandIn, caller: VendorCaller, clock: ManualClock
) -> None:
    with db.write() as session:
        call = HttpCall("vendor", "POST", f"{stand_in.url}/things", {}, (("X-Note", "line\nbreak"),))
        call_later(session, call, key="bad", now=clock.now)
    sender(db, caller, clock).send_once(clock.now)
    row = entry(db, "bad")
    assert row.state is OutboxState.DEAD
    assert row.last_error == "vendor POST: the call to 127.0.0.1 cannot be sent: header 'X-Note' is invalid"
    assert stand_in.received == []
