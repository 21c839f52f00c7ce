"""Agent actions on requests: triage, defects, workarounds and fixes, replies, pauses, escalation,
resolution, and the requester's side of them. Nothing here knows Slack: everything is said through bot.say.Say,
imported for its type only.

Rules:
- Every action but `show` and `list` is for agents only, checked here on every call whatever the way in; a
  request is named by its SR number and must be past intake; a closed request only reopens.
- What changes a clock is recorded as an event and the deadlines are recomputed from the whole log
  (bot.desk.clocks); each change of the ticket is audited with who, what, when, before, after and reason.
- The triage card in the agents channel is one message, updated after every change, saying what changed.
- Only `reply` (and the workaround, fix and deferral notices, which are replies) reaches the requester; notes
  stay with the agents. The first public reply by a human agent stops the response target; the bot's own
  messages never do.
- A change away from the matrix's suggested priority needs a reason.
- Deferring a confirmed defect (to a day, which ends at midnight in the policy's zone, to the next release, or
  to a release the policy names; an unknown one is refused, listing the releases to come) closes the requester's
  conversation: status `deferred`, every target but those the policy's deferral keeps stops, and the kept fix is
  due then (sla.clocks). It is listed in `list deferred` only; reopening undoes it.
- Confirming a defect files it in the desk's tracker (bot.integrations.trackers.filing); `--link` names an issue
  of it instead (an unknown or malformed one is refused, audited, nothing changed). The card shows the issue.
- Resolving asks the requester to confirm (bot.desk.closing takes the answer). A pause ends when the requester
  writes or an agent resumes.
- Everything said is keyed by the action's key, so an action done twice says it once.
- A change that stops a target whose escalation step paged the on-call acknowledges the page; resolving or
  closing the request resolves it (bot.integrations.paging.pages).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from bot.actor import ACTOR
from bot.config.desk import NOBODY, DeskConfig
from bot.desk import clocks
from bot.desk.commands import NEXT_RELEASE
from bot.desk.intake.requests import Files
from bot.desk.outage import Outages
from bot.desk.outcomes import Actor, Outcome, done, refused
from bot.integrations.paging import pages
from bot.integrations.trackers.configured import filing_tracker
from bot.integrations.trackers.filing import file_defect
from sla.clocks import Clocks
from sla.policy import ESCALATION_LEVELS, STATED_KINDS
from storage import audit, defect_links, messages, pauses, people, tickets, worklist
from storage.engine import Session
from storage.kinds import AuthorRole, MessageChannel, TicketStatus
from storage.numbers import format_sr

if TYPE_CHECKING:
    from bot.say import Say

LISTED = 30  # requests shown by `list`
_DAY_SHOWN = "%a %d %b %Y"


@dataclass(frozen=True)
class CardView:
    """What the triage card shows: the request, its clocks, and the last change."""

    ticket: tickets.TicketRecord
    state: Clocks
    files: int
    assignee: str | None  # a Slack user id
    change: str | None = None  # a reason code for templates/slack/triage_card.mrkdwn.j2
    details: tuple[tuple[str, str], ...] = ()
    defect_issue: defect_links.DefectLinkRecord | None = None  # the tracker issue the defect lives in


def nobody(user: str) -> bool:
    """Nobody is known to be an agent: for callers that assign no one (only `assign` asks)."""
    return False


class AgentActions:
    """The agent actions of one desk; `is_agent` tells whether a Slack user may be assigned (by default nobody:
    only `assign` asks, and its callers know who the agents are)."""

    def __init__(self, desk: DeskConfig, say: "Say", is_agent: Callable[[str], bool] = nobody) -> None:
        self.desk, self.say, self.is_agent = desk, say, is_agent

    # -- priority and kind ---------------------------------------------------------------------------------

    def triage(
        self, session: Session, sr: int, priority: str, reason: str, by: Actor, now: datetime, key: str
    ) -> Outcome:
        ticket = self.request_for(session, sr, by)
        if isinstance(ticket, Outcome):
            return ticket
        names = [level.name for level in self.desk.policy.priorities]
        if priority not in names:
            return refused("priority_unknown", ticket.sr, value=priority, choices=", ".join(names))
        suggested = self.desk.policy.suggested_priority(ticket.impact, ticket.urgency)
        if suggested and priority != suggested and not reason.strip():
            return refused("reason_needed", ticket.sr, value=priority, suggested=suggested)
        before = ticket.priority or ""
        changes = {"priority": priority}
        ticket = tickets.change_ticket(
            session, ticket.id, changes, actor=by.user, now=now, action="ticket.triaged", reason=reason or None
        )
        log = [("priority", priority)]
        return self.changed(session, ticket, log, by, now, key, "triaged", was=before, priority=priority)

    def set_kind(self, session: Session, sr: int, kind: str, by: Actor, now: datetime, key: str) -> Outcome:
        ticket = self.request_for(session, sr, by)
        if isinstance(ticket, Outcome):
            return ticket
        if kind not in STATED_KINDS:
            return refused("kind_unknown", ticket.sr, value=kind)
        before = ticket.kind.value
        ticket = tickets.change_ticket(session, ticket.id, {"kind": kind}, actor=by.user, now=now)
        return self.changed(session, ticket, [("kind", kind)], by, now, key, "kind_changed", was=before)

    # -- defects ---------------------------------------------------------------------------------------------

    def confirm_defect(
        self, session: Session, sr: int, severity: str | None, by: Actor, now: datetime, key: str,
        link: str | None = None,
    ) -> Outcome:  # fmt: skip
        """Confirms the defect and files it in the desk's tracker, or links the issue `link` names instead (also
        on a defect already confirmed: the link is replaced)."""
        ticket = self.request_for(session, sr, by)
        if isinstance(ticket, Outcome):
            return ticket
        issue = None if link is None else self._issue(session, ticket, link, by, now)
        if isinstance(issue, Outcome):
            return issue
        if ticket.defect_confirmed_at is not None:
            if issue is None:
                return refused("already_defect", ticket.sr)
            defect_links.link(session, ticket.id, issue, actor=by.user, now=now)
            state = clocks.recompute(session, self.desk.policy, ticket.id, now=now, actor=by.user)
            self.card(session, ticket, state, key=f"{key}:card", change="defect_linked", issue=issue.key)
            return done("defect_linked", ticket.sr, issue=issue.key)
        names = [level.name for level in self.desk.policy.priorities]
        if severity is not None and severity not in names:
            return refused("priority_unknown", ticket.sr, value=severity, choices=", ".join(names))
        changes: dict[str, object] = {"kind": "defect", "defect_confirmed_at": now}
        log = [("kind", "defect"), ("defect_confirmed", "")]
        if severity is not None:
            changes["priority"], log = severity, [*log, ("priority", severity)]
        ticket = tickets.change_ticket(session, ticket.id, changes, actor=by.user, now=now, action="ticket.defect")
        if issue is not None:
            defect_links.link(session, ticket.id, issue, actor=by.user, now=now)
        outcome = self.changed(session, ticket, log, by, now, key, "defect_confirmed")
        if issue is not None:
            return done("defect_linked", ticket.sr, issue=issue.key)
        file_defect(session, self.desk, ticket, self.current(session, ticket.id, now), now=now)  # once, by key
        return outcome

    def _issue(
        self, session: Session, ticket: tickets.TicketRecord, link: str, by: Actor, now: datetime
    ) -> defect_links.Issue | Outcome:
        """The tracker issue `link` names, or the refusal (audited, nothing changed) when none is configured or
        it names none of the desk's tracker's issues."""
        tracker = filing_tracker(self.desk)
        found = None if tracker is None else tracker.parse_link(link)
        if found is not None:
            return defect_links.Issue(found.tracker, found.key, found.url)
        reason = "no_tracker" if tracker is None else "link_unknown"
        audit.record(session, actor=by.user, action=audit.REFUSED, at=now, ticket_id=ticket.id,
                     subject="defect --link", after={"reason": reason, "link": link[:200]})  # fmt: skip
        return refused(reason, ticket.sr, value=link[:200], scope=tracker.scope if tracker else "")

    def workaround(self, session: Session, sr: int, text: str, by: Actor, now: datetime, key: str) -> Outcome:
        return self._public(session, sr, text, by, now, key, "workaround", [("workaround", "")])

    def fix(self, session: Session, sr: int, release: str | None, by: Actor, now: datetime, key: str) -> Outcome:
        text = release or ""
        return self._public(session, sr, text, by, now, key, "fix", [("fix", release or "")], needs_text=False)

    def defer(self, session: Session, sr: int, until: str, reason: str, by: Actor, now: datetime, key: str) -> Outcome:
        ticket = self.request_for(session, sr, by)
        if isinstance(ticket, Outcome):
            return ticket
        if ticket.defect_confirmed_at is None:
            return refused("not_a_defect", ticket.sr)
        if ticket.status not in (TicketStatus.OPEN, TicketStatus.WAITING):
            return refused("not_deferrable", ticket.sr, status=ticket.status.value)
        if not reason.strip():
            return refused("text_needed", ticket.sr, action="defer")
        deferred_to = self._deferred_to(until, now)
        if deferred_to is None or deferred_to[0] <= now:
            return refused("until_unknown", ticket.sr, value=until, releases=self._known_releases(now))
        instant, shown, release = deferred_to
        log = [("resume", "")] if ticket.status == TicketStatus.WAITING else []
        if log:
            pauses.end_pause(session, ticket.id, actor=by.user, now=now)
        changes = {"status": TicketStatus.DEFERRED, "deferred_at": now}
        ticket = tickets.change_ticket(
            session, ticket.id, changes, actor=by.user, now=now, action="ticket.deferred", reason=reason
        )
        details = {"reason": reason, "agent": by.shown, "until": shown, "release": release}
        self.say.to_requester(ticket, "deferred", details, key=f"{key}:requester")
        log.append(("deferred", instant.astimezone(UTC).isoformat()))
        return self.changed(session, ticket, log, by, now, key, "deferred", reason=reason, until=shown, release=release)

    def _deferred_to(self, until: str, now: datetime) -> tuple[datetime, str, str] | None:
        """The instant a defect is deferred to, the day it is shown as and the release's name (or ""): the end of
        the day given (midnight after it, in the policy's zone), the policy's next release, or the release named."""
        releases = self.desk.policy.releases
        if until.lower() == NEXT_RELEASE:
            return self._release_day(releases.next_on_or_after(now))
        if (named := releases.named(until)) is not None:
            return self._release_day(named)
        try:
            day = date.fromisoformat(until)
        except ValueError:
            return None
        midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.desk.policy.calendar.zone)
        return midnight, day.strftime(_DAY_SHOWN), ""

    def _release_day(self, release: datetime | None) -> tuple[datetime, str, str] | None:
        if release is None:
            return None
        name = self.desk.policy.releases.name_of(release) or ""
        return release, release.astimezone(self.desk.policy.calendar.zone).strftime(_DAY_SHOWN), name

    def _known_releases(self, now: datetime) -> str:
        """The policy's named releases still to come, each with its day, for a refusal to list."""
        zone = self.desk.policy.calendar.zone
        names = self.desk.policy.releases.names
        return ", ".join(f"{name} ({at.astimezone(zone).strftime(_DAY_SHOWN)})" for name, at in names if at > now)

    # -- what reaches the requester, and what does not -------------------------------------------------------

    def reply(self, session: Session, sr: int, text: str, by: Actor, now: datetime, key: str) -> Outcome:
        return self._public(session, sr, text, by, now, key, "reply", [])

    def note(self, session: Session, sr: int, text: str, by: Actor, now: datetime, key: str) -> Outcome:
        ticket = self.request_for(session, sr, by, closed_ok=True)
        if isinstance(ticket, Outcome):
            return ticket
        if not text.strip():
            return refused("text_needed", ticket.sr, action="note")
        self._message(session, ticket, by, text, public=False, now=now)
        self.say.to_agents(ticket, "note", {"agent": by.shown, "text": text}, key=f"{key}:note")
        return done("noted", ticket.sr)

    def agent_wrote(self, session: Session, agents_thread_ts: str, text: str, by: Actor, now: datetime) -> bool:
        """A message in a card's thread: an internal note of that request (False when the thread is no card's)."""
        ticket = tickets.find_ticket(session, agents_thread_ts=agents_thread_ts)
        if ticket is None:
            return False
        self._message(session, ticket, by, text, public=False, now=now)
        return True

    def thread_message(
        self,
        session: Session,
        ticket: tickets.TicketRecord,
        text: str,
        by: Actor,
        now: datetime,
        key: str,
        files: Files = (),
        writer: AuthorRole = AuthorRole.REQUESTER,
    ) -> None:
        """Someone wrote in the requester's thread of a request (the message is recorded already). An agent
        writing there past intake answers in public: a public reply. The requester is relayed to the agents with
        the files, and a pause ends; anyone else is relayed as a comment, which resumes nothing."""
        if writer == AuthorRole.AGENT and by.is_agent:
            if ticket.first_response_at is None:
                ticket = tickets.change_ticket(session, ticket.id, {"first_response_at": now}, actor=by.user, now=now)
            self.say.reply_in_thread(ticket, by.shown, text, key=f"{key}:requester")
            self.changed(session, ticket, [("public_reply", "")], by, now, key, "reply")
            return
        details = {"name": by.shown, "text": text, "sr": ticket.sr}
        if writer != AuthorRole.REQUESTER:
            self.say.to_agents(ticket, "commented", details, key=f"{key}:relay", files=files)
            return
        self.say.to_agents(ticket, "requester_wrote", details, key=f"{key}:relay", files=files)
        if ticket.status == TicketStatus.WAITING:
            self._resume(session, ticket, Actor(ACTOR, True), now, key, "resumed_by_requester")

    # -- waiting on the requester --------------------------------------------------------------------------

    def pause(self, session: Session, sr: int, reason: str, by: Actor, now: datetime, key: str) -> Outcome:
        ticket = self.request_for(session, sr, by)
        if isinstance(ticket, Outcome):
            return ticket
        if ticket.status != TicketStatus.OPEN:
            return refused("not_open", ticket.sr, status=ticket.status.value)
        pauses.start_pause(session, ticket.id, actor=by.user, now=now, reason=reason or None)
        ticket = tickets.change_ticket(session, ticket.id, {"status": TicketStatus.WAITING}, actor=by.user, now=now)
        return self.changed(session, ticket, [("pause", "")], by, now, key, "paused", reason=reason)

    def resume(self, session: Session, sr: int, by: Actor, now: datetime, key: str) -> Outcome:
        ticket = self.request_for(session, sr, by)
        if isinstance(ticket, Outcome):
            return ticket
        if ticket.status != TicketStatus.WAITING:
            return refused("not_paused", ticket.sr)
        return self._resume(session, ticket, by, now, key, "resumed")

    def _resume(
        self, session: Session, ticket: tickets.TicketRecord, by: Actor, now: datetime, key: str, change: str
    ) -> Outcome:
        pauses.end_pause(session, ticket.id, actor=by.user, now=now)
        ticket = tickets.change_ticket(session, ticket.id, {"status": TicketStatus.OPEN}, actor=by.user, now=now)
        return self.changed(session, ticket, [("resume", "")], by, now, key, change)

    # -- people --------------------------------------------------------------------------------------------

    def assign(self, session: Session, sr: int, user: str, by: Actor, now: datetime, key: str) -> Outcome:
        ticket = self.request_for(session, sr, by)
        if isinstance(ticket, Outcome):
            return ticket
        if not self.is_agent(user):
            return refused("not_an_agent", ticket.sr, user=user)
        agent = people.save_agent(session, level="L1", actor=by.user, now=now, slack_user_id=user)
        ticket = tickets.change_ticket(session, ticket.id, {"assignee_id": agent.id}, actor=by.user, now=now)
        return self.changed(session, ticket, [], by, now, key, "assigned", user=user)

    def escalate(
        self, session: Session, sr: int, level: str, reason: str, by: Actor, now: datetime, key: str
    ) -> Outcome:
        ticket = self.request_for(session, sr, by)
        if isinstance(ticket, Outcome):
            return ticket
        if level not in ESCALATION_LEVELS:
            return refused("level_unknown", ticket.sr, value=level)
        if not reason.strip():
            return refused("text_needed", ticket.sr, action="escalate")
        changes = {"escalation_level": level}
        ticket = tickets.change_ticket(
            session, ticket.id, changes, actor=by.user, now=now, action="ticket.escalated", reason=reason
        )
        details = {"level": level, "reason": reason, "agent": by.shown}
        at = self.desk.levels.get(level, NOBODY)  # from the desk config, never from what anyone typed
        self.say.to_agents(ticket, "escalated", details, key=f"{key}:escalated", mentions=at)
        return self.changed(session, ticket, [], by, now, key, "escalated", level=level, reason=reason)

    # -- resolution ----------------------------------------------------------------------------------------

    def resolve(self, session: Session, sr: int, by: Actor, now: datetime, key: str) -> Outcome:
        ticket = self.request_for(session, sr, by)
        if isinstance(ticket, Outcome):
            return ticket
        if ticket.status == TicketStatus.RESOLVED:
            return refused("already_resolved", ticket.sr)
        log = [("resume", "")] if ticket.status == TicketStatus.WAITING else []
        if log:
            pauses.end_pause(session, ticket.id, actor=by.user, now=now)
        changes = {"status": TicketStatus.RESOLVED, "resolved_at": now}
        ticket = tickets.change_ticket(session, ticket.id, changes, actor=by.user, now=now, action="ticket.resolved")
        self.say.to_requester(ticket, "resolved", {"agent": by.shown}, key=f"{key}:requester")
        Outages(self).resolved(session, ticket, by, now, key)
        return self.changed(session, ticket, [*log, ("resolved", "")], by, now, key, "resolved")

    def reopen(self, session: Session, sr: int, reason: str, by: Actor, now: datetime, key: str) -> Outcome:
        ticket = self.request_for(session, sr, by, closed_ok=True)
        if isinstance(ticket, Outcome):
            return ticket
        if ticket.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.DEFERRED):
            return refused("not_resolved", ticket.sr)
        if not reason.strip():
            return refused("text_needed", ticket.sr, action="reopen")
        return self.reopen_request(session, ticket, reason, by, now, key)

    def reopen_request(
        self, session: Session, ticket: tickets.TicketRecord, reason: str, by: Actor, now: datetime, key: str
    ) -> Outcome:
        """Open again (a new resolution will ask for a new rating)."""
        changes = {
            "status": TicketStatus.OPEN,
            "resolved_at": None,
            "closed_at": None,
            "deferred_at": None,
            "satisfaction_score": None,
            "satisfaction_comment": None,
        }
        ticket = tickets.change_ticket(
            session, ticket.id, changes, actor=by.user, now=now, action="ticket.reopened", reason=reason or None
        )
        self.say.to_requester(ticket, "reopened", {"reason": reason}, key=f"{key}:requester")
        return self.changed(session, ticket, [("reopened", "")], by, now, key, "reopened", reason=reason)

    def show(self, session: Session, sr: int, by: Actor, now: datetime) -> CardView | Outcome:
        """The request as its card shows it, with its deadlines as of `now`."""
        ticket = self.request_for(session, sr, by, closed_ok=True)
        if isinstance(ticket, Outcome):
            return ticket
        return self._view(session, ticket, self.current(session, ticket.id, now), None, {})

    def listing(
        self, session: Session, which: str, by: Actor, now: datetime
    ) -> tuple[list[worklist.WorkItem], int] | Outcome:
        """The requests of list `which` (open, waiting, mine, breaching), nearest deadline first."""
        if not by.is_agent:
            return refused("not_an_agent_action")
        return worklist.worklist(session, which, now=now, agent_user=by.user, limit=LISTED)

    # -- shared steps ----------------------------------------------------------------------------------------

    def _public(
        self,
        session: Session,
        sr: int,
        text: str,
        by: Actor,
        now: datetime,
        key: str,
        what: str,
        log: list[tuple[str, str]],
        *,
        needs_text: bool = True,
    ) -> Outcome:
        """A message from an agent to the requester: relayed, recorded as public, and a public reply."""
        ticket = self.request_for(session, sr, by)
        if isinstance(ticket, Outcome):
            return ticket
        if what in ("workaround", "fix") and ticket.defect_confirmed_at is None:
            return refused("not_a_defect", ticket.sr)
        if needs_text and not text.strip():
            return refused("text_needed", ticket.sr, action=what)
        self._message(session, ticket, by, text or what, public=True, now=now)
        self.say.to_requester(ticket, what, {"agent": by.shown, "text": text}, key=f"{key}:requester")
        if ticket.first_response_at is None:
            ticket = tickets.change_ticket(session, ticket.id, {"first_response_at": now}, actor=by.user, now=now)
        return self.changed(session, ticket, [("public_reply", ""), *log], by, now, key, what, text=text)

    def changed(
        self,
        session: Session,
        ticket: tickets.TicketRecord,
        log: list[tuple[str, str]],
        by: Actor,
        now: datetime,
        key: str,
        change: str,
        **details: str,
    ) -> Outcome:
        """Records the events, recomputes the deadlines, updates the card; the outcome for the agent."""
        clocks.record(session, ticket.id, log, at=now, actor=by.user)
        state = clocks.recompute(session, self.desk.policy, ticket.id, now=now, actor=by.user)
        pages.follow_up(session, self.desk, ticket, state, now=now)  # a page acknowledged or resolved
        self.card(session, ticket, state, key=f"{key}:card", change=change, **details)
        return done(change, ticket.sr, **details)

    def current(self, session: Session, ticket_id: int, now: datetime) -> Clocks:
        """The request's clocks as of `now`, nothing stored."""
        return clocks.current(session, self.desk.policy, ticket_id, now=now)

    def card(
        self, session: Session, ticket: tickets.TicketRecord, state: Clocks, *, key: str, change: str | None = None,
        **details: str,
    ) -> None:  # fmt: skip
        """Post or update the request's triage card."""
        self.say.card(self._view(session, ticket, state, change, details), key=key)

    def _view(
        self, session: Session, ticket: tickets.TicketRecord, state: Clocks, change: str | None, details: dict[str, str]
    ) -> CardView:
        files = len(messages.attachments_of(session, ticket.id))
        assignee = people.agent_of(session, ticket.assignee_id).slack_user_id if ticket.assignee_id else None
        issue = defect_links.link_of(session, ticket.id)
        return CardView(ticket, state, files, assignee, change, tuple(sorted(details.items())), issue)

    def _message(
        self, session: Session, ticket: tickets.TicketRecord, by: Actor, text: str, *, public: bool, now: datetime
    ) -> None:
        role = AuthorRole.AGENT if by.is_agent else AuthorRole.REQUESTER
        messages.add_message(
            session, ticket.id, author=by.user, author_role=role, public=public,
            channel=MessageChannel.SLACK, text=text, at=now,
        )  # fmt: skip

    def request_for(
        self, session: Session, sr: int, by: Actor, *, closed_ok: bool = False
    ) -> tickets.TicketRecord | Outcome:
        """The request an agent acts on, or why not."""
        if not by.is_agent:
            return refused("not_an_agent_action", format_sr(sr))
        ticket = tickets.find_ticket(session, sr_number=sr)
        if ticket is None:
            return refused("no_such_request", format_sr(sr))
        if ticket.status == TicketStatus.INTAKE:
            return refused("still_in_intake", ticket.sr)
        if ticket.status == TicketStatus.CLOSED and not closed_ok:
            return refused("closed", ticket.sr)
        return ticket
