"""Every deadline an agent action leaves on a request is what `frontdesk sla due` gives for the same inputs.

For each preset with defect targets: a request completed through the intake, triaged away from its first priority
(with a reason when the matrix suggests otherwise), confirmed as a defect, paused for three hours and resumed;
after each step, each running target's stored deadline is asked of the CLI with its start and the pauses that
fall after it (for pausable targets).
"""

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from sla.clocks import State
from slack_emulator import Workspace
from storage import deadlines, pauses
from tests.bot.cli.conftest import run_frontdesk
from tests.bot.conversation import conversation_on, desk_config
from tests.bot.desk.conftest import card_of, complete_request, ticket_of


@pytest.fixture
def backend() -> str:
    return "sqlite"


def _check_against_cli(conversation, policy_name: str) -> int:
    """Asks the CLI for every running target's deadline; the number of deadlines checked."""
    ticket = ticket_of(conversation)
    policy = conversation.desk.policy
    with conversation.database.read() as session:
        stored = deadlines.deadlines_of(session, ticket.id)
        paused = [(p.started_at, p.ended_at) for p in pauses.pauses_of(session, ticket.id) if p.ended_at]
    checked = 0
    for deadline in stored:
        if deadline.state != State.RUNNING or deadline.started_at is None:
            continue
        target = policy.target(ticket.plan, ticket.kind, ticket.priority, deadline.target)
        args = ["sla", "due", "--policy", policy_name, "--plan", ticket.plan, "--kind", ticket.kind]
        args += [
            "--priority",
            ticket.priority,
            "--target",
            deadline.target,
            "--opened",
            deadline.started_at.isoformat(),
        ]
        if target.pausable:
            for start, end in paused:
                if start >= deadline.started_at:
                    args += ["--pause", f"{start.isoformat()}/{end.isoformat()}"]
        answer = run_frontdesk(*args)
        assert answer.exit_code == 0, answer.stderr
        expected = None if answer.stdout.strip() == "none" else datetime.fromisoformat(answer.stdout.strip())
        assert deadline.due_at == expected, (deadline, args)
        checked += 1
    return checked


@pytest.mark.parametrize("policy_name", ["kissflow", "k0nsult", "kiwi"])
def test_deadlines_after_each_action_are_those_of_frontdesk_sla_due(db, tmp_path: Path, policy_name):
    workspace = Workspace.example()
    for conversation in conversation_on(db, workspace, desk_config(workspace, tmp_path, policy=policy_name)):
        complete_request(conversation)
        assert _check_against_cli(conversation, policy_name) >= 1

        ticket = ticket_of(conversation)
        other = next(p.name for p in conversation.desk.policy.priorities[1:] if p.name != ticket.priority)
        conversation.slack.block_actions("bob", card_of(conversation), "card:triage", f"{ticket.id}|{other}")
        conversation.settle()
        forms = conversation.emulator.workspace.views("bob")
        if forms:  # the matrix suggests another priority: the reason is asked for
            conversation.slack.view_submission(forms[0], {"text": "The customer's month-end close depends on it"})
            conversation.settle()
        assert ticket_of(conversation).priority == other
        assert _check_against_cli(conversation, policy_name) >= 1

        conversation.slack.block_actions("bob", card_of(conversation), "card:defect")
        conversation.settle()
        assert ticket_of(conversation).kind == "defect"
        defect_checked = _check_against_cli(conversation, policy_name)
        assert defect_checked >= 2, defect_checked  # the defect targets (workaround, fix) run now

        conversation.slack.block_actions("bob", card_of(conversation), "card:pause")
        conversation.settle()
        conversation.now += timedelta(hours=3)
        conversation.slack.block_actions("bob", card_of(conversation), "card:resume")
        conversation.settle()
        assert _check_against_cli(conversation, policy_name) == defect_checked
