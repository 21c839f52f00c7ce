"""The rest of the agents' actions end to end, on kissflow (defect targets): as commands and as card buttons."""

from pathlib import Path

import pytest

from sla.clocks import State
from slack_emulator import Workspace, pings
from storage import deadlines, messages
from storage.kinds import TicketStatus
from tests.bot.conversation import conversation_on, desk_config
from tests.bot.desk.conftest import card_of, complete_request, frontdesk, ticket_of


@pytest.fixture
def kissflow(db, tmp_path: Path):
    workspace = Workspace.example()
    dave = workspace.user("dave").id
    desk = desk_config(workspace, tmp_path, policy="kissflow", extra=f'[levels.L2]\nusers = ["{dave}"]\n')
    for conversation in conversation_on(db, workspace, desk):
        conversation.request = complete_request(conversation)
        yield conversation


def _command(conversation, text, user="bob"):
    return frontdesk(conversation, text, user)


def _states(conversation):
    with conversation.database.read() as session:
        return {d.target: d.state for d in deadlines.deadlines_of(session, ticket_of(conversation).id)}


def _requester_sees(conversation):
    root = conversation.request.root
    return conversation.bot_says(root.channel, root.ts)


def test_only_a_human_public_reply_stops_the_response_clock(kissflow):
    assert _states(kissflow)["response"] == State.RUNNING  # the bot's own messages did not stop it
    _command(kissflow, "note 1 checking")
    kissflow.slack.dm("alice", "any news?", thread_ts=kissflow.request.root.ts)  # relayed, not a response
    kissflow.settle()
    assert _states(kissflow)["response"] == State.RUNNING
    _command(kissflow, "reply 1 Looking into it now")
    assert _states(kissflow)["response"] == State.MET


def test_a_defect_gets_its_targets_a_workaround_and_a_fix(kissflow):
    assert _command(kissflow, "kind 1 question") == "SR-000001: kind changed; open deadlines recomputed."
    assert _command(kissflow, "defect 1 high") == (
        "SR-000001: confirmed as a defect; workaround and fix deadlines started."
    )
    ticket = ticket_of(kissflow)
    assert (ticket.kind, ticket.priority) == ("defect", "high")
    assert {"workaround", "fix"} <= set(_states(kissflow))
    assert _command(kissflow, "defect 1") == "SR-000001 is already a confirmed defect."

    assert _command(kissflow, "workaround 1 Use the CSV export") == "SR-000001: workaround sent to the requester."
    assert _requester_sees(kissflow)[-1] == "*Workaround* from Bob Tremblay: Use the CSV export"
    assert _states(kissflow)["workaround"] == State.MET
    assert _states(kissflow)["fix"] == State.RUNNING

    assert _command(kissflow, "fix 1 2026.12") == "SR-000001: permanent fix recorded and the requester told."
    assert _requester_sees(kissflow)[-1] == (
        "Good news: a permanent fix for your request is ready; it ships in release 2026.12."
    )
    assert _states(kissflow)["fix"] == State.MET


def test_a_deferred_defect_tells_the_requester_and_stays_tracked(kissflow):
    assert (
        _command(kissflow, "defer 1 until 2027-01-15 needs the new engine")
        == "SR-000001 is not a confirmed defect; confirm it with `/frontdesk defect SR-000001` first."
    )
    _command(kissflow, "defect 1")
    assert _command(kissflow, "defer 1 until 2027-01-15 planned with the new engine in Q2") == (
        "SR-000001: deferred; the requester was told and the conversation closed; the fix stays tracked."
    )
    assert _requester_sees(kissflow)[-1].startswith(
        "The fix for your request is planned for Fri 15 Jan 2027: planned with the new engine in Q2\n"
        "This conversation is closed; the defect stays tracked by the support team"
    )
    ticket = ticket_of(kissflow)
    assert ticket.status == TicketStatus.DEFERRED
    assert ticket.deferred_at is not None
    assert "• Fix deferred to Fri 15 Jan 2027" in card_of(kissflow).text


def test_pause_and_resume_by_command(kissflow):
    assert _command(kissflow, "pause 1 waiting for the logs") == (
        "SR-000001: waiting for the requester; pausable deadlines stopped."
    )
    assert _command(kissflow, "pause 1") == "SR-000001 is waiting; only an open request can wait for its requester."
    assert _command(kissflow, "resume 1") == "SR-000001: resumed; deadlines moved by the pause."
    assert ticket_of(kissflow).status == TicketStatus.OPEN


def test_escalation_by_button_form_and_by_command_mentions_the_level(kissflow):
    kissflow.slack.block_actions("bob", card_of(kissflow), "card:escalate")
    kissflow.settle()
    (form,) = kissflow.emulator.workspace.views("bob")
    kissflow.slack.view_submission(form, {"level": "L2", "text": "database is down"})
    kissflow.settle()
    dave = kissflow.emulator.workspace.user("dave").id
    thread = kissflow.thread(kissflow.desk.agents_channel, kissflow.request.card.ts)
    assert thread[-1].text == f"Escalated to L2 by Bob Tremblay: database is down <@{dave}>"
    assert pings(thread[-1]) == (f"<@{dave}>",)
    assert "• Escalated to L2" in card_of(kissflow).text
    assert _command(kissflow, "escalate 1 L3 still down") == "SR-000001: escalated."
    assert ticket_of(kissflow).escalation_level == "L3"


def test_assign_from_the_cards_menu_and_reopen_from_its_form(kissflow):
    carol = kissflow.emulator.workspace.user("carol").id
    kissflow.slack.block_actions("bob", card_of(kissflow), "card:assign", carol)
    kissflow.settle()
    assert f"• Assigned to <@{carol}>" in card_of(kissflow).text
    alice = kissflow.emulator.workspace.user("alice").id
    assert _command(kissflow, f"assign 1 <@{alice}|alice>") == f"<@{alice}> is not an agent of this desk."

    _command(kissflow, "resolve 1")
    kissflow.slack.block_actions("bob", card_of(kissflow), "card:reopen")
    kissflow.settle()
    (form,) = kissflow.emulator.workspace.views("bob")
    kissflow.slack.view_submission(form, {"text": "it came back"})
    kissflow.settle()
    assert ticket_of(kissflow).status == TicketStatus.OPEN
    assert _requester_sees(kissflow)[-1] == "Your request is open again: it came back. We are on it."
    with kissflow.database.read() as session:
        agents_said = [m for m in messages.messages_of(session, ticket_of(kissflow).id) if m.author_role == "agent"]
    assert agents_said == []  # no agent wrote to the requester: resolving and reopening are not replies
