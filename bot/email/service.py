"""The email service: a stored email opens a request, joins its request, is held for the agents, or is only
recorded. It knows nothing of IMAP or Slack: it reads the stored raw message, and says
everything through bot.say.Say.

Rules, in the order they are applied:
1. Unparseable (headers the ingest could not read, a message beyond bot.email.limits, anything the parser
   refuses, and whatever still raises while it is read and its files saved, except the store itself failing):
   held for review with the reason (the raw message is kept), never dropped and never retried.
2. Our own message come back (X-Frontdesk-Key, or From our address): recorded, never answered.
3. A Message-ID seen before (the same message in two mailboxes): recorded as a duplicate.
4. Automated mail (auto-replies, bulk and list mail, bounces): recorded with the request it refers to, never
   answered, so no loop can start.
5. No sender address: held. Over the sender's rate (`[email] rate_per_hour`): held; the agents hear of it once
   per sender and hour, and nothing is answered.
6. Over the size cap (stored by its headers only): one polite reply with the limit.
7. Who the sender is counts only when our own mail server proved the From address (`verdict`, by the rules of
   bot.email.verdicts: DMARC passed, or DKIM or SPF passed aligned with the From domain; never without
   `[email] authserv_id`). Mail from an agent's address (the desk config's emails, L2 and L3 included) is held
   when it is not proven ("unverified"), and always when `[email] agents_reply_by_email` is false
   ("agents_by_email_off"): it never reaches a requester nor stops a clock.
8. Threading: the SR number in the subject; else In-Reply-To, then References (newest first), to a message we
   sent or stored; else a new request. A message that names a request joins it only when no SPF/DKIM/DMARC
   verdict of our server failed ("auth_failed"), its From is proven ("unverified"), and its sender is the
   request's contact or requester, an agent, or someone at the same customer's domain ("not_trusted"). Anything
   else is held, naming the request, for the agents to attach, open as a new request, or dismiss (`release`).
   An attached message speaks as an agent only when its sender may (rule 7); else it is relayed to the agents.
9. A new request: a new thread in the intake channel (sender, subject, text, files), the intake asks by email.
   A message that joins a request is shown in its Slack thread and then, when its sender is the request's
   requester or contact: answers the intake's question; or answers "is it solved?" ("yes" closes, "no" reopens);
   or rates a closed request (a leading 1 to 5, the rest is the comment); or is relayed to the agents' thread
   (resuming a pause). An agent writing by email answers in public (past intake). Anyone else (a colleague at
   the customer) is relayed to the agents as a comment, and answers nothing.
Files (attachments and inline images) are stored through the attachment store's rules (size cap, type detected
from the bytes, blocked types) before the transaction; each email is recorded with its outcome in the same
transaction as its effects.
"""

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.act import Act, ActContext
from bot.config.desk import DeskConfig
from bot.desk.actions import AgentActions
from bot.desk.closing import SCORES, Closing
from bot.desk.intake.requests import Incoming, Intake, Profile, SharedFile
from bot.desk.outcomes import Actor
from bot.email.parse import ParsedEmail, Unparseable, parse_email, sr_numbers
from storage import inbox, mail, people, tickets
from storage.attachments import AttachmentStore
from storage.engine import Session
from storage.errors import AttachmentTooLargeError, AttachmentTypeBlockedError, StorageError
from storage.kinds import AuthorRole, EmailOutcome, EmailReview, TicketStatus

if TYPE_CHECKING:
    from bot.say import Say

RATE_WINDOW = timedelta(hours=1)
YES = frozenset({"yes", "y", "solved", "resolved", "fixed", "ok", "okay", "oui", "ja", "si", "sí"})
NO = frozenset({"no", "n", "not", "nope", "non", "nein"})
_FIRST_WORD = re.compile(r"\w+", re.UNICODE)
_SCORE = re.compile(r"^\s*([1-5])(?:\s*/\s*5)?\b\s*[.,:;!-]*\s*(.*)$", re.DOTALL)


@dataclass(frozen=True)
class StoredMail:
    """What an inbox row of source "email" names (bot.email.ingest)."""

    key: str
    mailbox: str
    raw_path: str
    size: int
    truncated: bool
    unreadable: str | None = None  # why the ingest could not read its headers

    @classmethod
    def of(cls, claim: inbox.InboxClaim) -> "StoredMail":
        payload = claim.payload
        unreadable = str(payload["unreadable"]) if payload.get("unreadable") else None
        return cls(claim.key, str(payload["mailbox"]), str(payload["raw_path"]), int(payload["size"]),
                   bool(payload.get("truncated")), unreadable)  # fmt: skip


@dataclass(frozen=True)
class Received:
    """A stored email, parsed, its files saved."""

    stored: StoredMail
    parsed: ParsedEmail | Unparseable
    files: tuple[SharedFile, ...] = ()

    def record(self, **values: Any) -> dict[str, Any]:
        """The email record's values for this message."""
        parsed = self.parsed
        base: dict[str, Any] = {"direction": "in", "mailbox": self.stored.mailbox, "raw_path": self.stored.raw_path,
                                "size": self.stored.size}  # fmt: skip
        if isinstance(parsed, ParsedEmail):
            base |= {"message_id": parsed.message_id, "sender": parsed.sender, "subject": parsed.subject}
        return base | values


class MailDesk:
    """The email service of one desk: `files` keeps attachments, `raw` the raw messages."""

    def __init__(self, desk: DeskConfig, files: AttachmentStore, raw: AttachmentStore) -> None:
        self.desk, self.files, self.raw = desk, files, raw
        email = desk.email
        self.agent_emails = frozenset(
            address.lower() for people_at in (desk.agents, *desk.levels.values()) for address in people_at.emails
        )
        self.own_address = email.address

    # -- the inbox row -------------------------------------------------------------------------------------

    def prepare(self, claim: inbox.InboxClaim) -> Act:
        """What a stored email does, parsed and its files saved before the transaction."""
        received = self.received(StoredMail.of(claim))

        def act(ctx: ActContext) -> None:
            self.handle(ctx.session, received, ctx.intake, ctx.say, ctx.now)

        return act

    def received(self, stored: StoredMail) -> Received:
        """The stored message read (Unparseable when it cannot be: rule 1), its files saved."""
        if stored.unreadable is not None:
            return Received(stored, Unparseable(stored.unreadable))
        with self.raw.open(stored.raw_path) as file:
            raw = file.read()
        try:
            parsed = parse_email(raw, authserv_id=self.desk.email.authserv_id)
            if isinstance(parsed, Unparseable) or stored.truncated:
                return Received(stored, parsed)
            return Received(stored, parsed, self._save_files(parsed))
        except (OSError, StorageError):  # the store failing: the row is tried again
            raise
        except Exception as error:  # parsing promises never to raise; whatever still does is held, not retried
            return Received(stored, Unparseable(f"could not be read ({type(error).__name__})"))

    def handle(self, session: Session, received: Received, intake: Intake, say: "Say", now: datetime) -> None:
        parsed = received.parsed
        if isinstance(parsed, Unparseable):
            self._hold(session, received, say, now, "unparseable", parsed.reason)
            return
        ticket = self._thread(session, parsed)
        ticket_id = ticket.id if ticket else None
        if parsed.frontdesk_key or (parsed.sender and parsed.sender == self.own_address):
            mail.record_email(session, **received.record(outcome=EmailOutcome.OWN, now=now, ticket_id=ticket_id))
            return
        if parsed.message_id and mail.seen_message(session, parsed.message_id):
            mail.record_email(session, **received.record(outcome=EmailOutcome.DUPLICATE, now=now))
            return
        if parsed.automated:
            values = received.record(outcome=EmailOutcome.AUTOMATED, reason=parsed.automated, now=now)
            mail.record_email(session, **values, ticket_id=ticket_id)
            return
        if parsed.sender is None:
            self._hold(session, received, say, now, "no_sender")
            return
        if self._over_rate(session, parsed.sender, now):
            self._hold(session, received, say, now, "rate", named=ticket)
            return
        if received.stored.truncated:
            self._too_large(session, received, parsed, say, now)
            return
        impostor = self._agent_refused(parsed)
        if impostor is not None:
            self._hold(session, received, say, now, *impostor, named=ticket)
            return
        if ticket is None:
            self._open(session, received, parsed, intake, say, now)
            return
        distrust = self._distrust(session, ticket, parsed)
        if distrust is not None:
            self._hold(session, received, say, now, *distrust, named=ticket)
            return
        self._join(session, ticket, received, parsed, intake, say, now)

    # -- held messages ---------------------------------------------------------------------------------------

    def release(self, ctx: ActContext, record_id: int, decision: EmailReview, by: Actor) -> str | None:
        """An agent's decision on a held message: attach it to the request it names, open a new request from it,
        or dismiss it. The SR it went to ("" when dismissed); None when it was decided already or cannot be."""
        session, intake, say, now = ctx.session, ctx.intake, ctx.say, ctx.now
        entry = mail.get_email(session, record_id)
        if entry is None or entry.review is not EmailReview.HELD or entry.raw_path is None:
            return None
        if decision is EmailReview.ATTACHED and entry.named_ticket_id is None:
            return None
        stored = StoredMail(f"held:{record_id}", "held", entry.raw_path, 0, False)
        received = self.received(stored)
        parsed = received.parsed
        if decision is not EmailReview.DISMISSED and not isinstance(parsed, ParsedEmail):
            return None
        if not mail.decide_held(session, record_id, decision, by=by.user, now=now):
            return None
        if decision is EmailReview.DISMISSED:
            return ""
        assert isinstance(parsed, ParsedEmail)
        if decision is EmailReview.ATTACHED:
            assert entry.named_ticket_id is not None
            ticket = tickets.get_ticket(session, entry.named_ticket_id)
            self._join(session, ticket, received, parsed, intake, say, now, held=record_id)
        else:
            ticket = self._open(session, received, parsed, intake, say, now, held=record_id)
        return ticket.sr

    # -- steps -----------------------------------------------------------------------------------------------

    def _thread(self, session: Session, parsed: ParsedEmail) -> tickets.TicketRecord | None:
        """The request the message names: by SR number in the subject, else by the messages it answers."""
        for number in sr_numbers(parsed.subject):
            ticket = tickets.find_ticket(session, sr_number=number)
            if ticket is not None:
                return ticket
        answered = [*parsed.in_reply_to, *reversed(parsed.references)]
        ticket_id = mail.ticket_of_message_ids(session, answered)
        return tickets.get_ticket(session, ticket_id) if ticket_id is not None else None

    def _agent_refused(self, parsed: ParsedEmail) -> tuple[str, str] | None:
        """Why mail from an agent's address may not speak as an agent (rule 7); None when it may, or is no agent's."""
        if parsed.sender not in self.agent_emails:
            return None
        if not self.desk.email.agents_reply_by_email:
            return "agents_by_email_off", ""
        return None if parsed.verdict.proven else ("unverified", parsed.verdict.detail)

    def _as_agent(self, parsed: ParsedEmail) -> bool:
        """Whether the message speaks as an agent: from an agent's address, and allowed to (rule 7)."""
        return parsed.sender in self.agent_emails and self._agent_refused(parsed) is None

    def _distrust(self, session: Session, ticket: tickets.TicketRecord, parsed: ParsedEmail) -> tuple[str, str] | None:
        """Why the sender may not join `ticket` (a reason code and its detail); None when they may."""
        if parsed.auth_failure:
            return "auth_failed", parsed.auth_failure
        if not parsed.verdict.proven:
            return "unverified", parsed.verdict.detail
        sender = parsed.sender or ""
        requester = people.requester_email(session, ticket.requester_id) if ticket.requester_id else None
        contacts = {address.lower() for address in (ticket.contact_email, requester) if address}
        if sender in contacts or sender in self.agent_emails:
            return None
        customer = self.desk.customer_for_email(sender)
        if customer is not None and any(self.desk.customer_for_email(address) == customer for address in contacts):
            return None
        return "not_trusted", sender

    def _over_rate(self, session: Session, sender: str, now: datetime) -> bool:
        return mail.received_since(session, sender, now - RATE_WINDOW) >= self.desk.email.rate_per_hour

    def _hold(
        self, session: Session, received: Received, say: "Say", now: datetime, reason: str, detail: str = "",
        named: tickets.TicketRecord | None = None,
    ) -> None:  # fmt: skip
        """Kept for the agents: `reason` is unparseable, no_sender, rate, unverified, agents_by_email_off, auth_failed
        or not_trusted."""
        written = f"{reason}: {detail}" if detail else reason
        values = received.record(outcome=EmailOutcome.HELD, reason=written, now=now, review=EmailReview.HELD)
        record_id = mail.record_email(session, **values, named_ticket_id=named.id if named else None)
        parsed = received.parsed
        sender = parsed.sender if isinstance(parsed, ParsedEmail) else None
        if reason == "rate":  # one notice per sender and hour; the messages wait in the held list
            hour = now.replace(minute=0, second=0, microsecond=0).isoformat()
            say.mail_flood(sender or "", self.desk.email.rate_per_hour, key=f"email:rate:{sender}:{hour}")
            return
        details = _details(parsed) | {"reason": reason, "detail": detail, "sr": named.sr if named else ""}
        say.held_email(record_id, details)

    def _too_large(self, session: Session, received: Received, parsed: ParsedEmail, say: "Say", now: datetime) -> None:
        limit = self.desk.email.max_message_bytes
        reason = f"{received.stored.size} bytes, over the limit of {limit}"
        mail.record_email(session, **received.record(outcome=EmailOutcome.TOO_LARGE, reason=reason, now=now))
        to = parsed.reply_to or parsed.sender
        if to:
            key = f"{received.stored.key}:too_large"
            say.too_large(to, parsed.subject, parsed.message_id, received.stored.size, key=key)

    def _open(
        self, session: Session, received: Received, parsed: ParsedEmail, intake: Intake, say: "Say",
        now: datetime, *, held: int | None = None,
    ) -> tickets.TicketRecord:  # fmt: skip
        incoming = self._incoming(received, parsed, _description(parsed))
        thread_id = parsed.message_id or f"<{hashlib.sha256(received.stored.key.encode()).hexdigest()[:32]}@in>"

        def opened(ticket: tickets.TicketRecord) -> None:
            self._recorded(session, received, EmailOutcome.REQUEST, ticket.id, held, now)
            say.show_email(ticket, _details(parsed), _shared(received.files), opened=True, key=f"{incoming.key}:shown")

        ticket, draft = intake.open_from_email(session, incoming, thread_id, now, opened)
        intake.go_on(session, ticket, draft, incoming.key, incoming.profile.zone, now)
        return ticket

    def _join(
        self, session: Session, ticket: tickets.TicketRecord, received: Received, parsed: ParsedEmail,
        intake: Intake, say: "Say", now: datetime, *, held: int | None = None,
    ) -> None:  # fmt: skip
        incoming = replace(self._incoming(received, parsed, parsed.reply), by_agent=self._as_agent(parsed))
        self._recorded(session, received, EmailOutcome.REPLY, ticket.id, held, now)
        say.show_email(ticket, _details(parsed), _shared(received.files), opened=False, key=f"{incoming.key}:shown")
        joined = intake.into_request(session, ticket, incoming, now)
        if joined is None:
            return
        author = Actor(incoming.profile.user, incoming.by_agent, incoming.profile.name)
        actions = AgentActions(self.desk, say)
        theirs = joined.writer == AuthorRole.REQUESTER
        if theirs and self._answers_closing(session, joined.ticket, parsed.reply, author, actions, now, incoming):
            return
        files = _shared(received.files)
        actions.thread_message(session, joined.ticket, parsed.reply, author, now, incoming.key, files, joined.writer)

    def _recorded(
        self, session: Session, received: Received, outcome: EmailOutcome, ticket_id: int, held: int | None,
        now: datetime,
    ) -> None:  # fmt: skip
        """The message recorded as belonging to the request: a new record, or the held one given to it."""
        if held is None:
            mail.record_email(session, **received.record(outcome=outcome, now=now, ticket_id=ticket_id))
        else:
            mail.assign_ticket(session, held, ticket_id)

    def _answers_closing(
        self, session: Session, ticket: tickets.TicketRecord, text: str, author: Actor, actions: AgentActions,
        now: datetime, incoming: Incoming,
    ) -> bool:  # fmt: skip
        """Whether the message answers "is it solved?" or the rating question (and was taken as such)."""
        closing = Closing(actions)
        if ticket.status == TicketStatus.RESOLVED:
            word = _first_word(text)
            if word in YES or word in NO:
                closing.confirm(session, ticket.id, word in YES, author, now, incoming.key)
                return True
        if ticket.status == TicketStatus.CLOSED and ticket.satisfaction_score is None:
            score = _SCORE.match(text)
            if score is not None and int(score.group(1)) in SCORES:
                closing.rate(session, ticket.id, int(score.group(1)), author, now)
                if score.group(2).strip():
                    closing.comment(session, ticket.id, score.group(2).strip(), author, now)
                return True
        return False

    def _incoming(self, received: Received, parsed: ParsedEmail, text: str) -> Incoming:
        sender = parsed.sender or ""
        profile = Profile(
            user=sender,
            name=parsed.sender_name or None,
            email=sender,
            time_zone=self.desk.policy.calendar.zone.key,
            slack=False,
        )
        message_id = parsed.message_id or f"<{received.stored.key}>"
        return Incoming(received.stored.key, "", "", "", text, profile, received.files, email_message_id=message_id)

    def _save_files(self, parsed: ParsedEmail) -> tuple[SharedFile, ...]:
        saved = []
        for file in parsed.files:
            try:
                stored = self.files.save(file.content, file.name)
            except AttachmentTooLargeError:
                saved.append(SharedFile(file.name, len(file.content), limit=self.files.max_bytes))
                continue
            except AttachmentTypeBlockedError as error:
                saved.append(SharedFile(file.name, len(file.content), blocked_type=error.content_type))
                continue
            saved.append(SharedFile(stored.name, stored.size, stored=stored))
        return tuple(saved)


def _description(parsed: ParsedEmail) -> str:
    """What a new request says: its subject, then the new part of its text."""
    return "\n\n".join(part for part in (parsed.subject.strip(), parsed.reply.strip()) if part)


def _details(parsed: ParsedEmail | Unparseable) -> dict[str, str]:
    """What Slack shows of an email."""
    if isinstance(parsed, Unparseable):
        return {"sender": "", "name": "", "subject": "", "text": "", "auth_failure": ""}
    sender = parsed.sender or ""
    return {
        "sender": sender,
        "name": parsed.sender_name or sender,
        "subject": parsed.subject,
        "text": parsed.reply,
        "auth_failure": parsed.auth_failure or "",
    }


def _shared(files: tuple[SharedFile, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((file.name, file.stored.stored_path) for file in files if file.stored is not None)


def _first_word(text: str) -> str:
    found = _FIRST_WORD.search(text)
    return found.group().lower() if found else ""
