"""The triage card's buttons and forms, end to end: signed interactions in, Slack messages out."""

from sla.clocks import State
from slack_emulator import pings
from storage import audit, messages
from storage.kinds import TicketStatus
from tests.bot.desk.conftest import card_of, ticket_of


def _press(conversation, user, action_id, value=None):
    delivery = conversation.slack.block_actions(user, card_of(conversation), action_id, value)
    conversation.settle()
    return delivery


def _said_to(conversation, user):
    return [e.text for e in conversation.emulator.workspace.ephemerals(user=user)]


def _deadlines(conversation):
    with conversation.database.read() as session:
        from storage.deadlines import deadlines_of

        return {d.target: d for d in deadlines_of(session, ticket_of(conversation).id)}


def test_the_card_is_one_message_with_buttons_updated_after_every_change(conversation, request_done):
    card = card_of(conversation)
    assert card.text.startswith("*New request SR-000001* (incident, suggested priority *P4*, plan kpro)")
    actions = [e.get("action_id") for b in card.blocks if b["type"] == "actions" for e in b["elements"]]
    assert actions == [
        "card:triage", "card:reply", "card:pause", "card:defect", "card:assign", "card:escalate", "card:resolve"
    ]  # fmt: skip
    _press(conversation, "bob", "card:triage", "1|P2")
    (card,) = conversation.emulator.workspace.messages(conversation.desk.agents_channel)
    assert card.edited is not None
    assert card.text.startswith("*SR-000001* (incident, priority *P2*, plan kpro)")
    assert "_Priority P4 → P2: open deadlines recomputed from their start._" in card.text
    assert _said_to(conversation, "bob")[-1] == "SR-000001: priority P4 → P2; its open deadlines were recomputed."
    trail = [event.action for event in _trail(conversation)]
    assert "ticket.triaged" in trail


def _trail(conversation):
    with conversation.database.read() as session:
        return audit.trail(session, ticket_of(conversation).id)


def test_a_reply_from_the_card_reaches_the_requester_and_stops_the_response_clock(conversation, request_done):
    _press(conversation, "bob", "card:reply")
    (form,) = conversation.emulator.workspace.views("bob")
    conversation.slack.view_submission(form, {"text": "Please clear the cache <!channel> & retry"})
    conversation.settle()
    said = conversation.bot_says(request_done.root.channel, request_done.root.ts)
    assert said[-1] == "*Bob Tremblay* (support): Please clear the cache &lt;!channel&gt; &amp; retry"
    assert all(pings(m) == () for m in conversation.thread(request_done.root.channel, request_done.root.ts))
    assert _deadlines(conversation)["response"].state == State.MET
    assert "• Response: met" in card_of(conversation).text


def test_waiting_for_the_requester_stops_pausable_clocks_until_they_write(conversation, request_done):
    before, paused_at = _deadlines(conversation), conversation.now
    _press(conversation, "bob", "card:pause")
    assert ticket_of(conversation).status == TicketStatus.WAITING
    assert "Waiting for the requester; pausable deadlines stopped." in card_of(conversation).text
    assert "• Resolution: paused" in card_of(conversation).text
    conversation.slack.dm("alice", "Here is the log you asked for", thread_ts=request_done.root.ts)
    resumed_at = conversation.now
    conversation.settle()
    assert ticket_of(conversation).status == TicketStatus.OPEN
    relayed = conversation.thread(conversation.desk.agents_channel, request_done.card.ts)[1:]
    assert relayed[-1].text == "*Alice Martin* (requester) wrote:\n> Here is the log you asked for"
    assert "The requester answered; deadlines moved by the pause." in card_of(conversation).text
    after = _deadlines(conversation)
    # owkin: only the resolution pauses, by the pause's length (Tuesday morning: all of it business time)
    assert after["resolution"].due_at - before["resolution"].due_at == resumed_at - paused_at
    assert after["response"].due_at == before["response"].due_at


def test_resolving_asks_the_requester_who_closes_it_by_confirming(conversation, request_done):
    _press(conversation, "bob", "card:resolve")
    root = request_done.root
    question = conversation.thread(root.channel, root.ts)[-1]
    assert question.text == "Bob Tremblay marked your request as resolved. Is your problem solved?"
    conversation.slack.block_actions("alice", question, "resolution:yes")
    conversation.settle()
    assert ticket_of(conversation).status == TicketStatus.CLOSED
    closed = conversation.thread(root.channel, root.ts)[-1]
    assert closed.text == (
        "Thank you for confirming. Your request is closed.\n"
        "How did we do? Rate the help you got from 1 (poor) to 5 (excellent)."
    )
    assert "(closed)" in card_of(conversation).text
    assert "Closed: the requester confirmed." in card_of(conversation).text

    conversation.slack.block_actions("alice", closed, "rate:4")
    conversation.settle()
    (form,) = conversation.emulator.workspace.views("alice")
    conversation.slack.view_submission(form, {"text": "Quick and clear"})
    conversation.slack.block_actions("alice", closed, "rate:1")  # a second rating is not taken
    conversation.settle()
    ticket = ticket_of(conversation)
    assert (ticket.satisfaction_score, ticket.satisfaction_comment) == (4, "Quick and clear")


def test_not_yet_reopens_the_request(conversation, request_done):
    _press(conversation, "bob", "card:resolve")
    root = request_done.root
    conversation.slack.block_actions("alice", conversation.thread(root.channel, root.ts)[-1], "resolution:no")
    conversation.settle()
    assert ticket_of(conversation).status == TicketStatus.OPEN
    assert conversation.bot_says(root.channel, root.ts)[-1] == "Your request is open again. We are on it."


def test_a_crafted_interaction_from_a_non_agent_is_refused(conversation, request_done):
    # alice is no agent and cannot see the agents channel; a payload naming its card is refused all the same
    conversation.slack.block_actions("alice", card_of(conversation), "card:resolve")
    conversation.settle()
    assert ticket_of(conversation).status == TicketStatus.OPEN
    assert _said_to(conversation, "alice")[-1] == "Only agents can do that."
    with conversation.database.read() as session:
        assert all(m.author_role != "agent" for m in messages.messages_of(session, ticket_of(conversation).id))
