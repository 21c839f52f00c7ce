"""Reminders at the policy's milestones: warnings, breaches, escalations and update nags. No Slack.

Rules:
- A request is looked at when its `next_change_at` comes (storage.sweeps locks it). Its milestones stored when
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
  new in one batch, one digest lists them in the agents channel instead of one message each (in messages of 100
  reminders: bot.slack.say); escalations still set the level and update the card.
- `sweep_milestones(database, desk, now, say_with)` is a function of the database and `now`; each batch is
  locked, read, handled and rescheduled to its next change in one transaction (the ledger, breaches and
  reschedules written a statement for many), so a sweep that dies leaves nothing held (storage.sweeps).
- A batch whose handling fails is rolled back and its requests swept one at a time; a request that fails alone
  is put off by `RETRY_AFTER` (2 minutes) and logged with its SR number, so one broken request never holds up
  the others, and the sweep's run reports the failure once the rest is swept.
"""

import logging
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
from storage.errors import DatabaseUnavailableError
from storage.kinds import TicketStatus

if TYPE_CHECKING:
    from bot.say import Say

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(minutes=2)  # a ticket its sweep failed on alone is looked at again then
BATCH = 250  # tickets a transaction locks and sweeps: a lock held for about 0.1 s


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
    """Each batch's reminders said, a batch at a time until none is due. After a batch fails, its tickets are
    swept one at a time; one that fails alone is put off (the module's rules), and the first such failure is
    raised once every other due ticket was swept."""
    over = desk.digest_over if digest_over is None else digest_over
    alone, failures = 0, list[Exception]()
    while True:
        limit = 1 if alone else BATCH
        try:
            said, swept = _sweep_batch(database, desk, now, say_with, over, limit)
        except _BatchFailed as failed:
            if limit > 1:
                alone = len(failed.tickets)
            else:
                failures.append(failed.failure)
                _put_off(database, failed.tickets[0], now)
                alone -= 1
            continue
        yield said
        alone = max(alone - swept, 0)
        if swept < limit:
            break
    if failures:
        raise failures[0]


class _BatchFailed(Exception):
    """A batch's handling failed (rolled back): its tickets, and what failed."""

    def __init__(self, tickets: list[tickets.TicketRecord], failure: Exception) -> None:
        super().__init__(str(failure))
        self.tickets, self.failure = tickets, failure


def _put_off(database: Database, ticket: tickets.TicketRecord, now: datetime) -> None:
    """A ticket that fails alone is looked at again `RETRY_AFTER` later, and said to the log."""
    until = now + RETRY_AFTER
    with database.write() as session:
        sweeps.put_off(session, ticket.id, until=until)
    sr = f"SR-{ticket.sr_number:06d}"
    log.error("the milestone sweep failed on %s; it is looked at again at %s", sr, until.isoformat(), extra={"sr": sr})


def _sweep_batch(
    database: Database,
    desk: DeskConfig,
    now: datetime,
    say_with: Callable[[Session], "Say"],
    digest_over: int,
    limit: int,
) -> tuple[list[Reminder], int]:
    """Up to `limit` due tickets locked and swept in one transaction: reminders found, recorded in the ledger,
    said, tickets rescheduled; what was said and how many tickets were swept. _BatchFailed when handling them
    failed (nothing of it is kept); a database that cannot be used is raised as it is."""
    with database.write() as session:
        due = sweeps.lock_due(session, now=now, limit=limit)
        if not due:
            return [], 0
        try:
            with database.reporting_errors():  # a database that cannot be used is said as such, not as a failure
                return _handle(session, desk, due, now, say_with(session), digest_over), len(due)
        except DatabaseUnavailableError:
            raise
        except Exception as failure:
            raise _BatchFailed([d.ticket for d in due], failure) from failure


def _handle(
    session: Session, desk: DeskConfig, due: list[sweeps.DueTicket], now: datetime, say: "Say", digest_over: int
) -> list[Reminder]:
    """The locked batch swept: the reminders due said, the breaches stored, each ticket rescheduled."""
    policy = desk.policy
    counts = ticket_events.counts_of(session, [d.ticket.id for d in due])
    policy_print = plan.fingerprint(policy)
    said: list[Reminder] = []
    moves: list[tuple[int, datetime | None]] = []
    breached: list[tuple[int, str]] = []
    for locked in due:
        ticket = locked.ticket
        known = plan.decode(locked.milestones, policy, events=counts.get(ticket.id, 0), fingerprint_of=policy_print)
        at_now = None if known is None else plan.ahead(known, now)
        if known is None or at_now is None:
            at_now = plan.view(clocks.recompute(session, policy, ticket.id, now=now, actor=ACTOR))
        else:  # the stored milestones are kept as they are: mark_breached stores a breach once
            newly = [t.name for t, k in zip(at_now.targets, known.targets, strict=True) if t.state != k.state]
            breached += [(ticket.id, name) for name in newly]
        found, wake = _ticket_reminders(ticket, policy, at_now, now)
        said += found
        moves.append((ticket.id, wake))
    touched = deadlines.mark_breached(session, breached, actor=ACTOR, now=now)
    sweeps.reschedule_all(session, [sweeps.Rescheduled(i, at, i in touched) for i, at in moves], now=now)
    new = set(reminders.record_new(session, [(r.key, r.ticket.id) for r in said], now=now))
    fresh = [reminder for reminder in said if reminder.key in new]
    return _say(session, desk, fresh, say, now, digest_over)


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
