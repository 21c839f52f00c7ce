"""Deferral and resolution end to end, through signed requests and the emulator, on the presets' rules:
a deferred defect's conversation closes while its fix stays tracked; a resolution meets or cancels each target
as the policy says; reopening undoes both (sla.policy.Resolution and Deferral)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import sla
from bot.desk.reminders import sweep_milestones
from bot.say import Say
from sla.clocks import State
from slack_emulator import Workspace
from storage import deadlines
from storage.kinds import TicketStatus
from tests.bot.conversation import START, conversation_on, desk_config
from tests.bot.desk.conftest import card_of, complete_request, frontdesk, ticket_of

KOLKATA_MIDNIGHT_16_JAN = datetime(2027, 1, 15, 18, 30, tzinfo=UTC)  # Sat 16 Jan 2027 00:00 in Asia/Kolkata


@pytest.fixture
def kissflow(db, tmp_path: Path):
    workspace = Workspace.example()
    desk = desk_config(workspace, tmp_path, policy="kissflow")
    for conversation in conversation_on(db, workspace, desk):
        conversation.request = complete_request(conversation)
        yield conversation


def _deadlines(conversation):
    with conversation.database.read() as session:
        return {d.target: d for d in deadlines.deadlines_of(session, ticket_of(conversation).id)}


def _states(conversation):
    return {name: d.state for name, d in _deadlines(conversation).items()}


def _requester_sees(conversation):
    root = conversation.request.root
    return conversation.bot_says(root.channel, root.ts)


def _sweep_hourly(conversation, start: datetime, hours: int) -> list[str]:
    """Sweeps every hour from `start` on the injected clock; everything the agents channel got meanwhile."""
    channel = conversation.desk.agents_channel
    before = len(conversation.emulator.workspace.history(channel))
    said = []
    for hour in range(1, hours + 1):
        at = start + timedelta(hours=hour)
        said += sweep_milestones(
            conversation.database, conversation.desk, at, lambda s, at=at: Say(s, conversation.desk, at)
        )
        conversation.now = at
        conversation.settle()
    assert said == []
    return [m.text for m in conversation.emulator.workspace.history(channel)[before:]]


def _support_status(conversation) -> list[str]:
    support = conversation.emulator.workspace.channel("support").id
    conversation.slack.slash_command("/support", "alice", support, "status")
    conversation.settle()
    view = conversation.emulator.workspace.views("alice")[-1]
    return [block["text"]["text"] for block in view.definition["blocks"] if block["type"] == "section"]


def test_a_deferred_defect_closes_the_conversation_and_keeps_the_fix_re_dated(kissflow):
    assert frontdesk(kissflow, "defect 1 high").startswith("SR-000001: confirmed as a defect")
    assert frontdesk(kissflow, "defer 1 until 2027-01-15 planned with the new engine") == (
        "SR-000001: deferred; the requester was told and the conversation closed; the fix stays tracked."
    )
    assert _requester_sees(kissflow)[-1].startswith(
        "The fix for your request is planned for Fri 15 Jan 2027: planned with the new engine\n"
        "This conversation is closed"
    )
    assert ticket_of(kissflow).status == TicketStatus.DEFERRED
    states = _states(kissflow)
    assert (states["response"], states["workaround"], states["fix"]) == (State.DEFERRED, State.DEFERRED, State.RUNNING)
    assert _deadlines(kissflow)["fix"].due_at == KOLKATA_MIDNIGHT_16_JAN

    assert _support_status(kissflow) == [
        "*SR-000001* (deferred: the conversation is closed, the fix is tracked)\nThe export button does nothing"
    ]
    assert frontdesk(kissflow, "list open") == "*Open requests*, nearest deadline first\nNothing here."
    deferred = frontdesk(kissflow, "list deferred")
    assert "*SR-000001* high defect, deferred" in deferred
    assert "Permanent fix due Sat 16 Jan 00:00" in deferred
    card = card_of(kissflow).text
    assert "(deferred: the conversation is closed, the fix is tracked)" in card
    assert "• Response: stopped, deferred" in card
    assert "• Permanent fix due Sat 16 Jan 00:00 (Asia/Kolkata)" in card

    assert _sweep_hourly(kissflow, START, 7 * 24) == []  # a week: no reminder of any kind


def _sweep_every(conversation, start: datetime, step: timedelta, until: datetime) -> list[str]:
    """Sweeps every `step` from `start` to `until` on the injected clock; what the agents channel got meanwhile."""
    channel = conversation.desk.agents_channel
    before = len(conversation.emulator.workspace.history(channel))
    at = start
    while at < until:
        at += step
        sweep_milestones(conversation.database, conversation.desk, at, lambda s, at=at: Say(s, conversation.desk, at))
        conversation.now = at
        conversation.settle()
    return [m.text for m in conversation.emulator.workspace.history(channel)[before:]]


def test_a_deferred_fix_says_only_its_new_deadline_passing(kissflow):
    """No warning at 50% or 80% of the span from the defect's confirmation to the date deferred to, no warning of
    the fix's old deadline: once, the new deadline passing (Thu 3 Dec 00:00 India time is Wed 2 Dec 18:30 UTC)."""
    frontdesk(kissflow, "defect 1 high")
    frontdesk(kissflow, "defer 1 until 2026-12-02 planned with the new engine")
    due = datetime(2026, 12, 2, 18, 30, tzinfo=UTC)
    fix = _deadlines(kissflow)["fix"]
    assert (fix.state, fix.due_at) == (State.RUNNING, due)
    said = _sweep_every(kissflow, START, timedelta(hours=6), due + timedelta(days=2))
    assert said == [
        ":red_circle: <@U00000002> <@U00000003> *SR-000001*: the permanent fix deadline (Thu 03 Dec 00:00 "
        "(Asia/Kolkata), "
        "deferred to then) has passed."
    ]
    assert _states(kissflow)["fix"] == State.BREACHED


def test_reopening_a_deferred_defect_undoes_the_deferral(kissflow):
    frontdesk(kissflow, "defect 1 high")
    fix_due = _deadlines(kissflow)["fix"].due_at
    frontdesk(kissflow, "defer 1 until 2027-01-15 planned with the new engine")
    kissflow.now = START + timedelta(minutes=30)
    assert frontdesk(kissflow, "reopen 1 the customer cannot wait") == "SR-000001: reopened."
    ticket = ticket_of(kissflow)
    assert (ticket.status, ticket.deferred_at) == (TicketStatus.OPEN, None)
    states = _states(kissflow)
    assert (states["response"], states["workaround"], states["fix"]) == (State.RUNNING,) * 3
    assert _deadlines(kissflow)["fix"].due_at == fix_due
    assert "SR-000001" in frontdesk(kissflow, "list open")
    assert "SR-000001" not in frontdesk(kissflow, "list deferred")


def test_a_deferral_needs_a_future_day_or_a_release(kissflow):
    frontdesk(kissflow, "defect 1 high")
    assert frontdesk(kissflow, "defer 1 later on").startswith(
        '"later" is not a future day (YYYY-MM-DD), a scheduled release (`next_release`) or a release of the policy '
        "(it names none to come)."
    )
    assert frontdesk(kissflow, "defer 1 2020-01-01 too late").startswith('"2020-01-01" is not a future day')
    assert frontdesk(kissflow, "defer 1 next_release ships with the next one").startswith("SR-000001: deferred")
    assert _deadlines(kissflow)["fix"].due_at == datetime(2026, 12, 8, 4, 30, tzinfo=UTC)  # Tue 8 Dec 10:00 IST
    assert frontdesk(kissflow, "defer 1 2027-01-15 again").startswith("SR-000001 is deferred; only an open")


NAMED_RELEASES = """
[releases.named]
"2026.47" = 2026-11-17T10:00:00+05:30
"2027.1" = 2027-01-12T10:00:00+05:30
"2027.2" = 2027-02-09T10:00:00+05:30
"""


@pytest.fixture
def kissflow_releases(db, tmp_path: Path):
    """kissflow with three named releases (one already shipped when the tests' clock starts)."""
    policy = tmp_path / "kissflow-releases.toml"
    policy.write_text((Path(sla.__file__).parent / "presets" / "kissflow.toml").read_text() + NAMED_RELEASES)
    workspace = Workspace.example()
    desk = desk_config(workspace, tmp_path, policy=str(policy))
    for conversation in conversation_on(db, workspace, desk):
        conversation.request = complete_request(conversation)
        yield conversation


def test_a_defect_deferred_to_a_named_release_is_due_at_that_release(kissflow_releases):
    frontdesk(kissflow_releases, "defect 1 high")
    said = frontdesk(kissflow_releases, "defer 1 until 2027.1 ships with the new engine")
    assert said.startswith("SR-000001: deferred")
    assert _deadlines(kissflow_releases)["fix"].due_at == datetime(2027, 1, 12, 4, 30, tzinfo=UTC)  # 10:00 IST
    assert _requester_sees(kissflow_releases)[-1].startswith(
        "The fix for your request is planned for release 2027.1, Tue 12 Jan 2027: ships with the new engine\n"
    )
    card = card_of(kissflow_releases).text
    assert "_Fix deferred to release 2027.1, Tue 12 Jan 2027: ships with the new engine;" in card


def test_an_unknown_or_past_release_is_refused_listing_the_releases_to_come(kissflow_releases):
    frontdesk(kissflow_releases, "defect 1 high")
    expected = (
        '"{}" is not a future day (YYYY-MM-DD), a scheduled release (`next_release`) or a release to come: '
        "2027.1 (Tue 12 Jan 2027), 2027.2 (Tue 09 Feb 2027)."
    )
    assert frontdesk(kissflow_releases, "defer 1 until 2027.3 soon").startswith(expected.format("2027.3"))
    assert frontdesk(kissflow_releases, "defer 1 until 2026.47 shipped").startswith(expected.format("2026.47"))
    assert ticket_of(kissflow_releases).status == TicketStatus.OPEN
    assert _states(kissflow_releases)["fix"] == State.RUNNING


def test_kissflow_resolution_meets_every_defect_target_and_nothing_is_reminded(kissflow):
    frontdesk(kissflow, "defect 1 high")
    assert frontdesk(kissflow, "resolve 1").startswith("SR-000001: resolved")
    states = _states(kissflow)
    assert (states["response"], states["workaround"], states["fix"]) == (State.MET,) * 3
    said = _sweep_hourly(kissflow, START, 8 * 24)
    assert not [text for text in said if "deadline passed" in text]

    kissflow.now = START + timedelta(days=8, hours=1)
    assert frontdesk(kissflow, "reopen 1 it is back") == "SR-000001: reopened."
    states = _states(kissflow)
    assert (states["response"], states["workaround"], states["fix"]) == (State.RUNNING,) * 3


@pytest.fixture
def owkin(db, tmp_path: Path):
    workspace = Workspace.example()
    desk = desk_config(workspace, tmp_path, policy="owkin")
    for conversation in conversation_on(db, workspace, desk):
        conversation.request = complete_request(conversation)
        yield conversation


def test_owkin_resolution_cancels_an_unanswered_response_and_reopening_restarts_it(owkin):
    assert frontdesk(owkin, "resolve 1").startswith("SR-000001: resolved")
    states = _states(owkin)
    assert (states["response"], states["resolution"]) == (State.CANCELLED, State.MET)
    assert "• Response: cancelled by the resolution" in card_of(owkin).text
    said = _sweep_hourly(owkin, START, 3 * 24)
    assert not [text for text in said if "deadline passed" in text]

    owkin.now = START + timedelta(days=3, hours=1)
    frontdesk(owkin, "reopen 1 still broken")
    states = _states(owkin)
    assert (states["response"], states["resolution"]) == (State.RUNNING, State.RUNNING)
