"""Reminders at the policy's milestones: warnings, breaches, escalations and update nags. No Slack.

Rules:
- A request is looked at when its `next_change_at` comes (storage.sweeps leases it). Its milestones stored when
  its log last changed (sla.plan) say where its running and breached targets stand at `now` exactly as its
  clocks recomputed from the log would; where they cannot (the log or the policy changed since, none stored, or a
  cadence's period came) its clocks are recomputed from its event log at `now` (bot.desk.clocks), which stores
  them again. A running target whose due instant came is stored breached either way. Every milestone of a
  running or breached target that is at or before `now` becomes a reminder with a key naming the request, the
  target, the milestone and its instant. The ledger (storage.reminders) keeps the keys said, so a reminder is
  said once, however many sweeps run and however late: after downtime every reminder missed is said, once.
- Warnings (the policy's fractions) and the breach go to the card's thread, mentioning the assignee or, when
  nobody is assigned, the agents (their user group when the desk names one). A recurring target (sla's
  `recurs`: `update`, or a policy's own cadence) has no warnings: when it falls due without a public update, the
  assignee is nagged, each period on the target's calendar (sla's `overdue` milestones), once per period.
- Catch-up (a sweep after downtime, or one that came late): a cadence says only its latest period reached, with
  the count of periods gone without a public update; a target whose breach is reached says the breach, not the
  warnings before it (escalation steps still happen). Nothing is said about a resolved or closed request (its
  clocks are still recomputed and stored).
- A deferred request says only its kept targets' new deadline passing (sla.clocks gives a deferred fix no other
  milestone): "the permanent fix deadline, deferred to then, has passed", once, after downtime too; every other
  target of it stopped as deferred and says nothing (docs/architecture.md, "Time").
- An escalation step sets the request's level, is audited and shown on the card, mentions the level's people
  and emails the level's addresses. A step that pages (`page = true`) pages the on-call through the desk's
  `[paging]` (bot.integrations.paging.pages) when it is said, so a page obeys quiet hours like every reminder and
  is sent once; the card and the reminder say "Paged on-call (PagerDuty)". A step that only pages says nothing
  on a desk without `[paging]`.
- Quiet hours: a target's reminders wait while its calendar is closed (unless it runs on `always`), and the
  request is looked at again at the calendar's next opening, where they are said once.
- Digest: when more than the desk's `digest_over` ([reminders] in the desk config, 5 by default) reminders are
  new in one sweep, one digest message lists them in the
  agents channel instead of one message each (escalations still set the level and update the card).
- `sweep_milestones(database, desk, now, say_with)` is a function of the database and `now`; each claimed
  batch is handled in one transaction (its tickets locked and read at once, the ledger, breaches and
  reschedules written a statement for many) and each request rescheduled to its next change (which ends the
  lease).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING

from bot.actor import ACTOR
from bot.config.desk import NOBODY, DeskConfig, People
from bot.desk import clocks
from bot.desk.actions import AgentActions
from bot.integrations.paging import pages
from bot.integrations.paging.events import Incident
from sla import plan
from sla.clocks import Milestone
from sla.policy import Policy
from storage import deadlines, people, reminders, sweeps, ticket_events, tickets
from storage.engine import Database, Session
from storage.kinds import TicketStatus

if TYPE_CHECKING:
    from bot.say import Say

LEASE = timedelta(minutes=2)
BATCH = 100


@dataclass(frozen=True)
class Reminder:
    """One thing to say about a request at a milestone."""

    key: str
    ticket: tickets.TicketRecord
    target: str
    label: str
    what: str  # "warning", "breach", "escalation" or "update"
    fraction: Fraction
    due_at: datetime | None  # an update nag: the end of the period it is for
    periods: int = 0  # an update nag: the periods gone by without a public update
    to_level: str | None = None
    message: str = ""
    deferred: bool = False  # the deadline of a deferred request's kept target (the date or release deferred to)
    page: bool = False  # an escalation step that pages the on-call (docs/policies.md, "Escalations")
    paged: tuple[str, ...] = ()  # the pagers it paged ("pagerduty", "opsgenie"): set when it is said


def sweep_milestones(
    database: Database,
    desk: DeskConfig,
    now: datetime,
    say_with: Callable[[Session], "Say"],
    *,
    digest_over: int | None = None,
) -> list[Reminder]:
    """Says what is due at `now` on the requests whose next change has come, a batch at a time until none is
    left; the reminders said."""
    return [reminder for said in _sweep_batches(database, desk, now, say_with, digest_over) for reminder in said]


def count_milestones(
    database: Database,
    desk: DeskConfig,
    now: datetime,
    say_with: Callable[[Session], "Say"],
    *,
    digest_over: int | None = None,
) -> int:
    """`sweep_milestones` keeping only how many reminders were said, so a sweep holds one batch at a time
    however many are due (the application's sweep: docs/performance.md, "Sweeps: 10,000 due among 1,000,000
    open requests")."""
    return sum(len(said) for said in _sweep_batches(database, desk, now, say_with, digest_over))


def _sweep_batches(
    database: Database,
    desk: DeskConfig,
    now: datetime,
    say_with: Callable[[Session], "Say"],
    digest_over: int | None,
) -> Iterator[list[Reminder]]:
    """Each claimed batch's reminders said, a batch at a time until none is left."""
    over = desk.digest_over if digest_over is None else digest_over
    while due := sweeps.claim_due_tickets(database, now=now, lease_for=LEASE, limit=BATCH):
        yield _sweep_batch(database, desk, due, now, say_with, over)
        if len(due) < BATCH:
            break


def _sweep_batch(
    database: Database,
    desk: DeskConfig,
    due: list[sweeps.DueTicket],
    now: datetime,
    say_with: Callable[[Session], "Say"],
    digest_over: int,
) -> list[Reminder]:
    """One claimed batch in one transaction: reminders found, recorded in the ledger, said, tickets rescheduled."""
    policy = desk.policy
    with database.write() as session:
        locked = sweeps.lock_due(session, due)
        counts = ticket_events.counts_of(session, [ticket.id for ticket in due])
        policy_print = plan.fingerprint(policy)
        said: list[Reminder] = []
        moves: list[sweeps.Rescheduled] = []
        breached: list[tuple[int, str]] = []
        for claimed in due:
            ticket, stored = locked[claimed.id]
            known = plan.decode(stored, policy, events=counts.get(ticket.id, 0), fingerprint_of=policy_print)
            at_now = None if known is None else plan.ahead(known, now)
            if known is None or at_now is None:
                at_now = plan.view(clocks.recompute(session, policy, ticket.id, now=now, actor=ACTOR))
            else:  # the stored milestones are kept as they are: mark_breached stores a breach once
                newly = [t.name for t, k in zip(at_now.targets, known.targets, strict=True) if t.state != k.state]
                breached += [(ticket.id, name) for name in newly]
            found, wake = _ticket_reminders(ticket, policy, at_now, now)
            said += found
            moves.append(sweeps.Rescheduled(claimed, wake))
        deadlines.mark_breached(session, breached, actor=ACTOR, now=now)
        sweeps.reschedule_all(session, moves)
        new = set(reminders.record_new(session, [(r.key, r.ticket.id) for r in said], now=now))
        fresh = [reminder for reminder in said if reminder.key in new]
        return _say(session, desk, fresh, say_with(session), now, digest_over)


def _ticket_reminders(
    ticket: tickets.TicketRecord, policy: Policy, at_now: plan.Plan, now: datetime
) -> tuple[list[Reminder], datetime | None]:
    """The request's reminders due at `now` from where its targets stand (`at_now`), and its next change."""
    found: list[Reminder] = []
    wake = [at_now.next_change] if at_now.next_change else []
    for target in at_now.targets:
        if _quiet(ticket, policy, target):
            continue
        calendar = policy.calendars.get(target.calendar, policy.calendar)
        reached = _caught_up(target, [m for m in target.milestones if m.at <= now and _says(target, m)])
        if reached and not calendar.is_always and not calendar.is_open_at(now):
            wake.append(calendar.next_opening(now))  # quiet hours: said at the next opening
            continue
        found += [_reminder(ticket, target, milestone) for milestone in reached]
    return found, min(wake, default=None)


def _says(target: plan.PlannedTarget, milestone: Milestone) -> bool:
    """Recurring targets only nag when due; every other milestone is said."""
    return not target.recurs or milestone.what in ("breach", "overdue")


def _quiet(ticket: tickets.TicketRecord, policy: Policy, target: plan.PlannedTarget) -> bool:
    """A resolved or closed request says nothing; a deferred one only of the targets its deferral keeps."""
    if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        return True
    return ticket.deferred_at is not None and target.name not in policy.deferral.keeps


def _caught_up(target: plan.PlannedTarget, reached: list[Milestone]) -> list[Milestone]:
    """What is still worth saying of the milestones reached: a cadence's latest period only; once the breach is
    reached, no warning before it."""
    if target.recurs:
        return reached[-1:]
    if any(milestone.what == "breach" for milestone in reached):
        return [milestone for milestone in reached if milestone.what != "warning"]
    return reached


def _reminder(ticket: tickets.TicketRecord, target: plan.PlannedTarget, milestone: Milestone) -> Reminder:
    what = "update" if target.recurs else milestone.what
    step = milestone.escalation
    key = f"ticket:{ticket.id}:{target.name}:{milestone.what}:{milestone.fraction}:{milestone.at.isoformat()}"
    return Reminder(
        key=key,
        ticket=ticket,
        target=target.name,
        label=target.label,
        what=what,
        fraction=milestone.fraction,
        due_at=milestone.at if target.recurs else target.due_at,
        periods=int(milestone.fraction) if target.recurs else 0,
        to_level=step.to if step else None,
        message=step.message if step else "",
        deferred=ticket.deferred_at is not None,
        page=bool(step and step.page),
    )


def _say(
    session: Session,
    desk: DeskConfig,
    fresh: list[Reminder],
    say: "Say",
    now: datetime,
    digest_over: int,
) -> list[Reminder]:
    """Says the reminders (the digest when there are many): what was said."""
    fresh = [paged for reminder in fresh if (paged := _page(session, desk, reminder, now)) is not None]
    for reminder in fresh:
        if reminder.to_level is not None:
            _escalate(session, desk, reminder, say, now)
        elif reminder.paged:
            actions = AgentActions(desk, say)
            state = actions.current(session, reminder.ticket.id, now)
            actions.card(session, reminder.ticket, state, key=f"{reminder.key}:card", change="paged",
                         pagers=",".join(reminder.paged))  # fmt: skip
    if len(fresh) > digest_over:
        say.digest(fresh, key=f"digest:{min(r.key for r in fresh)}:{len(fresh)}")
        return fresh
    for reminder in fresh:
        say.reminder(reminder, _mentions(session, desk, reminder), key=reminder.key)
    return fresh


def _page(session: Session, desk: DeskConfig, reminder: Reminder, now: datetime) -> Reminder | None:
    """A step that pages: the on-call paged (bot.integrations.paging.pages) and the reminder naming the pagers; a
    step that only pages says nothing when nobody was paged (no `[paging]`, or the target paged before)."""
    if not reminder.page:
        return reminder
    ticket, policy = reminder.ticket, desk.policy
    state = clocks.current(session, policy, ticket.id, now=now)
    running = tuple((t.label, t.due_at) for t in state.targets if t.due_at is not None and t.stopped_at is None)
    names = [priority.name for priority in policy.priorities]
    incident = Incident(
        ticket=ticket,
        target=reminder.target,
        label=reminder.label,
        due_at=reminder.due_at,
        at=now,
        rank=names.index(ticket.priority) if ticket.priority in names else len(names),
        deadlines=running,
        zone=policy.calendar.zone,
        channel=desk.agents_channel,
    )
    paged = pages.page(session, desk, incident, now=now)
    if not paged and reminder.to_level is None:
        return None
    return replace(reminder, paged=paged)


def _escalate(
    session: Session,
    desk: DeskConfig,
    reminder: Reminder,
    say: "Say",
    now: datetime,
) -> None:
    """An escalation step: the level set and audited, the card updated, the level emailed."""
    level = str(reminder.to_level)
    reason = f"{reminder.label} at {float(reminder.fraction):.0%}" if reminder.fraction else reminder.label
    ticket = tickets.change_ticket(
        session, reminder.ticket.id, {"escalation_level": level}, actor=ACTOR, now=now, action="ticket.escalated",
        reason=reason,
    )  # fmt: skip
    actions = AgentActions(desk, say)
    state = actions.current(session, ticket.id, now)
    paged = {"pagers": ",".join(reminder.paged)} if reminder.paged else {}
    actions.card(session, ticket, state, key=f"{reminder.key}:card", change="escalated_auto", level=level, **paged)
    at = desk.levels.get(level)
    for address in at.emails if at else ():
        say.escalation_email(reminder, address, key=f"{reminder.key}:email:{address}")


def _mentions(session: Session, desk: DeskConfig, reminder: Reminder) -> People:
    """Who a reminder is for, by Slack id: the level's people (escalation), else the assignee, else the agents."""
    if reminder.to_level is not None:
        at = desk.levels.get(reminder.to_level, NOBODY)
        return People(users=at.users, usergroups=at.usergroups)
    if reminder.ticket.assignee_id is not None:
        assignee = people.agent_of(session, reminder.ticket.assignee_id).slack_user_id
        return People(users=(assignee,) if assignee else ())
    if desk.agents.usergroups:
        return People(usergroups=desk.agents.usergroups)
    return People(users=desk.agents.users)
