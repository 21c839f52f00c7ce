"""Abandoned intake, end to end: a reminder once per silence, then the request closed with a note, nothing deleted."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.desk.intake.abandoned import sweep_abandoned
from bot.say import Say
from storage import audit, messages, outbox, tickets
from storage.kinds import TicketStatus
from tests.bot.conversation import START

REMINDER = "Are you still there? Your request is not complete yet"
CLOSED = "I have closed this request because it was not completed"


def _sweep(conversation, at):
    """Sweep at `at`, then deliver what it said."""
    conversation.now = at
    swept = sweep_abandoned(
        conversation.database, conversation.desk, at, lambda session: Say(session, conversation.desk, at)
    )
    conversation.settle()
    return swept


def _said(conversation, root, start):
    return [text for text in conversation.bot_says(root.channel, root.ts) if text.startswith(start)]


def _ticket(conversation):
    with conversation.database.read() as session:
        return tickets.find_ticket(session, sr_number=1)


def test_a_quiet_requester_is_reminded_once_with_what_is_missing(conversation):
    root = conversation.slack.dm("alice", "Login fails").message
    conversation.settle()
    remind_after = conversation.desk.intake.remind_after  # 4h, closed after 3 days

    assert _sweep(conversation, START + remind_after - timedelta(seconds=1)).reminded == ()
    assert _said(conversation, root, REMINDER) == []
    assert _sweep(conversation, START + remind_after).reminded == (_ticket(conversation).id,)
    (reminder,) = _said(conversation, root, REMINDER)
    assert reminder == (
        "Are you still there? Your request is not complete yet: I still need contact (email and phone), "
        "when it happened, steps to reproduce, screenshots or files, kind of request.\n"
        "Please answer the last question in this thread. Without an answer I will close this request in "
        "2 days and 20 hours; nothing you sent is lost."
    )
    assert _sweep(conversation, START + remind_after + timedelta(hours=1)).reminded == ()
    assert len(_said(conversation, root, REMINDER)) == 1


def test_a_requester_who_answers_and_goes_quiet_again_gets_a_new_reminder(conversation):
    root = conversation.slack.dm("alice", "Login fails").message
    conversation.settle()
    remind_after = conversation.desk.intake.remind_after
    _sweep(conversation, START + remind_after)

    answered_at = START + remind_after + timedelta(hours=1)
    conversation.now = answered_at
    conversation.slack.dm("alice", "yes", thread_ts=root.ts)
    conversation.settle()
    assert _sweep(conversation, answered_at + remind_after - timedelta(minutes=1)).reminded == ()
    assert len(_said(conversation, root, REMINDER)) == 1
    _sweep(conversation, answered_at + remind_after)
    _, second = _said(conversation, root, REMINDER)
    assert "I still need when it happened, steps to reproduce" in second
    assert _ticket(conversation).status == TicketStatus.INTAKE


def test_an_answer_with_a_button_counts_as_activity(conversation):
    root = conversation.slack.dm("alice", "Login fails").message
    conversation.settle()
    remind_after = conversation.desk.intake.remind_after
    pressed_at = START + remind_after - timedelta(hours=1)
    conversation.now = pressed_at
    question = [m for m in conversation.thread(root.channel, root.ts) if m.user == conversation.bot_user][-1]
    conversation.slack.block_actions("alice", question, "answer:yes")
    conversation.settle()
    assert conversation.bot_says(root.channel, root.ts)[-1].startswith("When did it happen?")
    assert _sweep(conversation, START + remind_after).reminded == ()
    assert _sweep(conversation, pressed_at + remind_after).reminded == (_ticket(conversation).id,)
    assert "I still need when it happened" in _said(conversation, root, REMINDER)[0]


def test_after_close_after_the_request_is_closed_with_a_note_and_kept(conversation):
    root = conversation.slack.dm("alice", "Login fails <!channel>").message
    conversation.settle()
    intake = conversation.desk.intake
    _sweep(conversation, START + intake.remind_after)
    closed_at = START + intake.close_after
    swept = _sweep(conversation, closed_at)
    ticket = _ticket(conversation)
    assert swept.closed == (ticket.id,)
    assert (ticket.status, ticket.closed_at) == (TicketStatus.CLOSED, closed_at)
    assert conversation.bot_says(root.channel, root.ts)[-1] == (
        "I have closed this request because it was not completed (still missing: contact (email and phone), "
        "when it happened, steps to reproduce, screenshots or files, kind of request). Everything you sent is kept.\n"
        "If you still need help, just write a new message (not in this thread) and I will open a new request."
    )
    with conversation.database.read() as session:
        (event,) = [event for event in audit.trail(session, ticket.id) if event.action == "ticket.abandoned"]
        assert [m.text for m in messages.messages_of(session, ticket.id)] == ["Login fails <!channel>"]
    assert (event.actor, event.after["status"]) == ("frontdesk", "closed")

    assert _sweep(conversation, closed_at + timedelta(days=30)).closed == ()
    assert len(_said(conversation, root, CLOSED)) == 1


def test_a_sweep_after_a_long_downtime_closes_without_reminding_first(conversation):
    root = conversation.slack.dm("alice", "Login fails").message
    conversation.settle()
    swept = _sweep(conversation, START + timedelta(days=10))
    assert (swept.reminded, len(swept.closed)) == ((), 1)
    assert _said(conversation, root, REMINDER) == []
    assert len(_said(conversation, root, CLOSED)) == 1


def test_a_complete_request_is_never_reminded_nor_closed(conversation):
    root = conversation.slack.dm("alice", "Login fails").message
    conversation.settle()
    for answer in ("yes", "today 9am", "not applicable", "none", "incident"):
        conversation.slack.dm("alice", answer, thread_ts=root.ts)
        conversation.settle()
    swept = _sweep(conversation, START + timedelta(days=10))
    assert not swept.anything
    assert _ticket(conversation).status == TicketStatus.OPEN


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offsets=st.lists(st.integers(min_value=0, max_value=5 * 24 * 60), min_size=1, max_size=8))
def test_any_sweeps_store_at_most_one_reminder_and_one_note(conversation, offsets):
    """Whatever the sweep times (minutes after the last answer), one reminder per silence and one closing note."""
    with conversation.database.write() as session:
        opened = tickets.open_ticket(
            session, kind="question", actor="U1", now=START, slack_channel="D1", slack_thread_ts="1.1"
        )
    desk = conversation.desk
    for minutes in sorted(offsets):
        at = START + timedelta(minutes=minutes)
        sweep_abandoned(conversation.database, desk, at, lambda session, at=at: Say(session, desk, at))
    last = START + timedelta(minutes=max(offsets))
    with conversation.database.read() as session:
        (event,) = audit.trail(session, opened.id)[:1]
        reminded = outbox.outbox_entry(session, f"ticket:{opened.id}:intake_reminder:{event.id}") is not None
        noted = outbox.outbox_entry(session, f"ticket:{opened.id}:intake_closed") is not None
        status = tickets.get_ticket(session, opened.id).status
    assert noted == (status == TicketStatus.CLOSED) == (last - START >= desk.intake.close_after)
    swept_in_the_reminder_window = any(
        desk.intake.remind_after <= timedelta(minutes=m) < desk.intake.close_after for m in offsets
    )
    assert reminded == swept_in_the_reminder_window
