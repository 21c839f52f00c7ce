"""Closing resolved requests, and the one satisfaction question after. Nothing here knows Slack.

Rules:
- A resolved request closes when its requester confirms ("Yes, solved"); "Not yet" reopens it. Only the
  requester answers: the channel checks who pressed.
- Without an answer it closes by itself `auto_close_after` of business time (the policy's calendar) after it was
  resolved: the policy's `[closing] auto_close_after`, else AUTO_CLOSE. A policy with `confirmation_required`
  (owkin's: "open until the customer confirms") never closes without the requester.
- Closing records the `closed` event (clocks stop), tells the requester, and asks one satisfaction question
  (1 to 5, then an optional comment). The rating is taken once per resolution: a reopened request clears it
  and asks again when it closes again.
- `sweep_resolved(database, desk, now, say_with)` is a function of the database and `now`: each request in its
  own transaction, locked and read again, so running it twice or late closes each request once.
"""

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from bot.actor import ACTOR
from bot.config.desk import DeskConfig
from bot.desk.actions import AgentActions
from bot.desk.outcomes import Actor, Outcome, done, refused
from sla.durations import WorkingDuration
from sla.policy import Policy
from storage import tickets
from storage.engine import Database, Session
from storage.kinds import TicketStatus

if TYPE_CHECKING:
    from bot.say import Say

AUTO_CLOSE = WorkingDuration(days=5)
SCORES = range(1, 6)
SWEEP_LIMIT = 500


def closes_at(policy: Policy, resolved_at: datetime) -> datetime | None:
    """When a request resolved at `resolved_at` closes without an answer; None when it never does."""
    if policy.closing.confirmation_required:
        return None
    return policy.calendar.add(policy.closing.auto_close_after or AUTO_CLOSE, to=resolved_at)


class Closing:
    """The requester's side of a resolution, on top of the agent actions (same sayer, same card)."""

    def __init__(self, actions: AgentActions) -> None:
        self.actions = actions

    def confirm(self, session: Session, ticket_id: int, solved: bool, by: Actor, now: datetime, key: str) -> Outcome:
        """The requester's answer to "is it solved?"."""
        ticket = tickets.lock_and_get(session, ticket_id)
        if ticket.status != TicketStatus.RESOLVED:
            return refused("not_resolved", ticket.sr)
        if not solved:
            return self.actions.reopen_request(session, ticket, "", by, now, key)
        return self._close(session, ticket, by, now, key, "closed")

    def close_unanswered(self, session: Session, ticket_id: int, now: datetime) -> bool:
        """Close a resolved request whose time to answer has passed; False when it is not due (or not resolved)."""
        ticket = tickets.lock_and_get(session, ticket_id)
        if ticket.status != TicketStatus.RESOLVED or ticket.resolved_at is None:
            return False
        due = closes_at(self.actions.desk.policy, ticket.resolved_at)
        if due is None or due > now:
            return False
        self._close(session, ticket, Actor(ACTOR, True), now, f"ticket:{ticket.id}:auto_close:{due.isoformat()}",
                    "closed_auto")  # fmt: skip
        return True

    def rate(self, session: Session, ticket_id: int, score: int, by: Actor, now: datetime) -> Outcome:
        """The requester's rating, once per resolution."""
        ticket = tickets.lock_and_get(session, ticket_id)
        if ticket.status != TicketStatus.CLOSED:
            return refused("not_closed", ticket.sr)
        if score not in SCORES:
            return refused("score_unknown", ticket.sr)
        if ticket.satisfaction_score is not None:
            return refused("already_rated", ticket.sr)
        tickets.change_ticket(
            session, ticket.id, {"satisfaction_score": score}, actor=by.user, now=now, action="ticket.rated"
        )
        return done("rated", ticket.sr, score=str(score))

    def comment(self, session: Session, ticket_id: int, text: str, by: Actor, now: datetime) -> Outcome:
        """The comment that goes with the rating (once)."""
        ticket = tickets.lock_and_get(session, ticket_id)
        if ticket.satisfaction_score is None or ticket.satisfaction_comment is not None:
            return refused("not_rated", ticket.sr)
        changes = {"satisfaction_comment": text.strip() or None}
        tickets.change_ticket(session, ticket.id, changes, actor=by.user, now=now, action="ticket.rated")
        return done("commented", ticket.sr)

    def _close(
        self, session: Session, ticket: tickets.TicketRecord, by: Actor, now: datetime, key: str, change: str
    ) -> Outcome:
        changes = {"status": TicketStatus.CLOSED, "closed_at": now}
        ticket = tickets.change_ticket(session, ticket.id, changes, actor=by.user, now=now, action="ticket.closed")
        self.actions.say.to_requester(ticket, change, {}, key=f"{key}:requester")
        return self.actions.changed(session, ticket, [("closed", "")], by, now, key, change)


def sweep_resolved(
    database: Database, desk: DeskConfig, now: datetime, say_with: Callable[[Session], "Say"]
) -> tuple[int, ...]:
    """Close every resolved request left unanswered past its time; the ids closed."""
    if desk.policy.closing.confirmation_required:
        return ()
    shortest = desk.policy.calendar.length_of(desk.policy.closing.auto_close_after or AUTO_CLOSE)
    with database.read() as session:
        due = tickets.resolved_before(session, now - shortest, limit=SWEEP_LIMIT)
    closed = []
    for ticket_id in due:
        with database.write() as session:
            closing = Closing(AgentActions(desk, say_with(session)))
            if closing.close_unanswered(session, ticket_id, now):
                closed.append(ticket_id)
    return tuple(closed)
