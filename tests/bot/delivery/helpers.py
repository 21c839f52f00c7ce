"""What the delivery tests share: a clock moved by hand, enqueueing payloads, draining the outbox on that clock.

Rules:
- `ManualClock` gives aware UTC datetimes to the worker and float seconds to the emulator, from one instant.
- `drain` runs the worker until no row is pending or sending, moving the clock to the earliest retry (or by
  `step`) between batches; it never sleeps.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.delivery import Deliverer, SlackPayload, enqueue_slack
from slack_emulator import Call
from storage.engine import Database
from storage.kinds import OutboxState
from storage.outbox import OutboxEntry, outbox_counts, outbox_entry
from tests.storage.helpers import NOW


@dataclass
class ManualClock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def seconds(self) -> float:
        return self.now.timestamp()

    def advance(self, by: timedelta) -> None:
        self.now += by


def enqueue(db: Database, clock: ManualClock, key: str, method: str = "chat.postMessage", **payload: Any) -> bool:
    with db.write() as session:
        return enqueue_slack(session, key=key, payload=SlackPayload(method, **payload), now=clock.now)


def post(db: Database, clock: ManualClock, key: str, channel: str, **more: Any) -> bool:
    """Enqueues a chat.postMessage whose text is its key; `more` goes into args, except thread_of."""
    thread_of = more.pop("thread_of", None)
    return enqueue(db, clock, key, args={"channel": channel, "text": key, **more}, thread_of=thread_of)


def active(db: Database) -> int:
    with db.read() as session:
        counts = outbox_counts(session)
    return counts[OutboxState.PENDING] + counts[OutboxState.SENDING]


def entry(db: Database, key: str) -> OutboxEntry:
    with db.read() as session:
        found = outbox_entry(session, key)
    assert found is not None
    return found


def drain(
    deliverer: Deliverer, clock: ManualClock, *, step: timedelta = timedelta(seconds=1), batches: int = 200
) -> None:
    for _ in range(batches):
        if active(deliverer.database) == 0:
            return
        deliverer.deliver_once(clock.now)
        due = deliverer.next_due
        clock.advance(step if due is None or due <= clock.now else min(step, due - clock.now))
    raise AssertionError(f"the outbox was not drained in {batches} batches")


def texts(calls: list[Call]) -> list[str]:
    return [str(call.params.get("text")) for call in calls if call.ok]
