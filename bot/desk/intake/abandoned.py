"""Abandoned intake: a reminder after `remind_after` without an answer, then closed after `close_after`.

Rules:
- Idleness is measured from the last thing a person did on the request (a message in its thread, a button, a
  form, or opening it: storage.intake_idle), in elapsed time, with the desk's IntakeSettings; what the bot does
  does not count.
- Once per idle period the requester gets one reminder in the request's thread. Its key names the request and
  that last action (its audit event), so two sweeps send it once, and a requester who answers and goes quiet
  again gets a new one.
- After `close_after` of idleness the request is closed (status closed, `closed_at`, audit action
  "ticket.abandoned") and a note in its thread says why and that a new message opens a new request. A sweep
  that comes late closes without reminding first. Nothing is deleted: messages, files and the audit trail stay.
- `sweep_abandoned(database, desk, now)` is a function of the database and `now` only: running it twice, or late,
  does each thing once. Each request is handled in its own transaction, locked and read again first, so a
  message recorded meanwhile by the inbox worker is seen and one bad request does not stop the others.
- It knows nothing of Slack: it speaks through a bot.say.Say built for the transaction (`say_with`), imported
  for its type only.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.actor import ACTOR
from bot.config.desk import DeskConfig
from storage import intake_idle, tickets
from storage.engine import Database, Session
from storage.kinds import TicketStatus

if TYPE_CHECKING:
    from bot.say import Say

ACTION = "ticket.abandoned"


class Outcome(StrEnum):
    REMINDED = "reminded"
    CLOSED = "closed"
    NOTHING = "nothing"  # answered meanwhile, already reminded, or no longer in intake


@dataclass(frozen=True)
class Swept:
    """What one sweep did: the requests reminded and closed (ids)."""

    reminded: tuple[int, ...] = ()
    closed: tuple[int, ...] = ()

    @property
    def anything(self) -> bool:
        return bool(self.reminded or self.closed)


def sweep_abandoned(database: Database, desk: DeskConfig, now: datetime, say_with: Callable[[Session], "Say"]) -> Swept:
    """Remind the requesters who left their intake for `remind_after`, close the requests left for `close_after`."""
    with database.read() as session:
        idle = intake_idle.idle_intake(session, cutoff=now - desk.intake.remind_after, bot_actor=ACTOR)
    outcomes = [(found.ticket_id, _handle(database, desk, found.ticket_id, now, say_with)) for found in idle]
    return Swept(
        reminded=tuple(ticket for ticket, outcome in outcomes if outcome is Outcome.REMINDED),
        closed=tuple(ticket for ticket, outcome in outcomes if outcome is Outcome.CLOSED),
    )


def _handle(
    database: Database, desk: DeskConfig, ticket_id: int, now: datetime, say_with: Callable[[Session], "Say"]
) -> Outcome:
    """One request, in its own transaction: locked, read again, then reminded or closed."""
    with database.write() as session:
        tickets.lock_ticket(session, ticket_id)
        idle = intake_idle.idle_since(session, ticket_id, bot_actor=ACTOR)
        if idle is None:
            return Outcome.NOTHING
        idle_for = now - idle.last_activity_at
        if idle_for >= desk.intake.close_after:
            _close(session, ticket_id, now, say_with(session))
            return Outcome.CLOSED
        if idle_for >= desk.intake.remind_after:
            return _remind(session, idle, desk.intake.close_after - idle_for, say_with(session))
        return Outcome.NOTHING


def _remind(session: Session, idle: intake_idle.IdleIntake, closes_in: timedelta, say: "Say") -> Outcome:
    ticket = tickets.get_ticket(session, idle.ticket_id)
    period = idle.last_event_id if idle.last_event_id is not None else "opened"
    sent = say.intake_reminder(ticket, closes_in, key=f"ticket:{ticket.id}:intake_reminder:{period}")
    return Outcome.REMINDED if sent else Outcome.NOTHING


def _close(session: Session, ticket_id: int, now: datetime, say: "Say") -> None:
    changes = {"status": TicketStatus.CLOSED, "closed_at": now}
    ticket = tickets.change_ticket(session, ticket_id, changes, actor=ACTOR, now=now, action=ACTION)
    say.intake_closed(ticket, key=f"ticket:{ticket_id}:intake_closed")
