"""Recovery from crashes: worker processes killed with kill -9 while they hold leased rows, and the database
restarted under them (docs/operations.md, "Storage": a row whose worker died is claimed again when its lease expires).

The workers are `frontdesk worker` child processes (tests/bot/bot_process.py) against the Slack emulator; the
receiver runs in the test and stores the DMs first. What is checked is what the requesters see (each DM thread
holds the intake status and the first question, once each) and what the desk holds (one request per DM, every
inbox row done). Waits are on the emulator's call log (calls answered, or in flight), never on a clock; how fast
recovery is (the 10-second goal) is measured by tests/perf/bench_latency.py, not asserted here.
"""

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from slack_emulator import Message, SlackEmulator, Workspace
from storage import inbox, tickets
from storage.engine import Database
from storage.kinds import InboxState, OutboxState
from storage.tables import InboxItem, OutboxItem
from tests.bot.bot_process import BotProcess
from tests.bot.slack.conftest import receiving
from tests.storage.postgres import PostgresServer

STATUS, QUESTION = "*Your request so far*", "What phone number can we reach you at?"  # email on file, no phone
PATIENCE = 60.0  # a bound for a failing test, far above the leases' 8 s (bot/process/inbox_worker.py)


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator(Workspace.example()) as running:
        yield running


def dms(emulator: SlackEmulator, db: Database, count: int) -> list[Message]:
    """`count` requesters, each writing one DM to the bot; the receiver has stored every one when this returns."""
    ws = emulator.workspace
    with receiving(emulator, db, clock=lambda: datetime.now(UTC)) as (_, slack, _):  # the workers' clock
        said = []
        for n in range(count):
            user = ws.add_user(f"requester{n}", real_name=f"Requester {n}", email=f"r{n}@customer.example")
            said.append(slack.dm(user, f"Request {n}: the dashboard is blank"))
    assert all(s.deliveries[0].acked for s in said)
    return [s.message for s in said]


def bot_says(emulator: SlackEmulator, message: Message) -> list[str]:
    bot = emulator.workspace.app.bot_user_id
    return [m.text for m in emulator.workspace.messages(message.channel, thread_ts=message.ts) if m.user == bot]


def statuses_shown(emulator: SlackEmulator, messages: list[Message]) -> Callable[[object], bool]:
    return lambda calls: all(any(t.startswith(STATUS) for t in bot_says(emulator, m)) for m in messages)


def answered(emulator: SlackEmulator, messages: list[Message]) -> Callable[[object], bool]:
    return lambda calls: all(len(bot_says(emulator, m)) >= 2 for m in messages)


def looking_up(messages: list[Message]) -> Callable[[Mapping[str, Any]], bool]:
    """users.info for one of these messages' authors (not the start-up checks' look-up of the agents)."""
    requesters = {message.user for message in messages}
    return lambda params: params.get("user") in requesters


def inbox_done(db: Database, count: int) -> Callable[[], bool]:
    def done() -> bool:
        with db.read() as session:
            return inbox.inbox_counts(session).get(InboxState.DONE, 0) == count

    return done


def held_rows(db: Database) -> list[str]:
    """The keys of the inbox rows leased by a worker right now."""
    with db.read() as session:
        statement = select(InboxItem.key).where(col(InboxItem.state) == InboxState.PROCESSING.value)
        return list(session.exec(statement))


def each_answered_once(emulator: SlackEmulator, db: Database, messages: list[Message]) -> None:
    """Every requester has one request, and their DM thread the status and the question, once each, all sent."""
    team = emulator.workspace.team.id
    with db.read() as session:
        opened = [tickets.requested_by(session, slack_team_id=team, slack_user_id=m.user, limit=5)[1] for m in messages]
        unsent = session.exec(
            select(OutboxItem.idempotency_key).where(
                col(OutboxItem.destination).in_([m.channel for m in messages]),
                col(OutboxItem.state) != OutboxState.SENT.value,
            )
        ).all()
    assert opened == [1] * len(messages)
    assert unsent == []
    for message in messages:
        said = bot_says(emulator, message)
        assert len(said) == 2, said
        assert said[0].startswith(STATUS), said
        assert said[1].startswith(QUESTION), said
    posted = [c.arg("metadata")["event_payload"]["key"] for c in emulator.calls("chat.postMessage") if c.ok]
    assert len(posted) == len(set(posted)), "a message was posted twice"


def test_a_worker_killed_while_it_holds_leased_rows_is_replaced_and_every_dm_is_answered_once(
    emulator: SlackEmulator, db: Database, database_url: str, tmp_path: Path
) -> None:
    messages = dms(emulator, db, 6)
    emulator.set_latency("users.info", 5)  # the worker is inside a look-up, its rows leased, when it is killed
    with BotProcess.start(emulator, "worker", database_url=database_url, folder=tmp_path) as dead:
        # a row is leased while its author's look-up is answered
        emulator.wait_for_in_flight("users.info", where=looking_up(messages), timeout=PATIENCE)
        dead.kill()
    held = held_rows(db)
    assert held, "the kill landed while rows were leased"
    emulator.set_latency("users.info", None)
    with BotProcess.start(emulator, "worker", database_url=database_url, folder=tmp_path) as worker:
        emulator.wait_for(statuses_shown(emulator, messages), timeout=PATIENCE)
        emulator.wait_for(answered(emulator, messages), timeout=PATIENCE)
        worker.stop()
    assert inbox_done(db, len(messages))(), "a row is done in the transaction that wrote its answers"
    each_answered_once(emulator, db, messages)


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_postgresql_restart_mid_burst_under_two_workers_loses_nothing_and_does_nothing_twice(
    emulator: SlackEmulator, db: Database, database_url: str, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    emulator.latency = 0.1
    emulator.set_latency("users.info", 2)  # the workers are inside look-ups, rows leased, when the restart lands
    start = BotProcess.start
    with (
        start(emulator, "worker", database_url=database_url, folder=tmp_path) as first,
        start(emulator, "worker", database_url=database_url, folder=tmp_path) as second,
    ):
        messages = dms(emulator, db, 20)  # the burst arrives once both workers are up
        # rows are leased while their authors' look-ups are answered
        emulator.wait_for_in_flight("users.info", where=looking_up(messages), timeout=PATIENCE)
        assert held_rows(db)
        assert not inbox_done(db, len(messages))(), "the restart lands amid the work"
        postgres_server.halt()
        postgres_server.resume()
        emulator.set_latency("users.info", None)
        emulator.wait_for(answered(emulator, messages), timeout=PATIENCE)
        first.stop()
        second.stop()
    assert inbox_done(db, len(messages))(), "a row is done in the transaction that wrote its answers"
    each_answered_once(emulator, db, messages)
