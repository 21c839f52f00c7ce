"""Attacks on who an email says it is from: speaking as an agent (or L2) to a requester and stopping the response
clock, or joining someone's request, with a From that our own mail server did not prove. Each attack asserts that
nothing changed: no email to the requester, the response deadline still running, nothing added to the request,
and the message held with its reason. The genuine cases (our server's verdict proves the From) still work."""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from email.message import EmailMessage
from pathlib import Path

import pytest

from bot.config.desk import parse_desk_config
from sla.clocks import State
from slack_emulator import Workspace
from storage import deadlines, messages
from storage.engine import Database
from storage.kinds import EmailOutcome, EmailReview
from tests.bot.conversation import conversation_on
from tests.bot.desk.conftest import card_of, ticket_of
from tests.bot.email.mail_conversation import ANNA, EMAIL_DESK, OUR_SERVER, MailConversation, email
from tests.bot.email.smtp_server import SmtpServer, smtp_server  # noqa: F401  (fixture)
from tests.bot.email.test_round_trip import answer_every_question

BOB = "bob@desk.example"  # an agent's address in the desk config
LEAD = "lead@desk.example"  # L2's
SUBJECT = "Re: [SR-000001] Login fails"
ANSWER = "We reset your account: please log in again and change your password at https://desk.example.evil/reset"
MakeDesk = Callable[..., MailConversation]


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def make_desk(db: Database, tmp_path: Path, smtp_server: SmtpServer) -> Iterator[MakeDesk]:  # noqa: F811
    """A desk whose agents have email addresses (bob, and L2's lead), Customer Inc at customer.example, and our
    mail server mx.desk.example; `email_lines` go into its [email] table, `authserv` False leaves the id out."""
    with ExitStack() as stack:

        def make(email_lines: str = "", *, authserv: bool = True) -> MailConversation:
            workspace = Workspace.example()
            support, agents = workspace.channel("support").id, workspace.channel("support-agents").id
            people = f'users = ["{workspace.user("bob").id}", "{workspace.user("carol").id}"]'
            email_table = EMAIL_DESK.replace("[email]\n", f"[email]\n{email_lines}\n")
            if not authserv:
                email_table = email_table.replace(f'authserv_id = "{OUR_SERVER}"\n', "")
            text = (
                f'policy = "owkin"\n[slack]\nintake_channel = "{support}"\nagents_channel = "{agents}"\n'
                f'[agents]\n{people}\nemails = ["{BOB}"]\n[levels.L2]\nemails = ["{LEAD}"]\n{email_table}'
            )
            desk = parse_desk_config(text, source="frontdesk.toml", folder=tmp_path)
            conversations = conversation_on(db, workspace, desk)
            stack.callback(conversations.close)
            return MailConversation(next(conversations), smtp_server)

        yield make


@pytest.fixture
def opened(make_desk: MakeDesk) -> MailConversation:
    """Anna's request SR-000001, complete and open, its response deadline running; every email read."""
    mail = make_desk()
    mail.receive(email(message_id="<first@customer.example>"))
    answer_every_question(mail)
    assert response_deadline(mail) is State.RUNNING
    return mail


def response_deadline(mail: MailConversation) -> State:
    with mail.database.read() as session:
        found = {d.target: d.state for d in deadlines.deadlines_of(session, ticket_of(mail.conversation).id)}
    return found["response"]


def texts_of(mail: MailConversation) -> list[str]:
    with mail.database.read() as session:
        return [m.text for m in messages.messages_of(session, ticket_of(mail.conversation).id)]


def assert_nothing_reached_the_requester(mail: MailConversation, before: list[str]) -> None:
    assert mail.new_emails() == []
    assert response_deadline(mail) is State.RUNNING
    assert ticket_of(mail.conversation).first_response_at is None
    assert texts_of(mail) == before


def held_reason(mail: MailConversation) -> str:
    [held] = mail.held()
    assert held.outcome is EmailOutcome.HELD
    assert held.review is EmailReview.HELD
    assert held.raw_path is not None
    return held.reason or ""


def test_a_spoofed_agent_email_is_held_not_relayed(opened: MailConversation) -> None:
    mail, before = opened, texts_of(opened)

    mail.receive(email(BOB, SUBJECT, ANSWER + "\n", name="Bob (Acme Support)", verdict=None))

    assert_nothing_reached_the_requester(mail, before)
    assert held_reason(mail) == f"unverified: no Authentication-Results from {OUR_SERVER}"
    post = mail.agents_posts()[-1]
    assert "Email held for review" in post.text
    assert "SR-000001" in post.text
    assert f"Our mail server did not verify the sender (no Authentication-Results from {OUR_SERVER})" in post.text


@pytest.mark.parametrize(
    ("results", "reason"),
    [
        pytest.param(  # ours on top (the attacker's own envelope passes SPF), a forged "pass" of ours below it
            (
                f"{OUR_SERVER}; dkim=none; spf=pass smtp.mailfrom=evil.example; dmarc=none header.from=desk.example",
                f"{OUR_SERVER}; dmarc=pass header.from=desk.example; dkim=pass header.d=desk.example",
            ),
            f"unverified: {OUR_SERVER} found no DMARC pass and no DKIM or SPF pass aligned with desk.example",
            id="forged-below-ours",
        ),
        pytest.param(
            ("mx.evil.example; dmarc=pass header.from=desk.example; dkim=pass header.d=desk.example",),
            f"unverified: no Authentication-Results from {OUR_SERVER}",
            id="another-authserv-id",
        ),
        pytest.param(
            (f"{OUR_SERVER.upper()}x; dmarc=pass header.from=desk.example",),  # a look-alike id
            f"unverified: no Authentication-Results from {OUR_SERVER}",
            id="look-alike-authserv-id",
        ),
        pytest.param(
            (f"{OUR_SERVER}; spf=fail smtp.mailfrom=desk.example; dmarc=fail (p=reject) header.from=desk.example",),
            f"unverified: {OUR_SERVER} says dmarc=fail",
            id="ours-says-dmarc-fail",
        ),
        pytest.param(
            (f"{OUR_SERVER}; dkim=pass header.d=desk.example.evil.example; dmarc=none header.from=desk.example",),
            f"unverified: {OUR_SERVER} found no DMARC pass and no DKIM or SPF pass aligned with desk.example",
            id="dkim-pass-unaligned",
        ),
        pytest.param(
            (f"{OUR_SERVER}; spf=pass smtp.mailfrom=bounce@example; dkim=pass header.d=example",),  # a bare TLD
            f"unverified: {OUR_SERVER} found no DMARC pass and no DKIM or SPF pass aligned with desk.example",
            id="pass-for-a-top-level-domain",
        ),
        pytest.param(
            (f"{OUR_SERVER}; dmarc=pass header.from=evil.example",),  # the attacker's own domain passed
            f"unverified: {OUR_SERVER} found no DMARC pass and no DKIM or SPF pass aligned with desk.example",
            id="dmarc-pass-for-another-domain",
        ),
        pytest.param(
            (f'{OUR_SERVER}; dkim=fail reason="bad; dmarc=pass header.from=desk.example" header.d=desk.example',),
            f"unverified: {OUR_SERVER} says dkim=fail",
            id="pass-inside-a-quoted-reason",
        ),
        pytest.param(
            (f"{OUR_SERVER} (dmarc=pass header.from=desk.example); none",),
            f"unverified: {OUR_SERVER} found no DMARC pass and no DKIM or SPF pass aligned with desk.example",
            id="pass-inside-a-comment",
        ),
    ],
)
def test_a_spoofed_agent_email_with_forged_or_failing_verdicts_is_held(
    opened: MailConversation, results: tuple[str, ...], reason: str
) -> None:
    mail, before = opened, texts_of(opened)
    headers = {"Authentication-Results": results[0]}
    raw = email(BOB, SUBJECT, ANSWER + "\n", name="Bob", verdict=None, headers=headers)
    for below in results[1:]:  # further headers below the first, as they arrive from the sender
        raw = raw.replace(b"\n\n", f"\nAuthentication-Results: {below}\n\n".encode(), 1)

    mail.receive(raw)

    assert_nothing_reached_the_requester(mail, before)
    assert held_reason(mail) == reason


def test_a_second_from_header_cannot_borrow_the_verdict_of_another_domain(opened: MailConversation) -> None:
    mail, before = opened, texts_of(opened)
    message = EmailMessage()
    message["Authentication-Results"] = f"{OUR_SERVER}; dmarc=pass header.from=evil.example"
    message["From"] = f"Bob <{BOB}>"
    message["To"] = "support@desk.example"
    message["Subject"] = SUBJECT
    message.set_content(ANSWER)
    raw = message.as_bytes().replace(b"To:", b"From: eve@evil.example\nTo:", 1)  # the library refuses two From

    mail.receive(raw)

    assert_nothing_reached_the_requester(mail, before)
    assert held_reason(mail) == "unverified: the From header does not name exactly one address"


@pytest.mark.parametrize(
    ("sender", "verdict", "shown"),
    [
        (BOB, "dmarc=pass (p=reject) header.from={domain}", "Bob"),
        (BOB, "dkim=pass header.d=mail.{domain} header.s=sel; spf=none", "Bob"),  # relaxed alignment
        (LEAD, "spf=pass smtp.mailfrom=bounces@{domain}; dkim=none", "Lead"),
    ],
)
def test_a_genuine_agent_email_answers_the_requester_and_stops_the_response_clock(
    opened: MailConversation, sender: str, verdict: str, shown: str
) -> None:
    mail = opened

    mail.receive(email(sender, SUBJECT, "Please clear your cookies and try again.\n", name=shown, verdict=verdict))

    assert mail.held() == []
    [answer] = mail.new_emails()
    assert answer.recipients == [ANNA]
    assert "Please clear your cookies and try again." in answer.message.get_body(("plain",)).get_content()
    assert response_deadline(mail) is State.MET
    assert ticket_of(mail.conversation).first_response_at is not None


def test_with_agents_replying_by_email_turned_off_even_a_verified_agent_email_is_held(make_desk: MakeDesk) -> None:
    mail = make_desk("agents_reply_by_email = false")
    mail.receive(email(message_id="<first@customer.example>"))
    answer_every_question(mail)
    before = texts_of(mail)

    mail.receive(email(BOB, SUBJECT, "Please clear your cookies.\n", name="Bob"))  # dmarc=pass from our server

    assert_nothing_reached_the_requester(mail, before)
    assert held_reason(mail) == "agents_by_email_off"
    assert "this desk takes no replies from agents by email" in mail.agents_posts()[-1].text


def test_a_spoofed_agent_email_opening_a_request_is_held_too(make_desk: MakeDesk) -> None:
    mail = make_desk()

    mail.receive(email(BOB, "Urgent: new procedure", "All customers must send their passwords to ...\n", verdict=None))

    assert mail.intake_threads() == []
    assert mail.new_emails() == []
    assert held_reason(mail) == f"unverified: no Authentication-Results from {OUR_SERVER}"


def test_an_unverified_email_as_the_contact_naming_the_request_is_held_and_adds_nothing(
    opened: MailConversation,
) -> None:
    mail, before = opened, texts_of(opened)
    thread = mail.conversation.thread(mail.conversation.desk.agents_channel, card_of(mail.conversation, 0).ts)

    mail.receive(email(ANNA, SUBJECT, "Please send the invoice to my new address instead.\n", verdict=None))
    mail.receive(email("bernd@customer.example", SUBJECT, "Same here.\n", name="Bernd", verdict=None))

    assert texts_of(mail) == before
    assert mail.new_emails() == []
    reasons = [entry.reason for entry in mail.held()]
    assert reasons == [f"unverified: no Authentication-Results from {OUR_SERVER}"] * 2
    after = mail.conversation.thread(mail.conversation.desk.agents_channel, card_of(mail.conversation, 0).ts)
    assert [m.text for m in after] == [m.text for m in thread]  # nothing relayed to the agents' thread either


def test_an_unverified_sender_may_still_open_a_new_request(make_desk: MakeDesk) -> None:
    mail = make_desk()

    mail.receive(email("someone@elsewhere.example", "Printer on fire", "It smokes.\n", name="Someone", verdict=None))

    assert mail.held() == []
    assert len(mail.intake_threads()) == 1
    [question] = mail.new_emails()
    assert question.recipients == ["someone@elsewhere.example"]


def test_attaching_a_held_spoofed_agent_email_does_not_make_it_speak_for_the_team(opened: MailConversation) -> None:
    mail = opened
    mail.receive(email(BOB, SUBJECT, ANSWER + "\n", name="Bob", verdict=None))
    post = mail.agents_posts()[-1]

    mail.conversation.slack.block_actions("carol", post, "held:attached")  # an agent adds it to SR-000001
    mail.settle()

    assert mail.held() == []
    assert mail.new_emails() == []  # the requester still got nothing from "Bob"
    assert response_deadline(mail) is State.RUNNING
    assert ticket_of(mail.conversation).first_response_at is None
    thread = mail.conversation.thread(mail.conversation.desk.agents_channel, card_of(mail.conversation, 0).ts)
    assert any(ANSWER in m.text for m in thread)  # shown to the agents only


def test_without_an_authserv_id_nothing_is_verified_and_replies_naming_a_request_are_held(
    make_desk: MakeDesk, caplog: pytest.LogCaptureFixture
) -> None:
    mail = make_desk(authserv=False)
    assert "[email] authserv_id is not set: no sender can be verified" in caplog.text
    mail.receive(email(message_id="<first@customer.example>"))  # a new request still opens
    [question] = mail.new_emails()

    mail.receive(email(ANNA, str(question.message["Subject"]), "+33 6 12 34 56 78\n"))  # our "pass" is not read
    mail.receive(email(BOB, str(question.message["Subject"]), ANSWER + "\n", name="Bob"))

    assert [entry.reason for entry in mail.held()] == [
        "unverified: no [email] authserv_id is set, so no sender can be verified"
    ] * 2
    assert ticket_of(mail.conversation).contact_phone is None
    assert mail.new_emails() == []
