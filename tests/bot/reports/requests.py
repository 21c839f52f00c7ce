"""Requests with known histories for report tests, written through storage and the real clocks (bot.ticket_clocks):
each request is completed at a given instant and then lives through the events given (public_reply, pause,
resume, resolved, closed ...), with the columns the events imply (resolved_at, closed_at, the rating)."""

from datetime import datetime

from bot import ticket_clocks
from bot.desk_config import DeskConfig
from storage import people, service_events, tickets
from storage.engine import Database
from storage.kinds import TicketStatus

ACTOR = "test"


class Requests:
    def __init__(self, database: Database, desk: DeskConfig) -> None:
        self.database, self.desk = database, desk
        self.plans: dict[int, str] = {}
        self.ids: list[int] = []

    def customer(self, name: str) -> int:
        configured = next(each for each in self.desk.customers if each.name == name)
        with self.database.write() as session:
            record = people.save_customer(session, name=name, plan=configured.plan, actor=ACTOR, now=_EPOCH)
        self.plans[record.id] = record.plan
        return record.id

    def agent(self, name: str) -> int:
        with self.database.write() as session:
            user = f"U{name.upper()}"
            return people.save_agent(session, level="L1", slack_user_id=user, name=name, actor=ACTOR, now=_EPOCH).id

    def request(
        self,
        priority: str,
        customer: int,
        assignee: int | None,
        completed: datetime,
        events: list[tuple[str, datetime]],
        *,
        score: int | None = None,
    ) -> int:
        plan, kind = self.plans[customer], self.desk.policy.default_kind
        with self.database.write() as session:
            ticket = tickets.open_ticket(
                session, kind=kind, actor=ACTOR, now=completed, status=TicketStatus.OPEN, completed_at=completed,
                priority=priority, plan=plan, customer_id=customer, assignee_id=assignee,
            )  # fmt: skip
            log = [("complete", ""), ("plan", plan), ("kind", kind), ("priority", priority)]
            ticket_clocks.record(session, ticket.id, log, at=completed, actor=ACTOR)
            for event, at in events:
                ticket_clocks.record(session, ticket.id, [(event, "")], at=at, actor=ACTOR)
                if event in ("resolved", "closed"):
                    changes = {f"{event}_at": at, "status": event}
                    if event == "closed" and score is not None:
                        changes["satisfaction_score"] = score
                    tickets.change_ticket(session, ticket.id, changes, actor=ACTOR, now=at)
        self.ids.append(ticket.id)
        return ticket.id

    def outage(self, start: datetime, end: datetime, *, customer: int | None = None) -> None:
        with self.database.write() as session:
            outage = service_events.start_outage(
                session, title="Outage", started_at=start, actor=ACTOR, now=start, customer_id=customer
            )
            service_events.end_outage(session, outage, ended_at=end, actor=ACTOR, now=end)

    def maintenance(self, start: datetime, end: datetime) -> None:
        with self.database.write() as session:
            service_events.add_maintenance(
                session, title="Upgrade", starts_at=start, ends_at=end, actor=ACTOR, now=start
            )

    def recompute_all(self, now: datetime) -> None:
        """Every request's deadlines as the bot stores them at `now`."""
        with self.database.write() as session:
            for ticket_id in self.ids:
                ticket_clocks.recompute(session, self.desk.policy, ticket_id, now=now, actor=ACTOR)


_EPOCH = datetime.fromisoformat("2026-01-01T00:00:00+00:00")
