"""The whole way of an email request: email in, a thread in Slack, the intake by email, an agent's reply from
Slack by SMTP with threading headers, the customer's answer back in the same request."""

import pytest

from bot.email.sender import message_id_for
from storage.kinds import EmailOutcome, TicketStatus
from tests.bot.desk.conftest import card_of, frontdesk, ticket_of
from tests.bot.email.mail_conversation import ANNA, MailConversation, email, reply_to

ANSWERS = {
    "Can we reach you": "+33 6 12 34 56 78",
    "When did it happen": "today 9:00",
    "How can we reproduce it": "not applicable",
    "screenshots or files": "none",
    "question, an incident": "incident",
}


@pytest.fixture
def backend() -> str:
    return "sqlite"


def answer_every_question(mail: MailConversation) -> list[str]:
    """Answer each question the bot emails, as Anna would, until it stops asking; the subjects it used."""
    subjects = []
    for _ in range(len(ANSWERS) + 1):
        [question] = mail.new_emails()
        body = question.message.get_body(("plain",)).get_content()
        subjects.append(str(question.message["Subject"]))
        answer = next((text for asked, text in ANSWERS.items() if asked in body), None)
        if answer is None:
            return subjects
        mail.receive(reply_to(question, answer))
    raise AssertionError("the bot kept asking")


def test_an_email_becomes_a_request_collected_by_email_and_answered_from_slack(mail_desk: MailConversation) -> None:
    mail = mail_desk
    first = email(ANNA, "Login fails", "I cannot log in since this morning.\n\nBest regards,\nAnna\n",
                  message_id="<first@customer.example>")  # fmt: skip

    assert mail.receive(first)

    [root] = mail.intake_threads()
    assert "New request by email SR-000001" in root.text  # the SR the first answer by email names, from the start
    assert "Anna Smith (at customer.example)" in root.text
    assert "anna@customer.example" not in root.text  # the intake channel may be read by others
    assert "*Subject:* Login fails" in root.text
    assert "I cannot log in since this morning." in root.text
    ticket = ticket_of(mail.conversation)
    assert ticket.email_thread_id == "<first@customer.example>"
    assert ticket.slack_thread_ts == root.ts  # the email opened the request's Slack thread

    subjects = answer_every_question(mail)

    assert subjects[0] == "[SR-000001] Re: Login fails"
    assert all(subject == "[SR-000001] Re: Login fails" for subject in subjects)
    ticket = ticket_of(mail.conversation)
    assert ticket.status is TicketStatus.OPEN
    assert ticket.contact_email == ANNA
    assert ticket.contact_phone == "+33612345678"
    assert "Thank you. Your request is SR-000001." in mail.sent()[-1].message.get_body(("plain",)).get_content()
    assert "SR-000001" in card_of(mail.conversation).text

    answer = frontdesk(mail.conversation, "reply SR-000001 Please clear your cookies and try again.")
    assert "SR-000001" in answer
    mail.settle()

    [reply] = mail.new_emails()
    message = reply.message
    assert reply.recipients == [ANNA]
    assert message["Subject"] == "[SR-000001] Re: Login fails"
    assert "Please clear your cookies and try again." in message.get_body(("plain",)).get_content()
    assert "Please clear your cookies" in message.get_body(("html",)).get_content()
    latest_from_anna = [record.message_id for record in mail.records(ticket.id) if record.direction == "in"][-1]
    assert message["In-Reply-To"] == latest_from_anna
    assert "<first@customer.example>" in message["References"].split()
    assert message["Auto-Submitted"] is None

    mail.receive(reply_to(reply, "Still failing after clearing them.", subject="Re: Login problem"))

    agents_thread = mail.conversation.thread(mail.conversation.desk.agents_channel, card_of(mail.conversation).ts)
    assert any("Still failing after clearing them." in m.text for m in agents_thread)
    assert not any("On Tue, 24 Nov 2026" in m.text for m in agents_thread)  # the quoted history is left out
    outcomes = [record.outcome for record in mail.records(ticket.id) if record.direction == "in"]
    assert outcomes[0] is EmailOutcome.REQUEST
    assert outcomes[-1] is EmailOutcome.REPLY
    assert len(mail.intake_threads()) == 1  # every answer stayed in the one request


def test_our_message_ids_are_the_ones_recorded_so_a_reply_without_the_sr_finds_its_request(
    mail_desk: MailConversation,
) -> None:
    mail = mail_desk
    mail.receive(email(message_id="<first@customer.example>"))
    [question] = mail.new_emails()
    ticket = ticket_of(mail.conversation)
    ours = [record for record in mail.records(ticket.id) if record.direction == "out"]
    assert [record.message_id for record in ours] == [question.message["Message-ID"]]
    assert question.message["Message-ID"] == message_id_for(question.message["X-Frontdesk-Key"], "desk.example")

    mail.receive(reply_to(question, "+33 6 12 34 56 78", subject="no number here"))

    assert ticket_of(mail.conversation).contact_phone == "+33612345678"
    assert len(mail.intake_threads()) == 1
