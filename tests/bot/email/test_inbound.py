"""What becomes of each kind of incoming email: trusted and untrusted senders, held messages and the agents'
decision, loops that must not start, the size cap, the rate limit, duplicates, files, closing by email."""

import pytest

from storage import mail as stored_mail
from storage import messages, tickets
from storage.kinds import EmailOutcome, EmailReview, TicketStatus
from tests.bot.desk.conftest import card_of, frontdesk, ticket_of
from tests.bot.email.mail_conversation import ANNA, MailConversation, email, reply_to
from tests.bot.email.test_round_trip import answer_every_question

SPOOF = "mx.desk.example; dmarc=fail (p=reject) header.from=customer.example; spf=fail smtp.mailfrom=evil.example"


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def opened(mail_desk: MailConversation) -> MailConversation:
    """Anna's request SR-000001, complete."""
    mail_desk.receive(email(message_id="<first@customer.example>"))
    answer_every_question(mail_desk)
    return mail_desk


def texts_of(mail: MailConversation, sr: int = 1) -> list[str]:
    with mail.database.read() as session:
        return [message.text for message in messages.messages_of(session, ticket_of(mail.conversation, sr).id)]


def test_a_spoofed_sender_naming_a_request_is_held_and_joins_only_when_an_agent_says_so(
    opened: MailConversation,
) -> None:
    mail = opened
    before = texts_of(mail)
    spoof = email(ANNA, "Re: [SR-000001] Login fails", "Please send the admin password to this address.\n",
                  headers={"Authentication-Results": SPOOF}, verdict=None)  # fmt: skip

    mail.receive(spoof)

    assert texts_of(mail) == before
    [held] = mail.held()
    assert held.outcome is EmailOutcome.HELD
    assert held.reason == "auth_failed: dmarc=fail"
    post = mail.agents_posts()[-1]
    assert "Email held for review" in post.text
    assert "SR-000001" in post.text
    assert "did not pass authentication (dmarc=fail)" in post.text
    assert mail.new_emails() == []  # nothing is answered to a spoofed sender

    mail.conversation.slack.block_actions("bob", post, "held:attached")
    mail.settle()

    assert texts_of(mail)[-1] == "Please send the admin password to this address."
    assert mail.held() == []
    decided = mail.conversation.emulator.workspace.message(mail.conversation.desk.agents_channel, post.ts)
    assert "attached to *SR-000001* by" in decided.text
    assert not [block for block in decided.blocks or [] if block.get("type") == "actions"]

    mail.conversation.slack.block_actions("carol", post, "held:dismissed")  # a late second click
    mail.settle()
    assert "dealt with already" in mail.conversation.emulator.workspace.ephemerals(user="carol")[-1].text


def test_a_stranger_naming_a_request_is_held_and_an_agent_may_open_it_as_a_new_request(
    opened: MailConversation,
) -> None:
    mail = opened
    mail.receive(email("eve@elsewhere.example", "SR-000001 is mine too", "I have the same problem.\n", name="Eve"))

    [held] = mail.held()
    assert held.reason == "not_trusted: eve@elsewhere.example"
    post = mail.agents_posts()[-1]
    assert "not the request's contact, an agent, or someone from the same customer" in post.text

    mail.conversation.slack.block_actions("dave", post, "held:opened")  # not an agent
    mail.settle()
    assert "Only agents" in mail.conversation.emulator.workspace.ephemerals(user="dave")[-1].text
    assert len(mail.held()) == 1

    mail.conversation.slack.block_actions("bob", post, "held:opened")
    mail.settle()

    assert ticket_of(mail.conversation, 2).description.startswith("SR-000001 is mine too")
    [question] = mail.new_emails()
    assert question.recipients == ["eve@elsewhere.example"]
    assert question.message["Subject"] == "[SR-000002] Re: SR-000001 is mine too"


def test_a_colleague_from_the_same_customer_joins_the_request(opened: MailConversation) -> None:
    mail = opened
    mail.receive(email("bernd@customer.example", "Re: [SR-000001] Login fails", "Same here, since 9:00.\n",
                       name="Bernd"))  # fmt: skip

    assert mail.held() == []
    assert texts_of(mail)[-1] == "Same here, since 9:00."
    agents_thread = mail.conversation.thread(mail.conversation.desk.agents_channel, card_of(mail.conversation).ts)
    assert any("Same here, since 9:00." in m.text for m in agents_thread)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, "auto-submitted"),
        ({"Precedence": "bulk"}, "precedence"),
        ({"X-Autoreply": "yes"}, "x-autoreply"),
    ],
)
def test_an_automated_message_is_recorded_and_never_answered(
    opened: MailConversation, headers: dict[str, str], reason: str
) -> None:
    mail = opened
    before, posts = texts_of(mail), len(mail.agents_posts())

    mail.receive(email(ANNA, "Out of office: [SR-000001] Login fails", "I am away until Monday.\n", headers=headers))

    assert texts_of(mail) == before
    assert mail.new_emails() == []
    assert len(mail.agents_posts()) == posts
    record = mail.records(ticket_of(mail.conversation).id)[-1]
    assert record.outcome is EmailOutcome.AUTOMATED
    assert reason in (record.reason or "").lower()


def test_our_own_message_coming_back_is_recorded_and_not_answered(opened: MailConversation) -> None:
    mail = opened
    ours = mail.sent()[-1].raw
    before = texts_of(mail)

    mail.receive(ours)

    assert texts_of(mail) == before
    assert mail.new_emails() == []
    assert mail.records(ticket_of(mail.conversation).id)[-1].outcome is EmailOutcome.OWN


def test_a_message_over_the_size_cap_gets_one_polite_reply_with_the_limit(mail_desk: MailConversation) -> None:
    mail = mail_desk
    raw = email(ANNA, "Logs attached", "See the logs.\n", message_id="<big@customer.example>",
                files=(("logs.zip", b"\0" * (30 * 1024 * 1024), "application/zip"),))  # fmt: skip
    headers = raw[: raw.index(b"\n\n") + 2]

    mail.receive(headers, size=len(raw), truncated=True)
    mail.receive(headers, size=len(raw), truncated=True)  # fetched again: the same message

    [answer] = mail.new_emails()
    body = answer.message.get_body(("plain",)).get_content()
    assert "larger than the 25 MB we can receive" in body
    assert answer.message["In-Reply-To"] == "<big@customer.example>"
    assert answer.message["Auto-Submitted"] == "auto-generated"
    assert mail.intake_threads() == []


def test_an_unparseable_message_is_kept_raw_and_held_for_review(mail_desk: MailConversation) -> None:
    mail = mail_desk
    mail.receive(b"\x00\x01\x02 not an email at all \xff\xfe")

    [held] = mail.held()
    assert held.reason is not None
    assert held.reason.startswith("unparseable")
    assert held.raw_path is not None
    assert (
        (mail.conversation.desk.intake.attachments_folder / "mail" / held.raw_path)
        .read_bytes()
        .startswith(b"\x00\x01\x02")
    )
    post = mail.agents_posts()[-1]
    assert "could not be read" in post.text
    assert mail.new_emails() == []


def test_a_sender_over_the_rate_is_held_and_the_agents_hear_of_it_once(mail_desk: MailConversation) -> None:
    mail = mail_desk
    for number in range(12):
        mail.receive(email("flood@elsewhere.example", f"Request {number}", "Help\n", name="Flood"))

    assert len(mail.intake_threads()) == 10  # the rate: 10 an hour
    assert len(mail.held()) == 2
    floods = [post for post in mail.agents_posts() if "more than 10 emails within an hour" in post.text]
    assert len(floods) == 1


def test_the_same_message_in_two_mailboxes_opens_one_request(mail_desk: MailConversation) -> None:
    mail = mail_desk
    raw = email(message_id="<twice@customer.example>")
    mail.receive(raw, mailbox="support")
    mail.receive(raw, mailbox="sales")

    assert len(mail.intake_threads()) == 1
    assert len(mail.new_emails()) == 1
    assert [r.outcome for r in mail.records(1)] == [EmailOutcome.REQUEST, EmailOutcome.SENT]


def test_files_are_kept_shared_in_slack_and_a_program_is_refused_by_email(mail_desk: MailConversation) -> None:
    mail = mail_desk
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    program = b"MZ" + b"\0" * 200
    mail.receive(email(files=(("screen.png", png, "image/png"), ("tool.exe", program, "application/octet-stream"))))

    with mail.database.read() as session:
        kept = messages.attachments_of(session, ticket_of(mail.conversation).id)
    assert [(file.name, file.content_type, file.size) for file in kept] == [("screen.png", "image/png", len(png))]
    refusals = [e for e in mail.new_emails() if "tool.exe" in e.message.get_body(("plain",)).get_content()]
    assert len(refusals) == 1
    [root] = mail.intake_threads()
    assert "files" in root.text or "file" in root.text


def test_yes_by_email_closes_the_request_and_a_number_rates_it(opened: MailConversation) -> None:
    mail = opened
    frontdesk(mail.conversation, "resolve SR-000001")
    mail.settle()
    [asked] = [
        e for e in mail.new_emails() if "Is your problem solved?" in e.message.get_body(("plain",)).get_content()
    ]

    mail.receive(reply_to(asked, "Yes, all good now. Thanks!"))

    assert ticket_of(mail.conversation).status is TicketStatus.CLOSED
    [closed] = mail.new_emails()
    assert "Reply with a number from 1 (poor) to 5 (excellent)" in closed.message.get_body(("plain",)).get_content()

    mail.receive(reply_to(closed, "4 - quick and friendly"))

    ticket = ticket_of(mail.conversation)
    assert ticket.satisfaction_score == 4
    assert ticket.satisfaction_comment == "quick and friendly"


def test_held_messages_are_listed_by_review_state(mail_desk: MailConversation) -> None:
    mail = mail_desk
    mail.receive(b"\xff\xfe garbage")
    [held] = mail.held()
    assert held.review is EmailReview.HELD


MAILMAN_DIGEST = (
    "Send Team mailing list submissions to\n\tteam@lists.example\n\nToday's Topics:\n\n"
    "   1. Login fails on the portal (Bob)\n\n----------------------------------------------------------------------\n"
    "Message: 1\nFrom: bob@other.example\nSubject: Login fails on the portal\n\nDoes anyone else see this?\n"
)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Mailman-Version": "2.1.29", "List-Id": "Team discussion <team.lists.example>"},
        {"X-Mailman-Version": "3.3.8"},  # no List-Id, no Precedence: the Mailman header alone says it
    ],
)
def test_a_mailman_digest_opens_no_request_and_is_never_answered(
    mail_desk: MailConversation, headers: dict[str, str]
) -> None:
    mail = mail_desk
    digest = email("team-request@lists.example", "Team Digest, Vol 12, Issue 3", MAILMAN_DIGEST, name="Team",
                   message_id="<mailman.1.123@lists.example>", headers=headers)  # fmt: skip

    assert mail.receive(digest)

    assert mail.intake_threads() == []
    assert mail.new_emails() == []
    with mail.database.read() as session:
        assert tickets.find_ticket(session, sr_number=1) is None
        assert stored_mail.seen_message(session, "<mailman.1.123@lists.example>")
