"""Requests with known histories for report tests, written through storage and the real clocks (bot.desk.clocks):
each request is completed at a given instant and then lives through the events given (public_reply, pause,
resume, resolved, closed ...), with the columns the events imply (resolved_at, closed_at, the rating)."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config.desk import DeskConfig, parse_desk_config
from bot.desk import clocks
from storage import people, service_events, tickets
from storage.engine import Database
from storage.kinds import TicketStatus

ACTOR = "test"
WARSAW = ZoneInfo("Europe/Warsaw")


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
            clocks.record(session, ticket.id, log, at=completed, actor=ACTOR)
            for event, at in events:
                clocks.record(session, ticket.id, [(event, "")], at=at, actor=ACTOR)
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
                clocks.recompute(session, self.desk.policy, ticket_id, now=now, actor=ACTOR)


_EPOCH = datetime.fromisoformat("2026-01-01T00:00:00+00:00")


def warsaw(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WARSAW)


def desk_text(policy: str, customers: str) -> str:
    return f"""
policy = "{policy}"
[slack]
intake_channel = "C0INTAKE01"
agents_channel = "C0AGENTS01"
[agents]
users = ["U0AGENT001"]
{customers}
"""


def desk(folder: Path, policy: str, customers: str) -> DeskConfig:
    return parse_desk_config(desk_text(policy, customers), source="frontdesk.toml", folder=folder)


K0NSULT_CUSTOMERS = """
[[customers]]
name = "Acme"
plan = "enterprise"
email_domains = ["acme.example"]
[[customers]]
name = "Globex"
plan = "starter"
email_domains = ["globex.example"]
"""


def k0nsult_october(db: Database, folder: Path, config: DeskConfig | None = None) -> DeskConfig:
    """k0nsult, October 2026: five requests, two agents, two ratings, outages and a maintenance window (the figures
    are worked out in tests/bot/reports/test_monthly.py)."""
    config = config or desk(folder, "k0nsult", K0NSULT_CUSTOMERS)
    made = Requests(db, config)
    acme, globex = made.customer("Acme"), made.customer("Globex")
    bob, carol = made.agent("Bob"), made.agent("Carol")
    # SR-000001 S1: reply after 30 min (1h: met), resolved after 5h (1d = 8h: met), rated 5
    made.request("S1", acme, bob, warsaw(10, 1, 10), [("public_reply", warsaw(10, 1, 10, 30)),
                 ("resolved", warsaw(10, 1, 15)), ("closed", warsaw(10, 2, 10))], score=5)  # fmt: skip
    # SR-000002 S1, Friday 16:30: reply Monday 09:45 = 30m + 45m (breached), resolved Tuesday 10:00 = 9h30m
    # (breached), rated 2
    made.request("S1", acme, bob, warsaw(10, 2, 16, 30), [("public_reply", warsaw(10, 5, 9, 45)),
                 ("resolved", warsaw(10, 6, 10)), ("closed", warsaw(10, 7, 10))], score=2)  # fmt: skip
    # SR-000003 S2 after the clocks went back: reply after 2h (4h: met); paused Monday 12:00 to Tuesday 12:00,
    # resolved Tuesday 14:00 = 3h + 2h = 5h (the pause does not count; met)
    made.request("S2", acme, carol, warsaw(10, 26, 9), [("public_reply", warsaw(10, 26, 11)),
                 ("pause", warsaw(10, 26, 12)), ("resume", warsaw(10, 27, 12)),
                 ("resolved", warsaw(10, 27, 14))])  # fmt: skip
    # SR-000004 Globex S4 (starter, 24h): nothing decided in October, open at the end
    made.request("S4", globex, None, warsaw(10, 30, 16), [])
    # SR-000005 S1, Friday 16:00, no reply: the response (1h) is breached at 17:00; open at the end
    made.request("S1", acme, None, warsaw(10, 30, 16), [])
    made.maintenance(warsaw(10, 10, 22), warsaw(10, 11, 0))
    made.outage(warsaw(10, 5, 10), warsaw(10, 5, 10, 30))  # 30 min
    made.outage(warsaw(10, 10, 23), warsaw(10, 11, 1))  # 2h, of which 1h in the maintenance window
    made.outage(warsaw(10, 31, 22), warsaw(11, 1, 2))  # 4h, 2h of it in October
    made.outage(warsaw(10, 20, 10), warsaw(10, 20, 15), customer=acme)  # Acme's own: 5h
    made.recompute_all(warsaw(11, 1, 0))
    return config
