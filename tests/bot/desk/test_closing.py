"""Closing without an answer: after the policy's business days, never under owkin's confirmation rule."""

from datetime import timedelta
from pathlib import Path

import pytest

from bot.desk.closing import AUTO_CLOSE, closes_at, sweep_resolved
from bot.say import Say
from sla import presets
from slack_emulator import Workspace
from storage.kinds import TicketStatus
from tests.bot.conversation import conversation_on, desk_config
from tests.bot.desk.conftest import card_of, complete_request, ticket_of


@pytest.fixture
def kissflow(db, tmp_path: Path):
    workspace = Workspace.example()
    yield from conversation_on(db, workspace, desk_config(workspace, tmp_path, policy="kissflow"))


def _sweep(conversation, at):
    say = lambda session: Say(session, conversation.desk, at)  # noqa: E731
    closed = sweep_resolved(conversation.database, conversation.desk, at, say)
    conversation.now = at
    conversation.settle()
    return closed


def test_a_resolved_request_closes_itself_after_five_business_days_without_an_answer(kissflow):
    request = complete_request(kissflow)
    kissflow.slack.block_actions("bob", card_of(kissflow), "card:resolve")
    resolved_at = kissflow.now
    kissflow.settle()
    policy = presets.load("kissflow")
    due = policy.calendar.add(AUTO_CLOSE, to=resolved_at)
    assert closes_at(policy, resolved_at) == due
    assert _sweep(kissflow, due - timedelta(microseconds=1)) == ()
    assert ticket_of(kissflow).status == TicketStatus.RESOLVED
    assert _sweep(kissflow, due) == (ticket_of(kissflow).id,)
    assert _sweep(kissflow, due + timedelta(hours=1)) == ()  # once
    assert ticket_of(kissflow).status == TicketStatus.CLOSED
    said = kissflow.bot_says(request.root.channel, request.root.ts)
    assert said[-1].startswith("We have not heard back since your request was resolved, so it is now closed.")
    assert "Closed: no answer from the requester since the resolution." in card_of(kissflow).text


def test_owkin_requests_stay_resolved_until_the_requester_confirms(conversation):
    complete_request(conversation)
    conversation.slack.block_actions("bob", card_of(conversation), "card:resolve")
    conversation.settle()
    assert closes_at(presets.load("owkin"), conversation.now) is None
    assert _sweep(conversation, conversation.now + timedelta(days=365)) == ()
    assert ticket_of(conversation).status == TicketStatus.RESOLVED
