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


def body_of(sent: object) -> str:
    return str(sent.message.get_body(("plain",)).get_content())  # type: ignore[attr-defined]


def test_every_missing_field_is_asked_in_one_email_and_one_reply_completes_the_request(
    mail_desk: MailConversation,
) -> None:
    mail = mail_desk
    mail.receive(email(ANNA, "Login fails", "I cannot log in.\n", message_id="<one@customer.example>"))

    [question] = mail.new_emails()
    body = body_of(question)
    for label in ("1. Phone:", "2. When:", "3. Steps:", "4. Files:", "5. Kind:"):
        assert label in body
    assert "You can answer them all in one reply" in body

    reply = "It happened at 09:41 today… Phone: +33 6 12 34 56 78\nSteps: not applicable\nFiles: none\nKind: incident"
    mail.receive(reply_to(question, reply))

    [confirmation] = mail.new_emails()  # no further question: the one reply answered everything
    assert "Thank you. Your request is SR-000001." in body_of(confirmation)
    ticket = ticket_of(mail.conversation)
    assert ticket.status is TicketStatus.OPEN
    assert ticket.contact_phone == "+33612345678"
    assert ticket.occurred_at is not None
    local = ticket.occurred_at.astimezone(mail.conversation.desk.policy.calendar.zone)  # an email sender's zone
    assert (local.hour, local.minute) == (9, 41)
    assert ticket.kind.value == "incident"
    assert ticket.reproduction_steps is None
    assert "SR-000001" in card_of(mail.conversation).text


def test_a_reply_with_one_good_and_one_bad_answer_keeps_the_good_one_and_asks_only_what_is_missing(
    mail_desk: MailConversation,
) -> None:
    mail = mail_desk
    mail.receive(email(ANNA, "Login fails", "I cannot log in.\n", message_id="<two@customer.example>"))
    [question] = mail.new_emails()

    mail.receive(reply_to(question, "Phone: 12\nWhen: today 9:00\n\nThanks,\nAnna"))

    [again] = mail.new_emails()
    body = body_of(again)
    assert "we have noted when it happened" in body
    assert 'Phone: "12" does not look like a phone number' in body
    assert "We still need 4 details:" in body
    assert "1. Phone:" in body
    assert "2. Steps:" in body
    assert "When:" not in body.split("We still need")[1]
    ticket = ticket_of(mail.conversation)
    assert ticket.status is TicketStatus.INTAKE
    assert ticket.occurred_at is not None
    assert ticket.contact_phone is None

    mail.receive(reply_to(again, "You can call me on +33 6 12 34 56 78.\nSteps: open the portal, log in\nFiles: none"))

    [last] = mail.new_emails()
    assert "we have noted your contact details, the steps and the files." in body_of(last)
    assert "We still need one detail:" in body_of(last)
    assert "1. Kind:" in body_of(last)
    assert ticket_of(mail.conversation).reproduction_steps == "open the portal, log in"


def test_the_first_emails_labelled_answers_are_taken_and_not_asked(mail_desk: MailConversation) -> None:
    mail = mail_desk
    first = "The portal refuses my password since this morning.\n\nPhone: +33 6 12 34 56 78\nKind: incident\n"
    mail.receive(email(ANNA, "Login fails", first, message_id="<three@customer.example>"))

    [question] = mail.new_emails()
    body = body_of(question)
    assert "1. When:" in body
    assert "Phone:" not in body.split("we need")[1]
    assert "Kind:" not in body
    ticket = ticket_of(mail.conversation)
    assert ticket.contact_phone == "+33612345678"
    assert ticket.occurred_at is None  # the description's prose is not read for answers


def test_a_reply_of_prose_with_no_answer_in_it_is_asked_again_without_a_wrong_refusal(
    mail_desk: MailConversation,
) -> None:
    mail = mail_desk
    mail.receive(email(ANNA, "Login fails", "I cannot log in.\n", message_id="<four@customer.example>"))
    [question] = mail.new_emails()

    mail.receive(reply_to(question, "I use version 2.3 of the app and get error 500 on every try.\n\nThanks,\nAnna"))

    [again] = mail.new_emails()
    body = body_of(again)
    assert "We could not find answers to our questions in your reply." in body
    assert "does not look like a phone number" not in body
    assert "We still need 5 details:" in body
