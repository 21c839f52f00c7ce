"""What the desk says by email: to a requester who wrote by email, in the request's thread; notices to customers'
requesters; escalations to a level's addresses. The mail side of bot.say.Say, a peer of bot.slack.say (neither
imports the other).

Rules:
- A request opened by email (it has a root Message-ID) gets, besides what Slack shows, an email for each
  notification the desk config turns on (bot.config.email.NOTIFICATIONS): the intake's questions, the
  confirmation with the SR number, agents' public replies, resolution and closing, the rating question, and a
  status notice each time the update cadence falls due. A request opened in Slack gets none of these by email.
- The intake asks every missing field in one email, numbered, each with the label a reply may answer it under
  ("Phone: …"); after a reply, it first says which answers were taken and why the others were refused.
- Every email is one outbox row keyed by what caused it (the same key as the Slack saying, plus ":email"), so it
  is sent once. Its subject names the SR number (`[SR-000123] Re: <the first email's subject>`), and it answers
  the request's latest email (In-Reply-To) with the thread's Message-IDs in References, so that the requester's
  client threads it and their reply comes back to the same request. It is recorded as an outgoing email of the
  request, under the Message-ID it will be sent with.
- It goes to the request's contact email (confirmed in intake), else to the address the request came from.
- Automated notices (everything but an agent's words) carry `Auto-Submitted: auto-generated`.
- Notices (outages, maintenance) and escalations are automated emails too, keyed by the caller.
- Words come from templates/email/requester_*, notice_* and escalation_*.
"""

import math
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.config.desk import DeskConfig
from bot.desk.intake.answers import Refused
from bot.desk.reminders import Reminder
from bot.email.mail_payload import EmailPayload, enqueue_email, enqueue_payload
from bot.email.sender import message_id_for
from bot.render import render
from sla.clocks import Clocks
from storage import mail, people
from storage.engine import Session
from storage.kinds import EmailOutcome
from storage.tickets import TicketRecord

REFERENCES = 20  # the newest Message-IDs of the thread named in References
AGENTS_WORDS = frozenset({"reply", "workaround", "fix", "deferred", "engineering_update"})
NOTIFICATION_OF = {
    "reply": "replies",
    "engineering_update": "replies",  # an engineer's public comment on the defect's tracker issue
    "workaround": "replies",
    "fix": "replies",
    "deferred": "replies",
    "resolved": "resolution",
    "reopened": "resolution",
    "closed": "resolution",
    "closed_auto": "resolution",
}


class MailSayer:
    """What the desk says by email, in the transaction of `session`: to the requester of a request opened by email,
    notices to customers' requesters, and escalations to a level's addresses. It knows nothing of Slack (bot.say
    routes each saying here, to bot.slack.say, or to both)."""

    def __init__(self, session: Session, desk: DeskConfig, now: datetime) -> None:
        self.session, self.desk, self.now = session, desk, now

    def to_request(self, ticket: TicketRecord, what: str, notification: str, *, key: str, **values: Any) -> bool:
        """Email `what` about an email request to its requester; False when it is not one, the notification is
        off, there is no address, or `key` was sent already."""
        if ticket.email_thread_id is None or not self.desk.email.notifies(notification):
            return False
        to = ticket.contact_email or (
            people.requester_email(self.session, ticket.requester_id) if ticket.requester_id else None
        )
        if not to:
            return False
        records = mail.emails_of(self.session, ticket.id)
        first = next((record for record in records if record.direction == "in"), None)
        latest = next((record for record in reversed(records) if record.direction == "in"), None)
        thread = [record.message_id for record in records if record.message_id]
        in_reply_to = latest.message_id if latest and latest.message_id else ticket.email_thread_id
        values = {"sr": ticket.sr, "what": what, **values}
        subject = render("email/requester_subject.txt.j2", subject=first.subject if first else None, **values)
        return self._send(
            to,
            subject,
            values,
            key=key,
            ticket_id=ticket.id,
            in_reply_to=in_reply_to,
            references=tuple(dict.fromkeys([ticket.email_thread_id, *thread[-REFERENCES:]])),
            automated=what not in AGENTS_WORDS,
        )

    def too_large(self, to: str, subject: str, message_id: str | None, size: int, *, key: str) -> bool:
        """The one polite answer to a message over the size cap."""
        values = {
            "sr": "",
            "what": "too_large_email",
            "subject_line": subject or "(no subject)",
            "size_mb": size / (1024 * 1024),
            "limit_mb": self.desk.email.max_message_bytes / (1024 * 1024),
        }
        title = render("email/requester_subject.txt.j2", subject=None, **values)
        references = (message_id,) if message_id else ()
        return self._send(to, title, values, key=key, in_reply_to=message_id, references=references, automated=True)

    def _send(
        self,
        to: str,
        subject: str,
        values: dict[str, Any],
        *,
        key: str,
        in_reply_to: str | None,
        references: tuple[str, ...],
        automated: bool,
        ticket_id: int | None = None,
    ) -> bool:
        desk = self.desk.email
        text = render("email/requester_body.txt.j2", name=None, desk_name=desk.name, **values)
        html = render("email/requester_body.html.j2", subject=subject, text=text)
        message_id = message_id_for(key, desk.domain)
        payload = EmailPayload.checked(
            to, subject, text, in_reply_to, references=references, html=html, message_id=message_id,
            automated=automated,
        )  # fmt: skip
        if not enqueue_payload(self.session, key=key, payload=payload, now=self.now, ticket_id=ticket_id):
            return False
        mail.record_email(
            self.session, direction="out", outcome=EmailOutcome.SENT, now=self.now, message_id=message_id,
            ticket_id=ticket_id, recipient=payload.to, subject=payload.subject,
        )  # fmt: skip
        return True

    # -- the sayings of bot.say.Say that reach a requester (or anyone) by email ------------------------------

    def ask(
        self, ticket: TicketRecord, field: str, refused: Refused | None, *, key: str, taken: tuple[str, ...] = (),
        refusals: dict[str, Refused] | None = None,
    ) -> None:  # fmt: skip
        """Every missing field in one email (the request's `missing_fields`, else `field`), after what the last
        reply gave (`taken`) and why its other answers were refused."""
        fields = tuple(ticket.missing_fields) or (field,)
        refused_by_field = refusals if refusals is not None else ({field: refused} if refused else {})
        self.to_request(
            ticket, "question", "questions", key=f"{key}:email", fields=fields, taken=taken,
            refusals=refused_by_field, matrix=self.desk.policy.matrix, contact_email=ticket.contact_email,
            contact_phone=ticket.contact_phone,
        )  # fmt: skip

    def completed(self, ticket: TicketRecord, state: Clocks, zone: ZoneInfo, *, key: str) -> None:
        response = next((target for target in state.targets if target.name == "response"), None)
        due = response.due_at.astimezone(zone) if response and response.due_at else None
        self.to_request(ticket, "completed", "confirmation", key=f"{key}:email", due=due, zone=zone.key)

    def to_requester(self, ticket: TicketRecord, what: str, details: dict[str, str], *, key: str) -> None:
        rating = what in ("closed", "closed_auto") and self.desk.email.notifies("satisfaction")
        notification = NOTIFICATION_OF.get(what, "replies")
        self.to_request(ticket, what, notification, key=f"{key}:email", details=details, rating=rating)

    def reply_in_thread(self, ticket: TicketRecord, agent: str, text: str, *, key: str) -> None:
        """An agent answered in the request's Slack thread: the requester by email gets it too."""
        details = {"agent": agent, "text": text}
        self.to_request(ticket, "reply", "replies", key=f"{key}:email", details=details, rating=False)

    def file_too_large(self, ticket: TicketRecord, name: str, limit: int, *, key: str) -> None:
        values = {"name_of_file": name, "limit_mb": limit / (1024 * 1024)}
        self.to_request(ticket, "file_too_large", "questions", key=f"{key}:email", **values)

    def file_refused(self, ticket: TicketRecord, name: str, content_type: str, *, key: str) -> None:
        values = {"name_of_file": name, "content_type": content_type}
        self.to_request(ticket, "file_refused", "questions", key=f"{key}:email", **values)

    def intake_reminder(self, ticket: TicketRecord, closes_in: timedelta, *, key: str) -> None:
        hours = max(1, math.ceil(closes_in.total_seconds() / 3600))
        self.to_request(ticket, "intake_reminder", "questions", key=f"{key}:email", closes_in_hours=hours)

    def intake_closed(self, ticket: TicketRecord, *, key: str) -> None:
        self.to_request(ticket, "intake_closed", "questions", key=f"{key}:email")

    def update_notice(self, reminder: Reminder) -> None:
        """The update cadence fell due: a requester by email gets a status notice (when the desk wants it)."""
        if reminder.what == "update":
            ticket = reminder.ticket
            values = {"status": ticket.status.value, "priority": ticket.priority}
            self.to_request(ticket, "update", "updates", key=f"{reminder.key}:email", **values)

    def notice(self, ticket_id: int | None, to: str, what: str, details: dict[str, str], *, key: str) -> None:
        """A notice to a customer's requester (an outage, a maintenance window), delivered by the email worker."""
        values = {"what": what, "details": details, "zone": self.desk.policy.calendar.zone}
        subject = render("email/notice_subject.txt.j2", **values)
        text = render("email/notice_body.txt.j2", **values)
        enqueue_email(
            self.session, key=key, to=to, subject=subject, text=text, now=self.now, ticket_id=ticket_id, automated=True
        )

    def escalation(self, reminder: Reminder, to: str, *, key: str) -> None:
        """An escalation step, to one of the level's addresses."""
        values = {"r": reminder, "zone": self.desk.policy.calendar.zone}
        subject = render("email/escalation_subject.txt.j2", **values)
        text = render("email/escalation_body.txt.j2", **values)
        enqueue_email(
            self.session, key=key, to=to, subject=subject, text=text, now=self.now, ticket_id=reminder.ticket.id,
            automated=True,
        )  # fmt: skip
