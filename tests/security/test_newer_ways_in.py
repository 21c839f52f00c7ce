"""Attacks on the newer ways in (docs/security.md, "Who may do what"): "Open a request?" in a customer's channel
(`offer:yes`, `offer:no`), contact details in a shared customer channel, the agents' forms answered with errors,
`/frontdesk defer` and `list deferred`; each through signed HTTP against the Slack emulator.

An `offer:` button carries the message it was asked under ("channel|ts|author"): a crafted one may name any
message. Only a question the bot asked, and only once, may open a request.
"""

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from bot.desk.commands import SHAPES, Command, parse_command
from bot.desk.intake.abandoned import sweep_abandoned
from bot.say import Say
from bot.slack.routes import FRONTDESK, Role, route_of
from bot.ways_in import IDS
from slack_emulator import Message, Workspace, payloads
from slack_emulator.model import ChannelKind
from slack_emulator.shapes import view_json
from storage import audit
from storage.numbers import format_sr
from storage.tables.audit import AuditEvent
from storage.tables.queues import InboxItem
from storage.tables.tickets import Message as MessageRow
from storage.tables.tickets import Ticket
from tests.bot.conversation import START, Conversation, conversation_on, desk_config
from tests.bot.desk.conftest import complete_request, frontdesk, ticket_of
from tests.bot.email.mail_conversation import ANNA, email, mail_desk, reply_to  # noqa: F401  (fixture)
from tests.bot.email.smtp_server import smtp_server  # noqa: F401  (fixture)
from tests.bot.email.test_round_trip import answer_every_question

EXTERNAL = "T0ACME001"  # the customer's own organisation
ERIN_EMAIL, ERIN_PHONE = "erin@acme.example", "+33 6 11 22 33 44"


@pytest.fixture
def acme(db, tmp_path: Path) -> Iterator[Conversation]:
    """Acme's Slack Connect channels, one per channel_mode: erin and frank are Acme's, bob is an agent."""
    current: list[Conversation] = []
    ws = Workspace.example(clock=lambda: (current[0].now if current else START).timestamp())
    erin = ws.add_user("erin", real_name="Erin Acme", email=ERIN_EMAIL, phone=ERIN_PHONE, team=EXTERNAL)
    frank = ws.add_user("frank", real_name="Frank Acme", email="frank@acme.example", team=EXTERNAL)
    people = [erin, frank, ws.user("bob")]
    channels = {
        mode: ws.add_channel(f"acme-{mode}", members=people, ext_shared=True) for mode in ("auto", "ask", "reaction")
    }
    extra = "".join(
        f'[[customers]]\nname = "Acme {mode}"\nplan = "kpro"\nslack_channels = ["{channel.id}"]\n'
        f'channel_mode = "{mode}"\n'
        for mode, channel in channels.items()
    )
    for conversation in conversation_on(db, ws, desk_config(ws, tmp_path, extra=extra)):
        current.append(conversation)
        conversation.channels = channels
        yield conversation


@pytest.fixture
def conversation(db, tmp_path: Path) -> Iterator[Conversation]:
    """The example desk: Alice asks in the shared #support, bob and carol are the agents."""
    ws = Workspace.example()
    yield from conversation_on(db, ws, desk_config(ws, tmp_path))


def _said(conversation: Conversation, channel, user: str, text: str, thread_ts: str | None = None) -> Message:
    said = conversation.slack.user_says(channel, user, text, thread_ts=thread_ts)
    conversation.settle()
    return said.message


def _tickets(conversation: Conversation) -> list[Ticket]:
    with conversation.database.read() as session:
        return [Ticket.model_validate(t.model_dump()) for t in session.exec(select(Ticket).order_by(Ticket.id))]


def _press_offer(conversation: Conversation, user: str, channel, ts: str, author: str, answer: str) -> None:
    """`user` sends an `offer:<answer>` click naming the message (channel, ts) of `author`, as a crafted payload."""
    ws = conversation.emulator.workspace
    who = ws.user(user)
    action = {"type": "button", "action_id": IDS["offer"] + answer, "block_id": "offer",
              "value": f"{channel.id}|{ts}|{ws.user(author).id}", "action_ts": ws.next_ts()}  # fmt: skip
    fields = {
        "actions": [action],
        "container": {"type": "message", "message_ts": ts, "channel_id": channel.id},
        "channel": {"id": channel.id, "name": channel.name},
        "response_url": conversation.emulator.response_url(channel.id, who.id),
        "trigger_id": ws.issue_trigger(who),
    }
    conversation.slack.send("interactive", payloads.interaction("block_actions", ws.app, ws.team, who, **fields))
    conversation.settle()


def _offer_under(conversation: Conversation, channel, root: Message) -> Message:
    (offer,) = [m for m in conversation.thread(channel.id, root.ts) if m.user == conversation.bot_user]
    return offer


# -- "Open a request?" ----------------------------------------------------------------------------------------


def test_a_crafted_yes_on_ones_own_old_message_where_nothing_was_asked_opens_nothing(acme):
    """In a `reaction` channel only an agent's :ticket: opens a request; a forged "yes" naming one's own message
    of a week ago would open one there, its response clock started a week ago (breached at once)."""
    channel = acme.channels["reaction"]
    old = _said(acme, channel, "erin", "Invoices show the wrong VAT number")
    acme.now += timedelta(days=7)
    _press_offer(acme, "erin", channel, old.ts, "erin", "yes")
    assert _tickets(acme) == []
    assert acme.bot_says(channel.id, old.ts) == []


def test_a_crafted_yes_in_an_asking_channel_on_a_message_never_asked_about_opens_nothing(acme):
    channel = acme.channels["ask"]
    reply = _said(acme, channel, "erin", "Is there a size limit?")
    in_thread = _said(acme, channel, "erin", "(for the quarterly import)", thread_ts=reply.ts)  # never asked about
    _press_offer(acme, "erin", channel, in_thread.ts, "erin", "yes")
    assert _tickets(acme) == []


def test_a_yes_naming_someone_elses_message_as_ones_own_opens_nothing(acme):
    channel = acme.channels["ask"]
    root = _said(acme, channel, "erin", "Is there a size limit?")
    _offer_under(acme, channel, root)
    _press_offer(acme, "frank", channel, root.ts, "frank", "yes")  # frank claims erin's message is his
    assert _tickets(acme) == []
    acme.slack.block_actions("erin", _offer_under(acme, channel, root), "offer:yes")
    acme.settle()
    (ticket,) = _tickets(acme)
    assert ticket.description == "Is there a size limit?"


def test_open_a_request_is_answered_once_a_second_yes_or_a_yes_after_no_opens_nothing_more(acme):
    channel = acme.channels["ask"]
    root = _said(acme, channel, "erin", "Is there a size limit?")
    offer = _offer_under(acme, channel, root)
    acme.slack.block_actions("erin", offer, "offer:yes")
    acme.settle()
    _press_offer(acme, "erin", channel, root.ts, "erin", "yes")
    assert len(_tickets(acme)) == 1

    other = _said(acme, channel, "erin", "Never mind the colours question")
    acme.slack.block_actions("erin", _offer_under(acme, channel, other), "offer:no")
    acme.settle()
    _press_offer(acme, "erin", channel, other.ts, "erin", "yes")  # the buttons are gone; a forged click
    assert len(_tickets(acme)) == 1
    assert acme.bot_says(channel.id, other.ts)[0].endswith("No request was opened for this message.")


# -- contact details in a shared customer channel -------------------------------------------------------------


def _seen_by(conversation: Conversation, user: str) -> str:
    """Everything `user` can read in Slack: the channels they are in (but the requester's DM), their ephemerals."""
    ws = conversation.emulator.workspace
    uid = ws.user(user).id
    shared = [c for c in ws.channels() if uid in c.members and c.kind != ChannelKind.IM]
    messages = [m for c in shared for m in ws.messages(c)]
    threads = [r for c in shared for m in ws.messages(c) for r in ws.messages(c, thread_ts=m.ts)]
    texts = [m.text for m in messages + threads] + [json.dumps(m.blocks) for m in messages + threads]
    return "\n".join(texts + [e.text for e in ws.ephemerals(user=uid)])


@pytest.mark.parametrize("mode", ["auto", "ask", "reaction"])
def test_a_customers_contact_details_are_never_shown_to_the_others_in_their_shared_channel(acme, mode):
    channel = acme.channels[mode]
    root = _said(acme, channel, "erin", "Exports fail with a 500 since this morning")
    if mode == "ask":
        acme.slack.block_actions("erin", _offer_under(acme, channel, root), "offer:yes")
        acme.settle()
    if mode == "reaction":
        acme.slack.reaction_added("bob", "ticket", channel, root.ts)
        acme.settle()
    (ticket,) = _tickets(acme)
    assert ticket.contact_email == ERIN_EMAIL  # known from her profile
    frank = _seen_by(acme, "frank")
    assert "Exports fail" in frank
    assert ERIN_EMAIL not in frank
    assert "11 22 33 44" not in frank
    assert "+33611223344" not in frank
    private = [e.text for e in acme.emulator.workspace.ephemerals(channel, "erin")]
    assert any(ERIN_EMAIL in text for text in private)  # asked and confirmed privately


# -- the agents' forms, defer and list deferred ---------------------------------------------------------------


def _alices(conversation: Conversation, *, complete: bool = False) -> Ticket:
    """Alice's request: in intake in #support, or (`complete`) asked in her DM and ready for the agents."""
    if complete:
        complete_request(conversation, "Search is slow since this morning")
    else:
        conversation.slack.user_says("support", "alice", "Search is slow since this morning")
        conversation.settle()
    (ticket,) = _tickets(conversation)
    return ticket


def _refusals(conversation: Conversation) -> list[AuditEvent]:
    with conversation.database.read() as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.action == audit.REFUSED)).all()
        return [AuditEvent.model_validate(row.model_dump()) for row in rows]


def test_an_agent_form_with_errors_from_a_non_agent_tells_nothing_of_the_request_and_stores_nothing(conversation):
    ticket = _alices(conversation)
    ws = conversation.emulator.workspace
    mallory = ws.add_user("mallory", real_name="Mallory Evil")
    definition = {"type": "modal", "callback_id": IDS["form_reopen"], "title": {"type": "plain_text", "text": "x"},
                  "private_metadata": json.dumps({"ticket": ticket.id, "value": None})}  # fmt: skip
    view = ws.open_view(mallory, definition)
    view = ws.set_view_state(view.id, {"text": {"text": {"type": "plain_text_input", "value": "   "}}})
    fields = {"view": view_json(view, ws.app, ws.team), "response_urls": [], "trigger_id": ws.issue_trigger(mallory)}
    answered = conversation.slack.send(
        "interactive", payloads.interaction("view_submission", ws.app, ws.team, mallory, **fields)
    )
    conversation.settle()
    assert answered.ack_payload is not None
    assert answered.ack_payload["response_action"] == "errors"
    assert set(answered.ack_payload["errors"]) == {"text"}
    shown = json.dumps(answered.ack_payload)
    assert format_sr(ticket.sr_number) not in shown
    assert "resolved" not in shown
    assert "Search" not in shown
    assert _tickets(conversation) == [ticket]


def test_a_non_agent_cannot_defer_a_request_nor_list_the_deferred_ones(conversation):
    ticket = _alices(conversation, complete=True)
    frontdesk(conversation, "defect SR-000001")  # bob, an agent, defers Alice's request
    assert frontdesk(conversation, "defer SR-000001 until 2026-12-24 in 4.2").startswith("SR-000001: deferred")
    (deferred,) = _tickets(conversation)
    assert deferred.status == "deferred"
    ws = conversation.emulator.workspace
    mallory = ws.add_user("mallory", real_name="Mallory Evil")
    ws.invite("support", "mallory")
    for text in (f"defer {format_sr(ticket.sr_number)} until 2026-12-31 mine now", "list deferred", "LIST   deferred"):
        conversation.slack.slash_command("/frontdesk", "mallory", "support", text)
        conversation.settle()
    assert [r.subject for r in _refusals(conversation)] == [
        "command /frontdesk defer", "command /frontdesk list", "command /frontdesk list"
    ]  # fmt: skip
    told = [e.text for e in ws.ephemerals(user=mallory.id)]
    assert told
    assert all(text == "Only agents can do that." for text in told)
    assert _tickets(conversation) == [deferred]


def test_a_deferral_reason_pings_nobody_links_nowhere_and_forges_no_line_of_the_card(conversation):
    """The reason is an agent's text: the requester reads it as written (its lines too), but never as a mention or
    a link, and on the card it stays on its one line."""
    ticket = _alices(conversation, complete=True)
    reason = "in 4.2 <!channel>\n*Priority:* P1 <https://evil.example|click>"
    frontdesk(conversation, f"defect {format_sr(ticket.sr_number)}")
    frontdesk(conversation, f"defer {format_sr(ticket.sr_number)} until 2026-12-24 {reason}")
    assert _tickets(conversation)[0].status == "deferred"
    ws = conversation.emulator.workspace
    posted = {
        c.id: [r.text for m in ws.messages(c) for r in [m, *ws.messages(c, thread_ts=m.ts)]] for c in ws.channels()
    }
    said = "\n".join(text for texts in posted.values() for text in texts)
    assert "Fix deferred to Thu 24 Dec 2026" in said
    assert "<!channel>" not in said
    assert "<https://evil.example" not in said
    card = "\n".join(posted[conversation.desk.agents_channel])
    assert "in 4.2 @channel *Priority:* P1 click" in card
    assert not any(line.startswith("*Priority:*") for line in card.splitlines())


def test_a_customers_contact_details_stay_private_through_a_whole_intake_in_their_shared_channel(acme):
    """Confirmed with the private "Yes, that's right", then the other answers in the thread; the request done,
    nothing the others in the channel read shows her email or phone."""
    channel = acme.channels["auto"]
    root = _said(acme, channel, "erin", "Exports fail with a 500 since this morning")
    (private,) = acme.emulator.workspace.ephemerals(channel, "erin")
    acme.slack.block_actions("erin", private, "answer:yes")
    acme.settle()
    matrix = acme.desk.policy.matrix
    triage = (matrix.impacts[-1].name, matrix.urgencies[-1].name) if matrix else ()
    for answer in ("today 9:00", "none", "none", *triage, "incident"):
        _said(acme, channel, "erin", answer, thread_ts=root.ts)
    (ticket,) = _tickets(acme)
    assert ticket.status != "intake"
    assert (ticket.contact_email, ticket.contact_phone) == (ERIN_EMAIL, "+33611223344")
    frank = _seen_by(acme, "frank")
    assert "Your request is *SR-000001*" in frank
    assert ERIN_EMAIL not in frank
    assert "11 22 33 44" not in frank
    assert "+33611223344" not in frank


WORDS = st.sampled_from([*SHAPES, "list", "help", "deferred", "SR-000001", "1", "until", "next_release"])
SPACES = st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", "\u2003", "\u3000", ""])


@given(st.lists(st.tuples(WORDS.map(lambda w: w.upper() if len(w) % 2 else w) | st.text(max_size=6), SPACES)))
def test_every_frontdesk_command_the_parser_acts_on_is_routed_to_agents_only(parts):
    """`/frontdesk` alone (help) is for anyone: whatever text the command parser takes for an action is an agent
    route, so no spelling of `defer` or `list deferred` reaches a handler for someone who is not an agent."""
    text = "".join(word + space for word, space in parts)
    parsed = parse_command(text)
    matched = route_of({"command": FRONTDESK, "text": text, "user_id": "U1"})
    assert matched is not None
    if isinstance(parsed, Command) and parsed.action != "help":
        assert matched.route.role == Role.AGENT, text


def test_another_customers_message_in_the_follow_up_window_is_not_taken_as_the_requesters(acme):
    """In an `auto` channel the requester's next top-level messages join her request; another person's never
    answer its questions nor join it as hers."""
    channel = acme.channels["auto"]
    _said(acme, channel, "erin", "Exports fail with a 500 since this morning")
    _said(acme, channel, "frank", "frank@evil.example +33 7 00 00 00 00 today 9:00 none")
    erins, franks = _tickets(acme)  # frank's message is a request of his own
    assert franks.requester_id != erins.requester_id
    assert (erins.contact_email, erins.contact_phone) == (ERIN_EMAIL, "+33611223344")
    assert "frank" not in (erins.description or "")
    frank = acme.emulator.workspace.user("frank").id
    with acme.database.read() as session:
        written = session.exec(select(MessageRow).where(MessageRow.ticket_id == erins.id)).all()
    assert all(m.author != frank or m.author_role != "requester" for m in written)


def _agent_presses(conversation: Conversation, user: str, action_id: str, block_id: str, value: str) -> None:
    ws = conversation.emulator.workspace
    who, agents = ws.user(user), ws.channel("support-agents")
    action = {"type": "button", "action_id": action_id, "block_id": block_id, "value": value,
              "action_ts": ws.next_ts()}  # fmt: skip
    fields = {
        "actions": [action],
        "channel": {"id": agents.id, "name": agents.name},
        "response_url": conversation.emulator.response_url(agents.id, who.id),
        "trigger_id": ws.issue_trigger(who),
    }
    conversation.slack.send("interactive", payloads.interaction("block_actions", ws.app, ws.team, who, **fields))
    conversation.settle()


def test_an_agents_click_or_form_naming_a_request_that_does_not_exist_is_dropped_not_retried(conversation, caplog):
    """A card from before the database was restored from an older backup names a request that is not there: the
    click is dropped with one line, and the agent's next click is not held up behind its retries."""
    ticket = _alices(conversation, complete=True)
    ws = conversation.emulator.workspace
    bob = ws.user("bob")
    _agent_presses(conversation, "bob", "card:resolve", "card|999", "resolve")
    _agent_presses(conversation, "bob", "answer:yes", "answer|999|contact", "yes")
    definition = {"type": "modal", "callback_id": IDS["form_reply"], "title": {"type": "plain_text", "text": "x"},
                  "private_metadata": json.dumps({"ticket": 999, "value": None})}  # fmt: skip
    view = ws.open_view(bob, definition)
    view = ws.set_view_state(view.id, {"text": {"text": {"type": "plain_text_input", "value": "Hello"}}})
    fields = {"view": view_json(view, ws.app, ws.team), "response_urls": [], "trigger_id": ws.issue_trigger(bob)}
    conversation.slack.send("interactive", payloads.interaction("view_submission", ws.app, ws.team, bob, **fields))
    conversation.settle()
    _agent_presses(conversation, "bob", "card:resolve", f"card|{ticket.id}", "resolve")
    with conversation.database.read() as session:
        rows = session.exec(select(InboxItem)).all()
        assert [(row.key, row.state, row.attempts) for row in rows if row.state != "done"] == []
    assert _tickets(conversation)[0].status == "resolved"  # the last click was not held up
    dropped = [r.getMessage() for r in caplog.records if "which does not exist" in r.getMessage()]
    assert len(dropped) == 3
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


# -- by email: a verified colleague of the requester, at the same customer's domain ---------------------------

BERND = "bernd@customer.example"


def test_a_colleagues_email_in_a_request_still_in_intake_answers_none_of_its_questions(mail_desk):  # noqa: F811
    """Bernd may write in Anna's request (he is at the same customer), but his "Phone:" and "Email:" never become
    her contact details, and nothing of his answers the intake."""
    mail = mail_desk
    mail.receive(email(message_id="<first@customer.example>"))
    [question] = mail.new_emails()
    mail.receive(reply_to(question, "Email: bernd@customer.example\nPhone: +49 170 1234567\nToday 9:00\nnone\n",
                          sender=BERND))  # fmt: skip
    ticket = ticket_of(mail.conversation)
    assert ticket.contact_email == ANNA
    assert ticket.contact_phone in (None, "")
    assert ticket.status == "intake"
    assert "contact" in ticket.missing_fields
    assert all(BERND not in e.recipients for e in mail.new_emails())  # the intake asks only Anna


def test_a_colleagues_yes_by_email_neither_closes_nor_rates_the_request(mail_desk):  # noqa: F811
    mail = mail_desk
    mail.receive(email(message_id="<first@customer.example>"))
    answer_every_question(mail)
    frontdesk(mail.conversation, "resolve SR-000001")
    mail.settle()
    [asked] = [
        e for e in mail.new_emails() if "Is your problem solved?" in e.message.get_body(("plain",)).get_content()
    ]
    mail.receive(reply_to(asked, "Yes, all good now. 5", sender=BERND))
    ticket = ticket_of(mail.conversation)
    assert ticket.status == "resolved"
    assert ticket.satisfaction_score is None


# -- abandoned intake: nobody but the requester keeps her request open ----------------------------------------


def test_a_strangers_comments_in_a_request_thread_never_keep_it_from_closing(conversation):
    """Mallory comments under Alice's incomplete request every few hours: Alice is reminded once, and the request
    closes `close_after` after Alice's own last word, as if Mallory had said nothing."""
    ws = conversation.emulator.workspace
    ws.add_user("mallory", real_name="Mallory Evil")
    ws.invite("support", "mallory")
    root = conversation.slack.user_says("support", "alice", "Search is slow since this morning").message
    conversation.settle()
    intake, at = conversation.desk.intake, START
    while at + timedelta(hours=3) < START + intake.close_after:
        at += timedelta(hours=3)
        conversation.now = at
        conversation.slack.user_says("support", "mallory", "bump", thread_ts=root.ts)
        conversation.settle()
        sweep_abandoned(conversation.database, conversation.desk, at, lambda s, at=at: Say(s, conversation.desk, at))
    closing = START + intake.close_after
    conversation.now = closing
    swept = sweep_abandoned(
        conversation.database, conversation.desk, closing, lambda s: Say(s, conversation.desk, closing)
    )
    conversation.settle()
    assert swept.closed == (_tickets(conversation)[0].id,)
    reminders = [t for t in conversation.bot_says(root.channel, root.ts) if t.startswith("Are you still there?")]
    assert len(reminders) == 1
