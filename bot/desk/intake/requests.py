"""The intake service: a requester's messages become a complete request (docs/architecture.md, "Glossary").

Rules:
- It knows nothing of Slack: messages come in as `Incoming`, and everything said goes through bot.say.Say
  (imported for its type only), which turns it into outbox rows for Slack and, for a requester who wrote by
  email, for email. All of one message's effects are written in the caller's transaction, so a crash leaves
  either all of them or none, and the inbox row is redone.
- A top-level message with no request yet opens one (status intake) with its text as the description and the
  requester's profile as unconfirmed contact details, unless it is a follow-up (`Incoming.follow_up_window`, in a
  customer's channel): then it joins the request its author last wrote to in that channel within the window,
  if one is not closed; the requester's replies in its thread answer the first
  missing field. A request's intake is its requester's (docs/security.md, "Who may do what"): an agent's message
  in the thread is recorded as the agent's, anyone else's is a comment (AuthorRole.OTHER) relayed to the agents,
  and neither answers a question nor brings attachments.
- Every answer is recorded as a message of the request; a refused answer changes nothing and is re-asked with
  the reason.
- Files come already saved (`SharedFile`): each is recorded on the request with the message that carried it, at
  any point of the conversation, and counts as the attachments answer. A file refused as too large is named to
  the requester with the limit, one refused for its type with the type, and the rest of the message goes on.
- When nothing is missing the request is complete: the priority is the matrix's suggestion (or the policy's
  default), the plan the customer's (or the policy's default), the response clock starts (for a request in a
  customer's channel, at the customer's message: the request opens when it was written), the deadlines are
  stored, the requester gets the SR number and the response deadline in their own zone (an automated message,
  which never counts as a response), and the agents get a triage card.
- Idempotent keys: what a message makes the bot say is keyed by that message, so doing it twice says it once.
- A request's next deadline (`requests_of`) is its earliest pending deadline (storage.deadlines: still to be met,
  breached ones included).
- Email (bot.email) comes in through the same steps: `open_from_email` opens a request whose Slack thread the bot
  opens in the intake channel, and `into_request` takes a message already matched to its request. An email
  requester is known by address (`Profile.slack` is False), and their messages are recorded as email. An email
  reply answers every missing field it can (bot.desk.intake.one_reply), each on its own, and what is still
  missing is asked in one email; the first email's labelled answers ("Phone: …") are taken too.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.actor import ACTOR
from bot.config.desk import DeskConfig
from bot.desk import clocks
from bot.desk.customers import customer_id
from bot.desk.intake.answers import Refused, parse_email, parse_phone, plain_text
from bot.desk.intake.draft import MAX_DESCRIPTION, Context, Draft, answer
from bot.desk.intake.form import FormValues, apply_form, check_form
from bot.desk.intake.one_reply import read_reply
from storage import deadlines, messages, people, tickets
from storage.attachments import StoredFile
from storage.engine import Session
from storage.kinds import AuthorRole, MessageChannel, TicketStatus

if TYPE_CHECKING:
    from bot.say import Say

Files = tuple[tuple[str, str], ...]  # the (name, path in the attachment store) of files to share
TERMS = ("plan", "kind", "priority")  # the changes the clocks read from the event log


@dataclass(frozen=True)
class Profile:
    """What Slack says about the requester."""

    user: str
    team: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    time_zone: str | None = None
    slack: bool = True  # False: an email requester, whose `user` is their address

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.time_zone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")


@dataclass(frozen=True)
class SharedFile:
    """A file that came with a message: saved in the attachment store, or refused for being over `limit` bytes, or
    for its content being of a blocked type (`blocked_type`, detected from the bytes)."""

    name: str
    size: int
    stored: StoredFile | None = None
    limit: int | None = None
    blocked_type: str | None = None


@dataclass(frozen=True)
class Incoming:
    """A requester's message: where it is, what it says, its files, and its key (the inbox key, for idempotency)."""

    key: str
    channel: str
    thread_ts: str
    ts: str
    text: str
    profile: Profile
    files: tuple[SharedFile, ...] = ()
    email_message_id: str | None = None  # set for an email: its Message-ID
    by_agent: bool = False  # the writer is an agent (Slack: bot.slack.agents; email: a proven agent's address)
    written_at: datetime | None = None  # in a customer's channel: when it was written, the request's opening
    follow_up_window: timedelta | None = None  # a top-level message that joins its author's recent request

    @property
    def stored_files(self) -> tuple[str, ...]:
        """The hashes of the files that were saved; the draft counts them."""
        return tuple(file.stored.sha256 for file in self.files if file.stored is not None)

    @property
    def is_top_level(self) -> bool:
        return self.thread_ts == self.ts


@dataclass(frozen=True)
class Written:
    """A message recorded on a request, that the desk acts on: any message past intake, or a comment by someone
    other than the requester during it."""

    ticket: tickets.TicketRecord
    writer: AuthorRole  # REQUESTER, AGENT or OTHER


@dataclass(frozen=True)
class Pressed:
    """A ready answer picked with a button under a question of a request in intake."""

    key: str
    ticket_id: int
    field: str
    value: str
    profile: Profile


@dataclass(frozen=True)
class FormSubmission:
    """A filled-in support form: for request `ticket_id`, or a new one whose conversation goes to `channel`."""

    key: str
    profile: Profile
    values: FormValues
    ticket_id: int | None = None
    channel: str | None = None
    files: tuple[SharedFile, ...] = ()
    origin: str | None = None  # the channel the form was asked for in, whose customer it is


@dataclass(frozen=True)
class RequestSummary:
    """One of a requester's requests as `/support status` lists it."""

    sr: str
    status: str
    description: str | None
    next_label: str | None
    next_due: datetime | None


class Intake:
    """The intake service for one desk."""

    def __init__(self, desk: DeskConfig, say: "Say") -> None:
        self.desk, self.say = desk, say
        self.has_matrix = desk.policy.matrix is not None

    def message(self, session: Session, incoming: Incoming, now: datetime) -> Written | None:
        """Handle a message: open a request, or join the request of its thread (`into_request`)."""
        ticket = tickets.find_ticket(session, slack_thread=(incoming.channel, incoming.thread_ts))
        if ticket is None and incoming.is_top_level and incoming.follow_up_window is not None:
            since = (incoming.written_at or now) - incoming.follow_up_window
            ticket = messages.recent_request_of(
                session, slack_channel=incoming.channel, author=incoming.profile.user, since=since
            )
        if ticket is None:
            if incoming.is_top_level:
                self._open(session, incoming, now)
            return None
        return self.into_request(session, ticket, incoming, now)

    def into_request(
        self, session: Session, ticket: tickets.TicketRecord, incoming: Incoming, now: datetime
    ) -> Written | None:
        """A message that belongs to `ticket`, recorded with who wrote it (`writer`). In intake, the requester's
        answers its question; an agent's is only recorded; anyone else's is a comment, returned for the desk to
        relay, and its writer is told (never an answer). Past intake, every message is returned for the desk."""
        writer = self._writer(session, ticket, incoming)
        before = _draft(session, ticket)
        self._record(session, ticket, incoming, incoming.text, incoming.files, now, writer)
        if ticket.status != TicketStatus.INTAKE:
            return Written(ticket, writer)
        if writer == AuthorRole.REQUESTER:
            self._answer(session, ticket, before, incoming, now)
            return None
        if writer == AuthorRole.AGENT:
            return None
        if incoming.profile.slack:
            self.say.comment_kept(ticket, incoming.profile.user, key=f"{incoming.key}:kept")
        return Written(ticket, writer)

    def _writer(self, session: Session, ticket: tickets.TicketRecord, incoming: Incoming) -> AuthorRole:
        """The requester (by Slack user, or by the requester's or the contact address for email), else an agent,
        else someone else."""
        who = incoming.profile.user
        by_contact = not incoming.profile.slack and (ticket.contact_email or "").lower() == who.lower()
        if by_contact or people.is_requester(session, ticket.requester_id, who):
            return AuthorRole.REQUESTER
        return AuthorRole.AGENT if incoming.by_agent else AuthorRole.OTHER

    def open_from_email(
        self,
        session: Session,
        incoming: Incoming,
        thread_id: str,
        now: datetime,
        opened: Callable[[tickets.TicketRecord], None],
    ) -> tuple[tickets.TicketRecord, Draft]:
        """A request opened by an email (its Message-ID `thread_id`); its Slack thread in the intake channel is
        the bot's to open, by `opened(ticket)`, called before the email and its files are recorded. `go_on` then
        asks for what is missing."""
        profile = incoming.profile
        draft = self._from_profile(profile).with_files(incoming.stored_files)
        described = answer(draft, "description", incoming.text, self._context(profile, now))
        draft = draft if isinstance(described, Refused) else described
        missing = draft.missing(has_matrix=self.has_matrix)
        draft = read_reply(draft, missing, incoming.text, self._context(profile, now), labelled_only=True).draft
        ticket = self._new_ticket(session, profile, (self.desk.intake_channel, None), draft, now, email=thread_id)
        opened(ticket)
        self._record(session, ticket, incoming, incoming.text, incoming.files, now)
        return ticket, draft

    def go_on(
        self, session: Session, ticket: tickets.TicketRecord, draft: Draft, key: str, zone: ZoneInfo, now: datetime
    ) -> None:
        """Show what the request holds; ask for the first missing field, or complete it."""
        self._continue(session, ticket, draft, key, zone, now)

    def opens(self, session: Session, incoming: Incoming, now: datetime) -> bool:
        """Open a request from a message someone else pointed at, unless its thread already holds one."""
        if tickets.find_ticket(session, slack_thread=(incoming.channel, incoming.thread_ts)) is not None:
            return False
        self._open(session, incoming, now)
        return True

    def press(self, session: Session, pressed: Pressed, now: datetime) -> tickets.TicketRecord | None:
        """Take a ready answer picked with a button; the request when it was taken, None when it no longer
        applies (the field was answered already, say by a double click, or the request is complete)."""
        ticket = tickets.get_ticket(session, pressed.ticket_id)
        before = _draft(session, ticket)
        if ticket.status != TicketStatus.INTAKE or pressed.field not in before.missing(has_matrix=self.has_matrix):
            return None
        result = answer(before, pressed.field, pressed.value, self._context(pressed.profile, now))
        if isinstance(result, Refused):
            self.say.ask(ticket, pressed.field, result, key=f"{pressed.key}:ask")
            return None
        actor = pressed.profile.user
        ticket = tickets.change_ticket(session, ticket.id, _columns(result, self.has_matrix), actor=actor, now=now)
        self._continue(session, ticket, result, pressed.key, pressed.profile.zone, now)
        return ticket

    def submit_form(self, session: Session, form: FormSubmission, now: datetime) -> tickets.TicketRecord | None:
        """Take a support form: it fills in its request (while in intake) or opens a new one; None when it
        no longer applies or does not pass the checks (the receiver showed those errors already)."""
        profile = form.profile
        ticket = tickets.get_ticket(session, form.ticket_id) if form.ticket_id is not None else None
        if ticket is not None and ticket.status != TicketStatus.INTAKE:
            return None
        before = _draft(session, ticket) if ticket is not None else Draft()
        checked = check_form(form.values, self._context(profile, now), has_files=bool(before.attachments))
        if isinstance(checked, dict):
            return None
        draft = apply_form(before, checked, tuple(f.stored.sha256 for f in form.files if f.stored is not None))
        if ticket is None:
            thread = (form.channel or profile.user, None)
            ticket = self._new_ticket(session, profile, thread, draft, now, origin=form.origin)
        else:
            columns = _columns(draft, self.has_matrix)
            ticket = tickets.change_ticket(session, ticket.id, columns, actor=profile.user, now=now)
        said = Incoming(form.key, ticket.slack_channel or "", "", "", checked.description, profile, form.files)
        self._record(session, ticket, said, checked.description, form.files, now)
        self._continue(session, ticket, draft, form.key, profile.zone, now)
        return ticket

    def form_draft(self, session: Session, ticket_id: int) -> tuple[tickets.TicketRecord, Draft] | None:
        """What prefills the form of a request still in intake; None once it is complete."""
        ticket = tickets.get_ticket(session, ticket_id)
        return (ticket, _draft(session, ticket)) if ticket.status == TicketStatus.INTAKE else None

    def new_draft(self, profile: Profile, text: str) -> Draft:
        """What prefills the form of a new request: the profile's contact details and what was typed."""
        return replace(self._from_profile(profile), description=plain_text(text)[:MAX_DESCRIPTION] or None)

    def requests_of(
        self, session: Session, profile: Profile, limit: int, *, open_only: bool = False
    ) -> tuple[list[RequestSummary], int]:
        """The requester's own requests (not closed, with `open_only`), newest first (at most `limit`), and how
        many more there are."""
        found, total = tickets.requested_by(
            session, slack_team_id=profile.team, slack_user_id=profile.user, limit=limit, open_only=open_only
        )
        labels = self.desk.policy.target_labels()
        summaries = []
        for ticket in found:
            due = sorted(
                (d.due_at, d.target)
                for d in deadlines.deadlines_of(session, ticket.id)
                if d.pending and d.due_at is not None and ticket.status != TicketStatus.DEFERRED
            )  # a deferred request's conversation is closed: its fix is the agents' to track
            summary = RequestSummary(ticket.sr, ticket.status.value, ticket.description, None, None)
            summaries.append(replace(summary, next_due=due[0][0], next_label=labels[due[0][1]]) if due else summary)
        return summaries, total - len(found)

    def _open(self, session: Session, incoming: Incoming, now: datetime) -> None:
        profile = incoming.profile
        draft = self._from_profile(profile).with_files(incoming.stored_files)
        described = answer(draft, "description", incoming.text, self._context(profile, now))
        draft = draft if isinstance(described, Refused) else described
        opened = min(incoming.written_at, now) if incoming.written_at else now
        ticket = self._new_ticket(session, profile, (incoming.channel, incoming.thread_ts), draft, opened)
        self._record(session, ticket, incoming, incoming.text, incoming.files, opened)
        self._continue(session, ticket, draft, incoming.key, profile.zone, now)

    def _new_ticket(
        self,
        session: Session,
        profile: Profile,
        thread: tuple[str, str | None],
        draft: Draft,
        now: datetime,
        origin: str | None = None,
        email: str | None = None,
    ) -> tickets.TicketRecord:
        """A new request of `profile`'s in Slack `thread` (channel, ts; no ts yet when the bot opens the thread),
        opened by the email whose Message-ID is `email` if any; its customer is the one of `origin` or of the
        thread's channel, else the one of the requester's email."""
        channel, thread_ts = thread
        customer = (
            self.desk.customer_for_channel(origin or channel)
            or (self.desk.customer_for_channel(channel) if origin else None)
            or (self.desk.customer_for_email(profile.email) if profile.email else None)
        )
        requester = people.save_requester(
            session,
            now=now,
            slack_team_id=profile.team if profile.slack else None,
            slack_user_id=profile.user if profile.slack else None,
            email=profile.email,
            name=profile.name,
            phone=profile.phone,
            time_zone=profile.time_zone,
        )
        columns = _columns(draft, self.has_matrix)
        ticket = tickets.open_ticket(
            session,
            kind=str(columns.pop("kind", "question")),
            actor=profile.user,
            now=now,
            requester_id=requester,
            plan=customer.plan if customer else None,
            customer_id=customer_id(session, customer, now) if customer else None,
            slack_channel=channel,
            slack_thread_ts=thread_ts,
            email_thread_id=email,
            **columns,
        )
        self.say.opened(ticket)
        return ticket

    def _answer(
        self, session: Session, ticket: tickets.TicketRecord, before: Draft, incoming: Incoming, now: datetime
    ) -> None:
        if not incoming.profile.slack:
            self._answer_several(session, ticket, before, incoming, now)
            return
        field = before.missing(has_matrix=self.has_matrix)[0]
        draft = before.with_files(incoming.stored_files)
        files_only = bool(incoming.files) and not plain_text(incoming.text)
        if files_only or (incoming.stored_files and field == "attachments"):
            result: Draft | Refused = draft  # the files are the answer, or all the message brings
        else:
            result = answer(draft, field, incoming.text, self._context(incoming.profile, now))
        if isinstance(result, Refused):
            if draft != before:
                tickets.change_ticket(
                    session, ticket.id, _columns(draft, self.has_matrix), actor=incoming.profile.user, now=now
                )
            self.say.ask(ticket, field, result, key=f"{incoming.key}:ask")
            return
        ticket = tickets.change_ticket(
            session, ticket.id, _columns(result, self.has_matrix), actor=incoming.profile.user, now=now
        )
        self.say.answered_in_words(ticket, key=f"{incoming.key}:answered")
        self._continue(session, ticket, result, incoming.key, incoming.profile.zone, now)

    def _answer_several(
        self, session: Session, ticket: tickets.TicketRecord, before: Draft, incoming: Incoming, now: datetime
    ) -> None:
        """An email reply: every missing field it answers is taken, each on its own (bot.desk.intake.one_reply);
        what is still missing is asked again in one email, saying what was taken and what was refused."""
        draft = before.with_files(incoming.stored_files)
        reading = read_reply(draft, before.missing(has_matrix=self.has_matrix), incoming.text, self._context(
            incoming.profile, now))  # fmt: skip
        if reading.draft != before:
            columns = _columns(reading.draft, self.has_matrix)
            ticket = tickets.change_ticket(session, ticket.id, columns, actor=incoming.profile.user, now=now)
        if reading.taken:
            self.say.answered_in_words(ticket, key=f"{incoming.key}:answered")
        missing = reading.draft.missing(has_matrix=self.has_matrix)
        if not missing:
            self._continue(session, ticket, reading.draft, incoming.key, incoming.profile.zone, now)
            return
        self.say.intake_status(ticket, reading.draft, missing, incoming.profile.zone, key=f"{incoming.key}:status")
        self.say.ask(
            ticket, missing[0], reading.refused.get(missing[0]), key=f"{incoming.key}:ask", taken=reading.taken,
            refusals=reading.refused,
        )  # fmt: skip

    def _continue(
        self, session: Session, ticket: tickets.TicketRecord, draft: Draft, key: str, zone: ZoneInfo, now: datetime
    ) -> None:
        """Show what the request holds; ask for the first missing field, or complete it."""
        missing = draft.missing(has_matrix=self.has_matrix)
        self.say.intake_status(ticket, draft, missing, zone, key=f"{key}:status")
        if missing:
            self.say.ask(ticket, missing[0], None, key=f"{key}:ask")
            return
        self._complete(session, ticket, draft, key, zone, now)

    def _complete(
        self, session: Session, ticket: tickets.TicketRecord, draft: Draft, key: str, zone: ZoneInfo, now: datetime
    ) -> None:
        policy = self.desk.policy
        priority = policy.suggested_priority(draft.impact, draft.urgency) or policy.default_priority
        plan = ticket.plan or policy.default_plan
        kind = draft.kind or policy.default_kind
        changes = {"status": TicketStatus.OPEN, "completed_at": now, "priority": priority, "plan": plan, "kind": kind}
        ticket = tickets.change_ticket(session, ticket.id, changes, actor=ACTOR, now=now, action="ticket.completed")
        log = [("complete", ""), ("plan", plan), ("kind", kind), ("priority", priority)]
        in_customer_channel = self.desk.customer_for_channel(ticket.slack_channel or "") is not None
        clocks.record(session, ticket.id, log, at=ticket.opened_at if in_customer_channel else now, actor=ACTOR)
        state = clocks.recompute(session, policy, ticket.id, now=now, actor=ACTOR)
        self.say.completed(ticket, state, zone, key=f"{key}:completed")
        files = tuple((file.name, file.stored_path) for file in messages.attachments_of(session, ticket.id))
        self.say.triage_card(ticket, draft, state, files, key=f"{key}:triage")

    def _record(
        self,
        session: Session,
        ticket: tickets.TicketRecord,
        said: Incoming,
        text: str,
        files: tuple[SharedFile, ...],
        now: datetime,
        writer: AuthorRole = AuthorRole.REQUESTER,
    ) -> None:
        """The message, then each file it carried: recorded with it, or named to the requester when refused. Only
        the requester's files are the request's attachments; anyone else's go to the agents with the message."""
        author, key, by_email = said.profile.user, said.key, said.email_message_id is not None
        message = messages.add_message(
            session,
            ticket.id,
            author=author,
            author_role=writer,
            public=True,
            channel=MessageChannel.EMAIL if by_email else MessageChannel.SLACK,
            text=text,
            at=now,
            slack_ts=None if by_email else (said.ts or None),
            email_message_id=said.email_message_id,
        )
        for index, file in enumerate(files if writer == AuthorRole.REQUESTER else ()):
            if file.blocked_type is not None:
                self.say.file_refused(ticket, file.name, file.blocked_type, key=f"{key}:refused:{index}")
                continue
            if file.stored is None:
                limit = file.limit if file.limit is not None else self.desk.intake.max_attachment_bytes
                self.say.file_too_large(ticket, file.name, limit, key=f"{key}:too_large:{index}")
                continue
            stored = file.stored
            messages.add_attachment(
                session,
                ticket.id,
                name=stored.name,
                size=stored.size,
                content_type=stored.content_type,
                sha256=stored.sha256,
                stored_path=stored.stored_path,
                actor=author,
                now=now,
                message_id=message.id,
            )

    def _from_profile(self, profile: Profile) -> Draft:
        """Contact details from the Slack profile, kept only when valid (else they are asked for)."""
        email = parse_email(profile.email) if profile.email else None
        phone = parse_phone(profile.phone, self.desk.phone_region) if profile.phone else None
        return Draft(
            email=None if isinstance(email, Refused) else email,
            phone=None if isinstance(phone, Refused) else phone,
        )

    def _context(self, profile: Profile, now: datetime) -> Context:
        matrix = self.desk.policy.matrix
        return Context(
            zone=profile.zone,
            region=self.desk.phone_region,
            now=now,
            impacts=tuple(choice.name for choice in matrix.impacts) if matrix else (),
            urgencies=tuple(choice.name for choice in matrix.urgencies) if matrix else (),
        )


def _columns(draft: Draft, has_matrix: bool) -> dict[str, object]:
    """The ticket columns that hold a draft."""
    return {
        "description": draft.description,
        "contact_email": draft.email,
        "contact_phone": draft.phone,
        "occurred_at": draft.occurred_at,
        "reproduction_steps": draft.steps,
        "attachments_none": draft.attachments_answered and not draft.attachments,
        "impact": draft.impact,
        "urgency": draft.urgency,
        "missing_fields": list(draft.missing(has_matrix=has_matrix)),
        **({"kind": draft.kind} if draft.kind else {}),
    }


def _draft(session: Session, ticket: tickets.TicketRecord) -> Draft:
    """The draft a stored request in intake holds; what is not missing any more was answered."""
    missing = set(ticket.missing_fields)
    files = tuple(dict.fromkeys(file.sha256 for file in messages.attachments_of(session, ticket.id)))
    return Draft(
        description=ticket.description,
        email=ticket.contact_email,
        phone=ticket.contact_phone,
        contact_confirmed="contact" not in missing,
        occurred_at=ticket.occurred_at,
        steps=ticket.reproduction_steps,
        steps_answered="steps" not in missing,
        attachments=files,
        attachments_answered="attachments" not in missing,
        impact=ticket.impact,
        urgency=ticket.urgency,
        kind=None if "kind" in missing else ticket.kind,
    )
