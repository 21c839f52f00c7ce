"""Customers asking in their own Slack Connect channels, end to end: one channel per `channel_mode` (docs/slack.md,
"Running it with Slack"), customers and staff writing there, in threads, with edits, and an external user Slack
will not describe (users.info refused)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col

from slack_emulator import Workspace
from storage import messages, tickets
from storage.tables import Requester, Ticket
from tests.bot.conversation import START, Conversation, conversation_on, desk_config

EXTERNAL = "T0ACME001"  # the customer's own organisation


@pytest.fixture
def shared(db, tmp_path: Path):
    """A desk with three Slack Connect channels (auto, ask, reaction), each of its own customer; erin and frank
    are the customer's people (Slack does not describe frank), dave is staff but not an agent, bob an agent."""
    current: list[Conversation] = []
    workspace = Workspace.example(clock=lambda: (current[0].now if current else START).timestamp())
    erin = workspace.add_user(
        "erin", real_name="Erin Acme", email="erin@acme.example", tz="Europe/Paris", team=EXTERNAL
    )
    frank = workspace.add_user("frank", real_name="Frank Acme", team=EXTERNAL, info_refused=True)
    people = [erin, frank, workspace.user("bob"), workspace.user("dave")]
    channels = {
        mode: workspace.add_channel(f"acme-{mode}", members=people, ext_shared=True)
        for mode in ("auto", "ask", "reaction")
    }
    extra = "".join(
        f'[[customers]]\nname = "Acme {mode}"\nplan = "kpro"\nslack_channels = ["{channel.id}"]\n'
        f'channel_mode = "{mode}"\n' + ('follow_up_window = "10m"\n' if mode == "auto" else "")
        for mode, channel in channels.items()
    )
    for conversation in conversation_on(db, workspace, desk_config(workspace, tmp_path, extra=extra)):
        current.append(conversation)
        conversation.channels = channels
        yield conversation


def _tickets(conversation) -> list[tickets.TicketRecord]:
    with conversation.database.read() as session:
        rows = session.exec(tickets.select(Ticket).order_by(Ticket.id)).all()
        return [tickets.to_ticket_record(row) for row in rows]


def _said(conversation, channel, user: str, text: str, thread_ts: str | None = None):
    said = conversation.slack.user_says(channel, user, text, thread_ts=thread_ts)
    conversation.settle()
    return said.message


def _edit(conversation, channel, message, text: str) -> None:
    """Slack's `message_changed` event for an edit of `message`."""
    edited = {"type": "message", "user": message.user, "text": text, "ts": message.ts}
    event = {
        "type": "message",
        "subtype": "message_changed",
        "channel": channel.id,
        "hidden": True,
        "ts": conversation.emulator.workspace.next_ts(),
        "message": edited,
        "previous_message": {"type": "message", "user": message.user, "text": message.text, "ts": message.ts},
    }
    conversation.slack.event(event, ext_shared=True)
    conversation.settle()


def _instant(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), UTC)


def test_auto_a_customers_message_opens_a_request_and_staff_chatter_never_does(shared):
    channel = shared.channels["auto"]
    for staff in ("dave", "bob"):
        chatter = _said(shared, channel, staff, f"{staff} here: deploying the fix this afternoon")
        assert shared.bot_says(channel.id, chatter.ts) == []
    assert _tickets(shared) == []

    root = _said(shared, channel, "erin", "Exports fail with a 500 since this morning")
    status, question = shared.bot_says(channel.id, root.ts)
    assert "Exports fail with a 500 since this morning" in status
    assert question.startswith("I need a way to reach you")
    (ticket,) = _tickets(shared)
    assert (ticket.slack_channel, ticket.slack_thread_ts) == (channel.id, root.ts)
    assert ticket.opened_at == _instant(root.ts)  # the request opens when the customer wrote
    assert ticket.plan == "kpro"

    follow_up = _said(shared, channel, "erin", "Also: the CSV download is empty")
    assert shared.bot_says(channel.id, follow_up.ts) == []  # it joined the request: answered in its thread
    dave = _said(shared, channel, "dave", "Looking into it", thread_ts=root.ts)
    _edit(shared, channel, root, "Exports fail with a 500 since 9:00")
    (ticket,) = _tickets(shared)
    with shared.database.read() as session:
        written = [(m.author, m.text) for m in messages.messages_of(session, ticket.id)]
    erin = shared.emulator.workspace.user("erin").id
    assert (erin, "Also: the CSV download is empty") in written
    assert (dave.user, "Looking into it") in written
    assert ticket.description == "Exports fail with a 500 since this morning"  # an edit opens and changes nothing

    shared.now += timedelta(minutes=15)  # past the follow-up window: a new subject is a new request
    later = _said(shared, channel, "erin", "Another thing: SSO login loops")
    assert len(shared.bot_says(channel.id, later.ts)) == 2
    assert [t.slack_thread_ts for t in _tickets(shared)] == [root.ts, later.ts]


def test_auto_an_external_user_slack_will_not_describe_is_known_by_what_the_event_carries(shared):
    channel = shared.channels["auto"]
    root = _said(shared, channel, "frank", "The API answers 401 to every token")
    status, question = shared.bot_says(channel.id, root.ts)
    assert "The API answers 401 to every token" in status
    assert question.startswith("I need a way to reach you")
    frank = shared.emulator.workspace.user("frank").id
    with shared.database.read() as session:
        found, total = tickets.requested_by(session, slack_team_id=EXTERNAL, slack_user_id=frank, limit=5)
    assert total == 1
    assert found[0].slack_thread_ts == root.ts
    _said(shared, channel, "frank", "frank@acme.example", thread_ts=root.ts)
    assert "frank@acme.example" in _tickets(shared)[0].contact_email


def test_ask_the_bot_asks_once_and_only_the_author_may_answer(shared):
    channel = shared.channels["ask"]
    assert shared.bot_says(channel.id, _said(shared, channel, "dave", "Standup moved to 10:30").ts) == []
    root = _said(shared, channel, "erin", "Is there a limit on attachment size?")
    (offer,) = [m for m in shared.thread(channel.id, root.ts) if m.user == shared.bot_user]
    assert offer.text.endswith(
        "Open a request for this message? The support team then follows it here, in this thread."
    )
    _said(shared, channel, "erin", "(it is for the quarterly import)", thread_ts=root.ts)
    _edit(shared, channel, root, "Is there a limit on attachment size? We upload 80 MB files")
    assert [m.text for m in shared.thread(channel.id, root.ts) if m.user == shared.bot_user] == [offer.text]
    assert _tickets(shared) == []

    shared.slack.block_actions("frank", offer, "offer:yes")
    shared.settle()
    (refused,) = shared.emulator.workspace.ephemerals(user="frank")
    assert refused.text == "Only the person who wrote that message can answer this. Nothing was changed."
    assert _tickets(shared) == []

    shared.now += timedelta(minutes=30)
    shared.slack.block_actions("erin", offer, "offer:yes")
    shared.settle()
    (ticket,) = _tickets(shared)
    assert (ticket.slack_channel, ticket.slack_thread_ts) == (channel.id, root.ts)
    assert ticket.opened_at == _instant(root.ts)  # the response clock counts from the customer's message
    assert ticket.description == "Is there a limit on attachment size?"
    said = shared.bot_says(channel.id, root.ts)
    assert said[0].endswith("A request was opened for this message; I ask what it needs below.")
    assert "Is there a limit on attachment size?" in said[1]
    updated = shared.emulator.workspace.message(channel, offer.ts)
    assert all(block["type"] != "actions" for block in updated.blocks)

    other = _said(shared, channel, "erin", "Never mind the colours question")
    (second,) = [m for m in shared.thread(channel.id, other.ts) if m.user == shared.bot_user]
    shared.slack.block_actions("erin", second, "offer:no")
    shared.settle()
    assert shared.bot_says(channel.id, other.ts)[0].endswith("No request was opened for this message.")
    assert len(_tickets(shared)) == 1


def _offer_under(conversation, channel, root):
    (offer,) = [m for m in conversation.thread(channel.id, root.ts) if m.user == conversation.bot_user]
    return offer


def _press(conversation, user: str, offer, answer: str, times: int = 1) -> None:
    for _ in range(times):
        conversation.slack.block_actions(user, offer, f"offer:{answer}")
    conversation.settle()


def test_ask_the_first_answer_wins_and_later_presses_change_nothing(shared):
    channel = shared.channels["ask"]
    root = _said(shared, channel, "erin", "Can we get a second admin account?")
    offer = _offer_under(shared, channel, root)
    _press(shared, "erin", offer, "no")
    answered = shared.emulator.workspace.message(channel, offer.ts).text
    assert answered.endswith("No request was opened for this message.")

    _press(shared, "erin", offer, "yes")  # the stale "yes" still on screen after "no"
    assert _tickets(shared) == []
    assert shared.emulator.workspace.message(channel, offer.ts).text == answered
    (told,) = shared.emulator.workspace.ephemerals(user="erin")
    assert told.text == (
        "This was answered already: no request was opened for that message. Nothing was changed; write a new "
        "message to ask again."
    )

    other = _said(shared, channel, "erin", "Our SSO certificate expires on Friday")
    second = _offer_under(shared, channel, other)
    _press(shared, "erin", second, "yes", times=2)  # a double click: both presses arrive
    (ticket,) = _tickets(shared)
    assert ticket.slack_thread_ts == other.ts
    _press(shared, "erin", second, "no")  # "no" after "yes" closes nothing
    assert [t.status for t in _tickets(shared)] == [ticket.status]
    assert shared.emulator.workspace.message(channel, second.ts).text.endswith(
        "A request was opened for this message; I ask what it needs below."
    )
    ephemerals = [e.text for e in shared.emulator.workspace.ephemerals(user="erin")][1:]
    told = [text for text in ephemerals if text.startswith("This was answered already")]
    again = f"This was answered already: {ticket.sr} is open for that message, in its thread. Nothing was changed."
    assert told == [again, again]
    assert len(shared.bot_says(channel.id, other.ts)) == 3  # the answered question, the status, one question


def test_reaction_only_an_agents_ticket_opens_a_request(shared):
    channel = shared.channels["reaction"]
    root = _said(shared, channel, "erin", "Our invoices show the wrong VAT number")
    assert shared.bot_says(channel.id, root.ts) == []
    shared.now += timedelta(minutes=20)
    shared.slack.reaction_added("dave", "ticket", channel, root.ts)  # staff, not an agent
    shared.settle()
    assert _tickets(shared) == []
    shared.slack.reaction_added("bob", "ticket", channel, root.ts)
    shared.settle()
    (ticket,) = _tickets(shared)
    assert (ticket.slack_thread_ts, ticket.plan) == (root.ts, "kpro")
    assert ticket.opened_at == _instant(root.ts)  # when the customer wrote, not when the agent reacted
    assert len(shared.bot_says(channel.id, root.ts)) == 2


@pytest.fixture
def internal(db, tmp_path: Path):
    """The same three modes in customer channels that are NOT shared (no Slack Connect): grace is the customer's
    guest in our workspace, dave a colleague who is not an agent, bob an agent. Every message carries our team."""
    current: list[Conversation] = []
    workspace = Workspace.example(clock=lambda: (current[0].now if current else START).timestamp())
    grace = workspace.add_user("grace", real_name="Grace Initech", email="grace@initech.example", tz="Europe/Paris")
    people = [grace, workspace.user("bob"), workspace.user("dave")]
    channels = {mode: workspace.add_channel(f"initech-{mode}", members=people) for mode in ("auto", "ask", "reaction")}
    extra = "".join(
        f'[[customers]]\nname = "Initech {mode}"\nplan = "kpro"\nslack_channels = ["{channel.id}"]\n'
        f'channel_mode = "{mode}"\n'
        for mode, channel in channels.items()
    )
    for conversation in conversation_on(db, workspace, desk_config(workspace, tmp_path, extra=extra)):
        current.append(conversation)
        conversation.channels = channels
        yield conversation


def _requesters(conversation) -> list[str]:
    """Each request's requester, by name, in SR order."""
    ids = {user.id: user.name for user in conversation.emulator.workspace.users()}
    with conversation.database.read() as session:
        statement = (
            tickets.select(Requester.slack_user_id)
            .join(Ticket, col(Ticket.requester_id) == col(Requester.id))
            .order_by(col(Ticket.id))
        )
        return [ids.get(str(user), "?") for user in session.exec(statement)]


def test_not_shared_auto_everyone_but_the_agents_is_the_customers(internal):
    channel = internal.channels["auto"]
    chatter = _said(internal, channel, "bob", "bob here: deploying the fix this afternoon")
    assert internal.bot_says(channel.id, chatter.ts) == []  # an agent never opens one
    root = _said(internal, channel, "grace", "Exports fail with a 500 since this morning")
    assert len(internal.bot_says(channel.id, root.ts)) == 2
    for_them = _said(internal, channel, "dave", "Same for the Lyon office: the import hangs")
    assert len(internal.bot_says(channel.id, for_them.ts)) == 2  # a colleague posting for the customer
    assert _requesters(internal) == ["grace", "dave"]
    assert [t.plan for t in _tickets(internal)] == ["kpro", "kpro"]


def test_not_shared_ask_offers_to_everyone_but_the_agents(internal):
    channel = internal.channels["ask"]
    assert internal.bot_says(channel.id, _said(internal, channel, "bob", "Standup moved to 10:30").ts) == []
    root = _said(internal, channel, "grace", "Is there a limit on attachment size?")
    offer = _offer_under(internal, channel, root)
    _press(internal, "grace", offer, "yes")
    assert _requesters(internal) == ["grace"]
    dave = _said(internal, channel, "dave", "Can Initech get a second admin account?")
    _press(internal, "dave", _offer_under(internal, channel, dave), "no")
    assert internal.bot_says(channel.id, dave.ts)[0].endswith("No request was opened for this message.")
    assert _requesters(internal) == ["grace"]


def test_not_shared_reaction_only_an_agents_ticket_opens_one(internal):
    channel = internal.channels["reaction"]
    root = _said(internal, channel, "grace", "Our invoices show the wrong VAT number")
    assert internal.bot_says(channel.id, root.ts) == []
    internal.slack.reaction_added("dave", "ticket", channel, root.ts)  # not an agent: refused
    internal.settle()
    assert _tickets(internal) == []
    internal.slack.reaction_added("bob", "ticket", channel, root.ts)
    internal.settle()
    assert _requesters(internal) == ["grace"]
    assert _tickets(internal)[0].opened_at == _instant(root.ts)


# -- threads and edits in each mode (Slack Connect) -----------------------------------------------------------


def _written(conversation, ticket) -> list[tuple[str, str]]:
    ids = {user.id: user.name for user in conversation.emulator.workspace.users()}
    with conversation.database.read() as session:
        return [(ids.get(m.author, m.author), m.text) for m in messages.messages_of(session, ticket.id)]


def _opened(conversation, mode: str, channel, root) -> None:
    if mode == "ask":
        _press(conversation, "erin", _offer_under(conversation, channel, root), "yes")
    if mode == "reaction":
        conversation.slack.reaction_added("bob", "ticket", channel, root.ts)
        conversation.settle()


@pytest.mark.parametrize("mode", ["auto", "ask", "reaction"])
def test_threads_and_edits_in_each_mode(shared, mode):
    """Before a request: replies in a customer's thread and edits of their message open nothing and say nothing.
    After: the customer's replies in the thread are the request's, staff replies there are comments (an agent's
    is a public reply), and an edit of the opening message changes neither the request nor its description."""
    channel = shared.channels[mode]
    root = _said(shared, channel, "erin", "Exports fail with a 500 since this morning")
    if mode != "auto":  # `auto` opened it already
        said_before = shared.bot_says(channel.id, root.ts)
        _said(shared, channel, "dave", "Which export?", thread_ts=root.ts)
        _said(shared, channel, "erin", "The monthly CSV", thread_ts=root.ts)
        _edit(shared, channel, root, "Exports fail with a 500 since 9:00")
        assert shared.bot_says(channel.id, root.ts) == said_before  # nothing more said
        assert _tickets(shared) == []  # neither a reply in its thread nor an edit opens one

    _opened(shared, mode, channel, root)
    (ticket,) = _tickets(shared)
    assert (ticket.slack_thread_ts, ticket.opened_at) == (root.ts, _instant(root.ts))
    _said(shared, channel, "erin", "It fails for every month since November", thread_ts=root.ts)
    _said(shared, channel, "dave", "I can reproduce it too", thread_ts=root.ts)
    _edit(shared, channel, root, "Exports fail with a 500 for every month")
    (ticket,) = _tickets(shared)
    assert ticket.description == "Exports fail with a 500 since this morning"  # the message as it was opened
    written = _written(shared, ticket)
    assert ("erin", "It fails for every month since November") in written
    assert ("dave", "I can reproduce it too") in written
    assert not [text for _, text in written if text.startswith("Exports fail with a 500 for")]  # no edit recorded
