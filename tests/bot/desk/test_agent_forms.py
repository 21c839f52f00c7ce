"""The agents' forms refuse bad input under the field, and what the request refuses later reaches the agent.

End to end: signed interactions in, the receiver's `response_action: errors` answer, Slack messages out.
"""

from collections.abc import Iterator

import pytest

from bot.slack.agent_forms import agent_form_errors
from slack_emulator import Workspace
from storage import audit
from tests.bot.conversation import Conversation, conversation_on, desk_config
from tests.bot.desk.conftest import card_of, complete_request, frontdesk, ticket_of


def _trail(conversation):
    with conversation.database.read() as session:
        return [(e.action, e.at) for e in audit.trail(session, ticket_of(conversation).id)]


def _said_to(conversation, user):
    return [e.text for e in conversation.emulator.workspace.ephemerals(user=user)]


def _open_form(conversation, action_id, value=None):
    conversation.slack.block_actions("bob", card_of(conversation), action_id, value)
    conversation.settle()
    (form,) = conversation.emulator.workspace.views("bob")
    return form


def _refused(conversation, form, answers):
    """Submits `form`; the receiver's errors, after checking the form stays open and nothing changed or was said."""
    before = (ticket_of(conversation), _trail(conversation), _said_to(conversation, "bob"), card_of(conversation))
    delivery = conversation.slack.view_submission(form, answers)
    conversation.settle()
    assert [view.id for view in conversation.emulator.workspace.views("bob")] == [form.id]
    after = (ticket_of(conversation), _trail(conversation), _said_to(conversation, "bob"), card_of(conversation))
    assert after == before
    answer = delivery.ack_payload
    assert answer is not None
    assert answer["response_action"] == "errors"
    return answer["errors"]


@pytest.fixture
def kiwi(db, tmp_path) -> Iterator[Conversation]:
    workspace = Workspace.example()
    yield from conversation_on(db, workspace, desk_config(workspace, tmp_path, policy="kiwi"))


def test_a_priority_reason_of_only_spaces_keeps_the_form_open_with_the_error_under_it(kiwi):
    complete_request(kiwi)
    ticket = ticket_of(kiwi)
    other = next(p.name for p in kiwi.desk.policy.priorities if p.name != ticket.priority)
    form = _open_form(kiwi, "card:triage", f"{ticket.id}|{other}")
    assert _refused(kiwi, form, {"text": "   \n  "}) == {"text": "Say why this priority rather than the matrix's."}
    kiwi.slack.view_submission(form, {"text": "Month-end close depends on it"})
    kiwi.settle()
    assert kiwi.emulator.workspace.views("bob") == []
    assert ticket_of(kiwi).priority == other


@pytest.mark.parametrize(
    ("button", "error"),
    [
        ("card:reply", "Write the reply the requester will read."),
        ("card:escalate", "Say why it is escalated."),
    ],
)
def test_reply_and_escalate_forms_of_only_spaces_are_refused_under_the_field(conversation, button, error):
    complete_request(conversation)
    form = _open_form(conversation, button)
    answers = {"text": "   ", **({"level": "L2"} if button == "card:escalate" else {})}
    assert _refused(conversation, form, answers) == {"text": error}


def test_a_reopen_form_of_only_spaces_is_refused_under_the_field(conversation):
    complete_request(conversation)
    frontdesk(conversation, "resolve SR-000001")
    form = _open_form(conversation, "card:reopen")
    assert _refused(conversation, form, {"text": " "}) == {"text": "Say why it is open again."}


def test_a_form_the_request_refuses_once_submitted_is_told_to_the_agent_in_the_cards_channel(conversation):
    complete_request(conversation)
    frontdesk(conversation, "resolve SR-000001")
    form = _open_form(conversation, "card:reopen")
    frontdesk(conversation, "reopen SR-000001 The export still fails", user="carol")
    trail = _trail(conversation)
    conversation.slack.view_submission(form, {"text": "It came back"})
    conversation.settle()
    assert conversation.emulator.workspace.views("bob") == []  # a good form closes; the request refused it
    assert _trail(conversation) == trail
    (told,) = [
        e for e in conversation.emulator.workspace.ephemerals(user="bob")
        if e.channel == conversation.emulator.workspace.channel(conversation.desk.agents_channel).id
        and "not resolved" in e.text
    ]  # fmt: skip
    assert told.text.startswith("SR-000001 is not resolved")  # the outcome template words it


def test_an_escalation_naming_no_level_is_refused_under_the_level():
    view = {"callback_id": "agent_escalate", "state": {"values": {"text": {"text": {"value": "Customer waiting"}}}}}
    assert agent_form_errors({"type": "view_submission", "view": view}) == {"level": "Choose L2 or L3."}
    other = {"callback_id": "support_form", "state": {"values": {}}}
    assert agent_form_errors({"type": "view_submission", "view": other}) is None
