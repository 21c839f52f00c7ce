"""`/frontdesk` end to end: every action as a command, answered to the agent through the command's response_url."""

from datetime import timedelta

from slack_emulator import pings
from storage import messages
from storage.kinds import TicketStatus
from tests.bot.desk.conftest import card_of, complete_request, frontdesk, ticket_of


def _command(conversation, user, text, channel="support-agents"):
    return frontdesk(conversation, text, user, channel)


def test_triage_reply_note_assign_show_and_resolve_by_command(conversation, request_done):
    root = request_done.root
    assert _command(conversation, "bob", "triage SR-000001 P2 month-end close") == (
        "SR-000001: priority P4 → P2; its open deadlines were recomputed."
    )
    assert card_of(conversation).text.startswith("*SR-000001* (incident, priority *P2*, plan kpro)")

    assert _command(conversation, "bob", "reply 1 Could you try again &lt;!here&gt;?") == (
        "SR-000001: reply sent to the requester."
    )
    assert (
        conversation.bot_says(root.channel, root.ts)[-1]
        == "*Bob Tremblay* (support): Could you try again &lt;!here&gt;?"
    )

    assert _command(conversation, "bob", "note #1 looks like the cache") == "Note added to SR-000001."
    notes = conversation.thread(conversation.desk.agents_channel, request_done.card.ts)
    assert notes[-1].text == "_Note by Bob Tremblay:_\n> looks like the cache"
    assert "looks like the cache" not in " ".join(conversation.bot_says(root.channel, root.ts))

    carol = conversation.emulator.workspace.user("carol").id
    assert _command(conversation, "bob", f"assign 1 <@{carol}|carol>") == "SR-000001: assigned."
    assert f"• Assigned to <@{carol}>" in card_of(conversation).text

    assert _command(conversation, "bob", "show SR1").startswith("*SR-000001* (incident, priority *P2*")
    assert _command(conversation, "bob", "resolve 1") == "SR-000001: resolved; the requester is asked to confirm."
    assert ticket_of(conversation).status == TicketStatus.RESOLVED
    assert all(pings(m) == () for m in conversation.thread(root.channel, root.ts))


def test_a_non_agent_command_is_refused_and_changes_nothing(conversation, request_done):
    assert _command(conversation, "alice", "resolve 1", channel="support") == "Only agents can do that."
    assert ticket_of(conversation).status == TicketStatus.OPEN


def test_help_and_mistakes_are_answered_to_the_agent_only(conversation, request_done):
    assert "triage SR PRIORITY" in _command(conversation, "bob", "")
    assert _command(conversation, "bob", "triage 1 P9 because") == (
        '"P9" is not a priority of this policy; choose one of P1, P2, P3, P4.'
    )
    assert _command(conversation, "bob", "triage 42 P2") == "There is no request SR-000042."


def test_a_message_in_the_cards_thread_is_an_internal_note(conversation, request_done):
    said = conversation.slack.user_says(
        "support-agents", "carol", "checked the logs, nothing yet", thread_ts=request_done.card.ts
    )
    assert said.deliveries
    conversation.settle()
    with conversation.database.read() as session:
        found = messages.messages_of(session, ticket_of(conversation).id)
    assert (found[-1].text, found[-1].public, found[-1].author_role) == (
        "checked the logs, nothing yet",
        False,
        "agent",
    )
    assert "checked the logs" not in " ".join(conversation.bot_says(request_done.root.channel, request_done.root.ts))


def test_lists_by_nearest_deadline_breached_first(conversation, request_done):
    complete_request(conversation, "Second problem")
    assert _command(conversation, "bob", "triage 2 P1 outage for everyone").startswith("SR-000002: priority P4 → P1")
    listed = _command(conversation, "bob", "list")
    assert listed.startswith("*Open requests*, nearest deadline first\n• *SR-000002* P1 incident, open: Second problem")
    assert "\n• *SR-000001* P4 incident, open: The export button does nothing — Response due " in listed
    assert (
        _command(conversation, "bob", "list waiting")
        == "*Waiting for the requester*, nearest deadline first\nNothing here."
    )
    carol = conversation.emulator.workspace.user("carol").id
    _command(conversation, "bob", f"assign 1 <@{carol}>")
    assert "SR-000001" in _command(conversation, "carol", "list mine")
    assert "SR-000002" not in _command(conversation, "carol", "list mine")
    conversation.now += timedelta(days=2)
    breaching = _command(conversation, "bob", "list breaching")
    assert "• *SR-000002* P1 incident, open: Second problem — Update *breached* (was due" in breaching
    assert (
        "\n• *SR-000001* P4 incident, open: The export button does nothing — Response *breached* (was due" in breaching
    )
    assert _command(conversation, "alice", "list", channel="support") == "Only agents can do that."
