"""Notifications by email, each only where the desk config's `[email] notify` turns it on: the status notice when an
update falls due, and outage notices to a customer's requesters."""

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from bot.desk.reminders import sweep_milestones
from bot.say import Say
from slack_emulator import Workspace
from storage.engine import Database
from tests.bot.conversation import conversation_on, desk_config
from tests.bot.desk.conftest import frontdesk
from tests.bot.email.mail_conversation import ANNA, EMAIL_DESK, MailConversation, email
from tests.bot.email.smtp_server import SmtpServer
from tests.bot.email.test_round_trip import answer_every_question

DECLARE = "outage 1 Exports are failing for everyone"  # the public title, not the request's text

EVERYTHING = '"confirmation", "questions", "replies", "resolution", "satisfaction", "outages", "maintenance", "updates"'
NOTIFY = f"notify = [{EVERYTHING}]"
QUIET = 'notify = ["confirmation", "questions", "replies"]'  # no updates, no outages

MailDesk = Callable[[str], MailConversation]


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def desk_notifying(db: Database, tmp_path: Path, smtp_server: SmtpServer) -> Iterator[MailDesk]:
    """A mail desk whose `notify` line is the one given, with Anna's request SR-000001 complete and answered."""
    with ExitStack() as stack:

        def make(notify: str) -> MailConversation:
            workspace = Workspace.example()
            desk = desk_config(workspace, tmp_path, extra=EMAIL_DESK.replace(NOTIFY, notify))
            conversation = stack.enter_context(contextmanager(conversation_on)(db, workspace, desk))
            mail = MailConversation(conversation, smtp_server)
            mail.receive(email(message_id="<first@customer.example>"))
            answer_every_question(mail)
            frontdesk(conversation, "reply SR-000001 We are looking into it.")
            mail.settle()
            mail.new_emails()
            return mail

        yield make


def sweep_days(mail: MailConversation, days: int) -> tuple[int, list[str]]:
    """Sweeps every hour for `days` days, delivering as it goes: how many update reminders were said, and the
    subjects of the emails sent."""
    desk = mail.conversation.desk
    start, updates = mail.conversation.now, 0
    for hour in range(1, days * 24 + 1):
        at = start + timedelta(hours=hour)
        said = sweep_milestones(mail.database, desk, at, lambda session, at=at: Say(session, desk, at))
        updates += sum(reminder.what == "update" for reminder in said)
        mail.conversation.now = at
        mail.settle()
    return updates, [str(sent.message["Subject"]) for sent in mail.new_emails()]


def test_a_due_update_sends_the_requester_a_status_notice_marked_automatic(desk_notifying: MailDesk) -> None:
    mail = desk_notifying(NOTIFY)

    updates, subjects = sweep_days(mail, 7)

    assert updates >= 1
    assert subjects == ["[SR-000001] Re: Login fails"] * updates
    notice = mail.sent()[-1].message
    assert notice["Auto-Submitted"] == "auto-generated"
    body = notice.get_body(("plain",)).get_content()
    assert "A status update on your request SR-000001: it is open" in body


def test_without_updates_in_notify_a_due_update_only_nags_the_agents(desk_notifying: MailDesk) -> None:
    mail = desk_notifying(QUIET)

    updates, subjects = sweep_days(mail, 7)

    assert updates >= 1
    assert subjects == []


@pytest.mark.parametrize(("notify", "emailed"), [(NOTIFY, True), (QUIET, False)])
def test_an_outage_notice_reaches_the_customers_requesters_only_when_notify_has_outages(
    desk_notifying: MailDesk, notify: str, emailed: bool
) -> None:
    mail = desk_notifying(notify)
    frontdesk(mail.conversation, "triage 1 P1 everyone is locked out")
    assert frontdesk(mail.conversation, DECLARE) == "SR-000001: outage declared; every customer was told."
    mail.settle()

    notices = [sent for sent in mail.new_emails() if "Service disruption" in str(sent.message["Subject"])]

    if emailed:
        [notice] = notices
        assert notice.recipients == [ANNA]
        assert notice.message["Subject"] == "[SR-000001] Service disruption: Exports are failing for everyone"
        assert notice.message["Auto-Submitted"] == "auto-generated"
    else:
        assert notices == []
