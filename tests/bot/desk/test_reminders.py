"""Reminders at milestones, end to end with an injected clock: once each, late or not, never at night."""

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.desk.reminders import RETRY_AFTER, Reminder, sweep_milestones
from bot.say import Say
from sla.policy import PolicyLookupError
from slack_emulator import Workspace, pings
from storage import audit, sweeps, ticket_events
from tests.bot.conversation import conversation_on, desk_config
from tests.bot.desk.conftest import card_of, complete_request, ticket_of
from tests.storage.helpers import run_in_threads

PARIS = ZoneInfo("Europe/Paris")


def _sweep(conversation, at: datetime, **options):
    said = sweep_milestones(
        conversation.database, conversation.desk, at, lambda s: Say(s, conversation.desk, at), **options
    )
    conversation.now = at
    conversation.settle()
    return said


def _card_thread(conversation):
    return [m.text for m in conversation.thread(conversation.desk.agents_channel, card_of(conversation).ts)[1:]]


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def test_warnings_and_the_breach_are_said_once_each_in_the_cards_thread(conversation, request_done):
    # owkin P4: response within 2 business hours of completion (Tue 24 Nov 10:05): warnings at 11:05 and 11:41
    bob, carol = (conversation.emulator.workspace.user(name).id for name in ("bob", "carol"))
    assert _sweep(conversation, _at(24, 11, 0)) == []
    assert [r.what for r in _sweep(conversation, _at(24, 11, 6))] == ["warning"]
    assert _sweep(conversation, _at(24, 11, 7)) == []
    (warning,) = _card_thread(conversation)
    assert warning == (
        f":hourglass_flowing_sand: <@{bob}> <@{carol}> *SR-000001*: 50% of the response time is gone; "
        "due Tue 24 Nov 12:05 (Europe/Paris)."
    )
    said = _sweep(conversation, _at(24, 12, 30))  # the 80% warning (11:41) was missed: past the breach, not said
    assert [(r.what, r.target) for r in said] == [("breach", "response")]
    assert _card_thread(conversation)[-1].startswith(f":red_circle: <@{bob}> <@{carol}> *SR-000001*: the response")
    assert _sweep(conversation, _at(24, 12, 31)) == []


def test_after_downtime_a_breached_target_says_its_breach_not_its_warnings(conversation, request_done):
    said = _sweep(conversation, _at(24, 14, 0))
    assert [(r.what, float(r.fraction)) for r in said] == [("breach", 1.0)]
    assert _sweep(conversation, _at(24, 14, 10)) == []
    assert len(_card_thread(conversation)) == 1


def test_after_downtime_a_missed_warning_before_the_breach_is_said(conversation, request_done):
    said = _sweep(conversation, _at(24, 11, 50))  # 50% at 11:05 and 80% at 11:41 both missed, no breach yet
    assert [(r.what, float(r.fraction)) for r in said] == [("warning", 0.5), ("warning", 0.8)]


def test_a_reminder_due_at_night_waits_for_the_next_opening(db, tmp_path: Path):
    workspace = Workspace.example()
    for conversation in conversation_on(db, workspace, desk_config(workspace, tmp_path)):
        conversation.now = _at(24, 16, 54)  # completed at 17:00: the 50% warning falls at 18:00, closing time
        complete_request(conversation)
        assert _sweep(conversation, _at(24, 18, 0)) == []
        assert ticket_of(conversation).next_change_at == _at(25, 9, 0)
        assert _sweep(conversation, _at(24, 23, 0)) == []  # not due again before the opening
        assert [r.what for r in _sweep(conversation, _at(25, 9, 0))] == ["warning"]
        assert _sweep(conversation, _at(25, 9, 1)) == []


def test_many_reminders_in_one_sweep_make_one_digest(conversation):
    for number in range(3):
        complete_request(conversation, f"Problem {number}")
    said = _sweep(conversation, _at(24, 12, 0), digest_over=5)  # each: the response's 50% and 80% warnings
    assert len(said) == 6
    digest = conversation.emulator.workspace.messages(conversation.desk.agents_channel)[-1]
    assert digest.text.startswith("*6 reminders*\n• *SR-000001* P4: 50% of the response time gone")
    assert pings(digest) == ()
    assert _sweep(conversation, _at(24, 12, 1)) == []


def test_a_digest_of_more_than_a_message_holds_is_posted_in_parts_none_cut(conversation, request_done):
    ticket, at = ticket_of(conversation), _at(24, 12, 0)
    items = [
        Reminder(key=f"ticket:{ticket.id}:response:warning:{n}", ticket=ticket, target="response", label="Response",
                 what="warning", fraction=Fraction(n, 251), due_at=_at(24, 12, 5))
        for n in range(1, 251)
    ]  # fmt: skip
    with conversation.database.write() as session:
        Say(session, conversation.desk, at).digest(items, key="digest:many")
    conversation.now = at
    conversation.settle()
    posted = conversation.emulator.workspace.messages(conversation.desk.agents_channel)[-3:]
    assert [m.text.splitlines()[0] for m in posted] == [f"*250 reminders* (part {n} of 3)" for n in (1, 2, 3)]
    lines = [line for m in posted for line in m.text.splitlines()[1:]]
    assert len(lines) == 250
    assert all(line.startswith("• *SR-000001* P4: ") for line in lines)
    assert not any("cut" in m.text for m in posted)


@pytest.fixture
def k0nsult(db, tmp_path: Path):
    workspace = Workspace.example()
    dave = workspace.user("dave").id
    extra = f'[levels.L2]\nusers = ["{dave}"]\nemails = ["lead@frontdesk.example"]\n'
    yield from conversation_on(db, workspace, desk_config(workspace, tmp_path, policy="k0nsult", extra=extra))


def test_an_escalation_step_sets_the_level_says_it_and_emails_the_level(k0nsult):
    complete_request(k0nsult)
    where = k0nsult.emulator.workspace.channel("support-agents").id
    k0nsult.slack.slash_command("/frontdesk", "bob", where, "triage 1 S2 payments fail")  # S2: L2 at once
    k0nsult.settle()
    said = _sweep(k0nsult, k0nsult.now)
    assert [(r.what, r.to_level) for r in said] == [("escalation", "L2")]
    dave = k0nsult.emulator.workspace.user("dave").id
    assert (
        _card_thread(k0nsult)[-1]
        == f":arrow_double_up: <@{dave}> *SR-000001* is escalated to L2 at once for its priority."
    )
    assert ticket_of(k0nsult).escalation_level == "L2"
    assert "Escalated to L2 by the policy." in card_of(k0nsult).text
    with k0nsult.database.read() as session:
        assert "ticket.escalated" in [event.action for event in audit.trail(session, ticket_of(k0nsult).id)]
    assert _sweep(k0nsult, k0nsult.now + timedelta(minutes=1)) == []


def test_an_update_that_falls_due_nags_the_assignee(conversation, request_done):
    carol = conversation.emulator.workspace.user("carol").id
    where = conversation.emulator.workspace.channel("support-agents").id
    conversation.slack.slash_command("/frontdesk", "bob", where, f"assign 1 <@{carol}>")
    conversation.slack.slash_command("/frontdesk", "bob", where, "reply 1 On it")  # the response is met
    conversation.settle()
    said = _sweep(conversation, _at(27, 12, 0))  # owkin P4 update: twice weekly, in business time
    nags = [r for r in said if r.what == "update"]
    assert nags
    assert any(
        t.startswith(f":speech_balloon: <@{carol}> *SR-000001* needs a public update")
        for t in _card_thread(conversation)
    )


def test_two_workers_sweeping_together_say_each_reminder_once(conversation):
    for number in range(4):
        complete_request(conversation, f"Problem {number}")
    at = _at(24, 12, 0)

    def sweep():
        return sweep_milestones(
            conversation.database, conversation.desk, at, lambda s: Say(s, conversation.desk, at), digest_over=99
        )

    first, second = run_in_threads([sweep, sweep])
    keys = [r.key for r in first + second]
    assert len(keys) == len(set(keys)) == 8  # 4 requests x (50%, 80%), each said by one worker
    conversation.now = at
    conversation.settle()
    for sr in range(1, 5):
        thread = conversation.thread(conversation.desk.agents_channel, card_of(conversation, sr - 1).ts)
        assert len([m for m in thread if m.text.startswith(":hourglass")]) == 2


def test_a_sweep_that_died_in_its_batch_is_taken_over_at_once(conversation, request_done):
    at = _at(24, 12, 30)

    class Died(Exception):
        pass

    def die_holding_the_batch() -> None:
        with conversation.database.write() as session:
            assert [due.ticket.sr_number for due in sweeps.lock_due(session, now=at, limit=100)] == [1]
            raise Died  # the process ends holding its batch: its transaction goes with it

    with pytest.raises(Died):
        die_holding_the_batch()
    said = _sweep(conversation, at + timedelta(seconds=1))  # nothing waits for a lease to end
    assert [(r.what, float(r.fraction)) for r in said] == [("breach", 1.0)]
    assert _sweep(conversation, at + timedelta(minutes=1)) == []


def test_a_request_its_sweep_fails_on_is_put_off_and_the_others_are_said(conversation, caplog):
    for number in range(3):
        complete_request(conversation, f"Problem {number}")
    broken = ticket_of(conversation, 2)
    with conversation.database.write() as session:  # its log names a priority the policy no longer has
        ticket_events.record_event(session, broken.id, "priority", at=_at(24, 10, 30), actor="U0", value="P9")
        session.connection().exec_driver_sql(f"UPDATE ticket SET milestones = NULL WHERE id = {broken.id}")
    at = _at(24, 12, 0)
    with caplog.at_level("ERROR", logger="bot.desk.reminders"), pytest.raises(PolicyLookupError, match="P9"):
        _sweep(conversation, at, digest_over=99)
    (record,) = [r for r in caplog.records if r.name == "bot.desk.reminders"]
    assert record.sr == "SR-000002"
    assert record.getMessage() == (
        f"the milestone sweep failed on SR-000002; it is looked at again at {(at + RETRY_AFTER).isoformat()}"
    )
    conversation.now = at
    conversation.settle()
    for sr, said in ((1, 2), (2, 0), (3, 2)):  # the response's 50% and 80% warnings of the two others
        thread = conversation.thread(conversation.desk.agents_channel, card_of(conversation, sr - 1).ts)
        assert len([m for m in thread if m.text.startswith(":hourglass")]) == said
    assert ticket_of(conversation, 2).next_change_at == at + RETRY_AFTER
    assert ticket_of(conversation, 1).next_change_at > at


CADENCE = """
name = "cadence"
title = "A desk with its own update cadence"
calendar = "business"
default_plan = "standard"
default_priority = "P1"
warnings = [0.5]

[calendars.business]
time_zone = "Europe/Paris"
hours = { mon-fri = ["09:00-18:00"] }
holidays = { country = "FR" }

[[priorities]]
name = "P1"

[targets.status_note]  # a cadence of the policy's own: restarted by each public reply, like `update`
label = "Status note"
starts_on = "complete"
stops_on = ["resolved", "closed"]
restarts_on = ["public_reply"]

[plans.standard.targets.any]
response = "4h"
status_note = "1h"
"""


def test_a_policys_own_recurring_target_nags_when_due_without_warnings(db, tmp_path: Path):
    (tmp_path / "cadence.toml").write_text(CADENCE)
    workspace = Workspace.example()
    bob, carol = workspace.user("bob").id, workspace.user("carol").id
    for conversation in conversation_on(db, workspace, desk_config(workspace, tmp_path, policy="cadence.toml")):
        complete_request(conversation)  # Tue 24 Nov 10:05: the status note is due at 11:05, its 50% at 10:35
        assert [r.target for r in _sweep(conversation, _at(24, 10, 40))] == []  # a cadence has no warnings
        said = [(r.target, r.what) for r in _sweep(conversation, _at(24, 11, 10))]
        assert said == [("status_note", "update")]  # the response's 50% comes at 12:05
        assert _card_thread(conversation)[-1].startswith(
            f":speech_balloon: <@{bob}> <@{carol}> *SR-000001* needs a public update"
        )
