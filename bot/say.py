"""What the desk says, whatever the channel: one `Say` per transaction, which routes each saying to Slack
(bot.slack.say), to email (bot.email.say), or to both.

Rules:
- The services (bot.desk.intake, bot.desk, bot.email.service, bot.reports), the sweeps and the inbox worker say
  everything through a `Say` made for their transaction; they never choose a channel.
- Slack and email are peers: neither imports the other, and only this module knows both.
- Slack shows everything said about a request (its thread, the agents' card and thread). The requester of a
  request opened by email also gets, by email, what the requester is told: the intake's questions and notes,
  the confirmation, the desk's words to them, an agent's reply in the thread, and the update notices (bot.email.say
  says which, and when the desk config turns them off). Notices to customers go to their channels
  (`announce`) and by email to their requesters (`email`); an escalation is also emailed to the level's addresses.
- Outgoing webhooks (bot.integrations.webhooks.say) hear what the desk says about requests and outages: the
  request stored (`opened`), completed, closed, every change on the triage card, the warnings and breaches, and
  outages (`outage`); they store their calls in the same transaction.
- A Slack handler's own mechanics (modals, ephemeral answers, refusals, the Home tab) are Slack's alone; it
  calls them on `say.slack`.
"""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config.desk import NOBODY, DeskConfig, People
from bot.desk.actions import CardView
from bot.desk.intake.answers import Refused
from bot.desk.intake.draft import Draft
from bot.desk.intake.requests import Files
from bot.desk.outage import IncidentReport
from bot.desk.reminders import Reminder
from bot.email.say import MailSayer
from bot.integrations.webhooks.say import WebhookSayer
from bot.reports.monthly import Report
from bot.slack.say import SlackSayer
from sla.clocks import Clocks
from storage.engine import Session
from storage.tickets import TicketRecord


class Say:
    """Says things about requests, in the transaction of `session`, in Slack (`slack`) and by email (`mail`)."""

    def __init__(self, session: Session, desk: DeskConfig, now: datetime) -> None:
        self.slack = SlackSayer(session, desk, now)
        self.mail = MailSayer(session, desk, now)
        self.hooks = WebhookSayer(session, desk, now)

    # -- the intake --------------------------------------------------------------------------------------------

    def intake_status(
        self, ticket: TicketRecord, draft: Draft, missing: tuple[str, ...], zone: ZoneInfo, *, key: str
    ) -> None:
        self.slack.intake_status(ticket, draft, missing, zone, key=key)

    def ask(
        self, ticket: TicketRecord, field: str, refused: Refused | None, *, key: str, taken: tuple[str, ...] = (),
        refusals: dict[str, Refused] | None = None,
    ) -> None:  # fmt: skip
        """Slack asks `field` (the first missing one); email asks every missing field at once, saying which answers
        of the last reply were `taken` and why the others were refused (`refusals`, by field)."""
        self.slack.ask(ticket, field, refused, key=key)
        self.mail.ask(ticket, field, refused, key=key, taken=taken, refusals=refusals)

    def answered_in_words(self, ticket: TicketRecord, *, key: str) -> None:
        """The last question was answered by a message: its ready answers are no longer offered."""
        self.slack.answered_in_words(ticket, key=key)

    def opened(self, ticket: TicketRecord) -> None:
        """A request was stored (in intake): only webhooks hear of it."""
        self.hooks.opened(ticket)

    def completed(self, ticket: TicketRecord, state: Clocks, zone: ZoneInfo, *, key: str) -> None:
        self.slack.completed(ticket, state, zone, key=key)
        self.mail.completed(ticket, state, zone, key=key)
        self.hooks.request("request.completed", ticket, cause=key)

    def triage_card(self, ticket: TicketRecord, draft: Draft, state: Clocks, files: Files, *, key: str) -> None:
        self.slack.triage_card(ticket, draft, state, files, key=key)

    def file_too_large(self, ticket: TicketRecord, name: str, limit: int, *, key: str) -> None:
        self.slack.file_too_large(ticket, name, limit, key=key)
        self.mail.file_too_large(ticket, name, limit, key=key)

    def file_refused(self, ticket: TicketRecord, name: str, content_type: str, *, key: str) -> None:
        self.slack.file_refused(ticket, name, content_type, key=key)
        self.mail.file_refused(ticket, name, content_type, key=key)

    def comment_kept(self, ticket: TicketRecord, user: str, *, key: str) -> None:
        """Tell `user` (not the requester) that what they wrote in the request's thread went to the agents as a
        comment and answered none of its questions."""
        self.slack.comment_kept(ticket, user, key=key)

    def intake_reminder(self, ticket: TicketRecord, closes_in: timedelta, *, key: str) -> bool:
        """Remind the requester of what is missing; False when `key` was said already."""
        said = self.slack.intake_reminder(ticket, closes_in, key=key)
        self.mail.intake_reminder(ticket, closes_in, key=key)
        return said

    def intake_closed(self, ticket: TicketRecord, *, key: str) -> None:
        self.slack.intake_closed(ticket, key=key)
        self.mail.intake_closed(ticket, key=key)
        self.hooks.request("request.closed", ticket, cause=key, data={"reason": "intake_abandoned"})

    # -- the desk ----------------------------------------------------------------------------------------------

    def card(self, view: CardView, *, key: str) -> None:
        self.slack.card(view, key=key)
        self.hooks.card(view, key=key)

    def to_requester(self, ticket: TicketRecord, what: str, details: dict[str, str], *, key: str) -> None:
        self.slack.to_requester(ticket, what, details, key=key)
        self.mail.to_requester(ticket, what, details, key=key)

    def reply_in_thread(self, ticket: TicketRecord, agent: str, text: str, *, key: str) -> None:
        """An agent answered in the requester's Slack thread, which the requester saw: one who wrote by email gets
        it by email."""
        self.mail.reply_in_thread(ticket, agent, text, key=key)

    def to_agents(
        self,
        ticket: TicketRecord,
        what: str,
        details: dict[str, str],
        *,
        key: str,
        files: Files = (),
        mentions: People = NOBODY,
    ) -> None:
        """A message in the card's thread for the agents, notifying `mentions` (Slack ids)."""
        self.slack.to_agents(ticket, what, details, key=key, files=files, mentions=mentions)

    def outage(self, ticket: TicketRecord, what: str, details: dict[str, str], *, key: str) -> None:
        """An outage declared on `ticket` or ended (`what`: outage_started, outage_resolved): the customers are told
        by notices (bot.desk.notices); only webhooks hear of it here."""
        self.hooks.outage(ticket, what, details, key=key)

    def postmortem(self, report: IncidentReport, *, key: str) -> None:
        self.slack.postmortem(report, key=key)

    def announce(self, ticket_id: int | None, channel: str, what: str, details: dict[str, str], *, key: str) -> None:
        self.slack.announce(ticket_id, channel, what, details, key=key)

    def email(self, ticket_id: int | None, to: str, what: str, details: dict[str, str], *, key: str) -> None:
        self.mail.notice(ticket_id, to, what, details, key=key)

    def reminder(self, reminder: Reminder, mentions: People, *, key: str) -> None:
        """A milestone said in the card's thread, notifying `mentions` (Slack ids)."""
        self.slack.reminder(reminder, mentions, key=key)
        self.mail.update_notice(reminder)
        self.hooks.reminders([reminder])

    def digest(self, items: list[Reminder], *, key: str) -> None:
        self.slack.digest(items, key=key)
        for reminder in items:
            self.mail.update_notice(reminder)
        self.hooks.reminders(items)

    def escalation_email(self, reminder: Reminder, to: str, *, key: str) -> None:
        self.mail.escalation(reminder, to, key=key)

    def monthly_report(self, report: Report, channel: str, chart: Path, *, key: str) -> None:
        self.slack.monthly_report(report, channel, chart, key=key)

    # -- email in ----------------------------------------------------------------------------------------------

    def show_email(
        self, ticket: TicketRecord, details: dict[str, str], files: Files, *, opened: bool, key: str
    ) -> None:
        self.slack.show_email(ticket, details, files, opened=opened, key=key)

    def held_email(self, record_id: int, details: dict[str, str]) -> None:
        self.slack.held_email(record_id, details)

    def mail_flood(self, sender: str, rate: int, *, key: str) -> None:
        self.slack.mail_flood(sender, rate, key=key)

    def too_large(self, to: str, subject: str, message_id: str | None, size: int, *, key: str) -> bool:
        """The one polite answer to an email over the size cap."""
        return self.mail.too_large(to, subject, message_id, size, key=key)
