"""The Slack posts of an email, line by line as a person reads them: the new request in the intake channel
(templates/slack/email.mrkdwn.j2) and a held email for the agents (templates/slack/held_email.mrkdwn.j2). Each
of their lines stands on its own; none runs into the next after a condition (`{% endif %}` under trim_blocks)."""

import pytest

from tests.bot.email.mail_conversation import ANNA, MailConversation, email

SPOOF = "mx.desk.example; dmarc=fail (p=reject) header.from=customer.example"


@pytest.fixture
def backend() -> str:
    return "sqlite"


def test_a_new_email_post_gives_sender_subject_and_text_each_on_its_line(mail_desk: MailConversation) -> None:
    files = (("log.txt", b"error 42\n", "text/plain"),)
    mail_desk.receive(email(ANNA, "Login fails", "I cannot log in.\nSince this morning.\n", files=files))
    [root] = mail_desk.intake_threads()
    assert root.text.splitlines() == [
        ":email: *New request by email SR-000001* from Anna Smith (at customer.example)",
        "*Subject:* Login fails",
        "",
        "> I cannot log in.",
        "> Since this morning.",
        "1 file attached.",
    ]


def test_a_held_email_post_gives_its_sender_address_then_the_subject_on_the_next_line(
    mail_desk: MailConversation,
) -> None:
    mail_desk.receive(email(ANNA, "Login fails", "I cannot log in.\n"))
    mail_desk.receive(email(ANNA, "Re: [SR-000001] Refund", "Please refund me.\n",
                            headers={"Authentication-Results": SPOOF}, verdict=None))  # fmt: skip
    post = mail_desk.agents_posts()[-1]
    assert post.text.splitlines() == [
        ":email: *Email held for review*: it names *SR-000001*.",
        "The sender's mail server did not pass authentication (dmarc=fail), so it may not be who it claims to be.",
        "*From:* Anna Smith (anna@customer.example)",
        "*Subject:* Re: [SR-000001] Refund",
        "",
        "> Please refund me.",
    ]


def test_a_new_email_that_failed_authentication_warns_on_a_line_of_its_own(mail_desk: MailConversation) -> None:
    mail_desk.receive(email(ANNA, "Login fails", "I cannot log in.\n", headers={"Authentication-Results": SPOOF},
                            verdict=None))  # fmt: skip
    [root] = mail_desk.intake_threads()
    assert root.text.splitlines() == [
        ":email: *New request by email SR-000001* from Anna Smith (at customer.example)",
        "*Subject:* Login fails",
        ":warning: The sender's mail server did not pass authentication (dmarc=fail): this may not be who it claims "
        "to be.",
        "",
        "> I cannot log in.",
    ]
