"""Programs that the storage tests run in separate processes (python -m tests.storage.workers MODE URL ...).

Modes:
- `sr URL THREADS COUNT`: THREADS threads each take COUNT SR numbers, one transaction each; prints
  "THREAD NUMBER" per number taken, in each thread's order.
- `crash URL`: opens requests forever, each with a message and deadlines (several statements in one
  transaction), printing the SR number after each commit; the test kills it with SIGKILL.
- `upgrade URL`: upgrades the database to head and prints the revision it is at.
- `hold URL`: locks the due tickets as the milestone sweep's batch does, prints their ids, then waits in the
  transaction for ever; the test kills it with SIGKILL.
- `inbox URL THREADS`: THREADS threads claim inbox rows until none is left, and mark each one done in the
  same transaction as an audit event naming the row; prints "done" at the end.
- `outbox URL THREADS`: the same with outbox rows, marked sent.
"""

import os
import sys
import threading
from datetime import UTC, datetime, timedelta

from storage import audit
from storage.deadlines import DeadlineValue, set_deadlines
from storage.engine import Database
from storage.inbox import claim_inbox, complete_inbox
from storage.messages import add_message
from storage.migrate import upgrade
from storage.numbers import next_number
from storage.outbox import claim_outbox, mark_sent
from storage.sweeps import lock_due
from storage.tickets import open_ticket
from tests.storage.helpers import run_in_threads

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def take_numbers(database: Database, thread: int, count: int, lock: threading.Lock) -> None:
    for _ in range(count):
        with database.write() as session:
            number = next_number(session)
        with lock:
            print(thread, number, flush=True)


def crash(database: Database) -> None:
    while True:
        with database.write() as session:
            ticket = open_ticket(session, kind="incident", actor="U1", now=NOW, description="x" * 2000)
            add_message(
                session, ticket.id, author="U1", author_role="requester", public=True, channel="slack",
                text="it is down " * 100, at=NOW,
            )  # fmt: skip
            deadline = DeadlineValue("response", NOW + timedelta(hours=1), started_at=NOW)
            set_deadlines(session, ticket.id, [deadline], next_change_at=NOW, actor="system", now=NOW)
        print(ticket.sr_number, flush=True)


def hold(database: Database) -> None:
    with database.write() as session:
        due = lock_due(session, now=NOW, limit=100)
        print(*(locked.ticket.id for locked in due), flush=True)
        threading.Event().wait()  # for ever: killed holding the locks


def drain_inbox(database: Database, worker: str) -> None:
    while batch := claim_inbox(database, now=NOW, lease_for=timedelta(minutes=5), limit=5):
        for claim in batch:
            with database.write() as session:
                audit.record(session, actor=worker, action="inbox.processed", at=NOW, subject=f"inbox:{claim.id}")
                complete_inbox(session, claim, now=NOW)


def drain_outbox(database: Database, worker: str) -> None:
    while batch := claim_outbox(database, now=NOW, lease_for=timedelta(minutes=5), limit=5):
        for claim in batch:
            with database.write() as session:
                audit.record(session, actor=worker, action="outbox.sent", at=NOW, subject=f"outbox:{claim.id}")
                mark_sent(session, claim, now=NOW)


def main(arguments: list[str]) -> None:
    mode, url, *rest = arguments
    database = Database.from_url(url)
    if mode == "crash":
        crash(database)
    if mode == "hold":
        hold(database)
    if mode == "upgrade":
        print(upgrade(database).current, flush=True)
        return
    threads_count = int(rest[0])
    lock = threading.Lock()
    if mode == "sr":
        targets = [
            lambda thread=thread: take_numbers(database, thread, int(rest[1]), lock) for thread in range(threads_count)
        ]
    else:
        drain = drain_inbox if mode == "inbox" else drain_outbox
        targets = [lambda thread=thread: drain(database, f"{os.getpid()}-{thread}") for thread in range(threads_count)]
    run_in_threads(targets)
    database.dispose()
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
