"""Update cycles as stored, end to end on owkin (P1: an update every 30 minutes of business time): the incremental
recompute (bot.desk.clocks, storage.cycles) stores exactly what a full walk of the log gives, over days of
replies and sweeps; and the backfill gives requests with no stored cycle (older than migration 0014) theirs,
once, idempotently."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bot.desk.clocks import _log, backfill_cycles
from bot.desk.reminders import sweep_milestones
from bot.process.schedule import BACKFILL, sweep_backfill
from bot.say import Say
from sla.cycles import cycles
from storage import sweep_runs
from storage.tables import UpdateCycle
from tests.bot.desk.conftest import complete_request, frontdesk, ticket_of

PARIS = ZoneInfo("Europe/Paris")


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def _stored(conversation, sr: int = 1) -> list[tuple]:
    ticket = ticket_of(conversation, sr)
    with conversation.database.read() as session:
        rows = session.exec(UpdateCycle.__table__.select().where(UpdateCycle.ticket_id == ticket.id)).all()
    return sorted((row.target, row.due_at.astimezone(UTC), row.met_at and row.met_at.astimezone(UTC)) for row in rows)


def _walked(conversation, now: datetime, sr: int = 1) -> list[tuple]:
    """What a full walk of the request's log gives at `now`."""
    ticket = ticket_of(conversation, sr)
    with conversation.database.read() as session:
        log = _log(session, ticket.id)
    return sorted((c.target, c.due_at, c.met_at) for c in cycles(conversation.desk.policy, log, now))


def _sweep(conversation, at: datetime) -> None:
    sweep_milestones(conversation.database, conversation.desk, at, lambda s: Say(s, conversation.desk, at))


def _p1_over_three_days(conversation) -> datetime:
    complete_request(conversation)  # Tue 24 Nov 10:05
    frontdesk(conversation, "triage 1 P1 production is down")
    for day, hour, minute in ((24, 10, 20), (24, 15, 10), (25, 9, 40), (25, 16, 10), (26, 11, 10)):
        _sweep(conversation, _at(day, hour, minute - 7))
        conversation.now = _at(day, hour, minute)
        frontdesk(conversation, "reply 1 Still on it")
    end = _at(26, 17, 55)
    _sweep(conversation, end)
    return end


def test_the_incremental_recompute_stores_what_the_full_walk_gives(conversation):
    end = _p1_over_three_days(conversation)
    stored = _stored(conversation)
    assert len(stored) > 40  # three business days of 30-minute periods, most of them missed
    assert stored == _walked(conversation, end)
    conversation.now = _at(27, 9, 10)  # Friday: resolved; reopened; the stored cycles follow the log
    frontdesk(conversation, "resolve 1")
    conversation.now = _at(27, 10, 0)
    frontdesk(conversation, "reopen 1 it is back")
    _sweep(conversation, _at(27, 12, 0))
    assert _stored(conversation) == _walked(conversation, _at(27, 12, 0))


def test_requests_without_cycles_get_theirs_once(conversation):
    end = _p1_over_three_days(conversation)
    complete_request(conversation, "The import hangs")  # SR-000002: P4, its first period not over yet
    expected = _stored(conversation)
    with conversation.database.write() as session:  # as before migration 0014: no cycle stored
        session.connection().execute(text("DELETE FROM update_cycle"))
    assert _stored(conversation) == []

    assert sweep_backfill(conversation.database, conversation.desk, end) is False  # says nothing
    assert _stored(conversation) == expected
    assert _stored(conversation, 2) == []
    assert backfill_cycles(conversation.database, conversation.desk.policy, end) == 0  # again: nothing to do
    assert _stored(conversation) == expected

    with conversation.database.write() as session:
        sweep_runs.record_run(session, BACKFILL, at=end)  # the scheduler records the good run
        session.connection().execute(text("DELETE FROM update_cycle"))
    sweep_backfill(conversation.database, conversation.desk, end)
    assert _stored(conversation) == []  # once per database: a later run does nothing
