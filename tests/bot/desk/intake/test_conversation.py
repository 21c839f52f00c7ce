"""A requester's conversation with the bot, end to end: signed events in, Slack messages out."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sla import presets
from slack_emulator import pings
from storage import tickets
from storage.kinds import TicketStatus

PARIS = ZoneInfo("Europe/Paris")


def test_a_dm_becomes_a_complete_request_with_an_sr_number_and_a_triage_card(conversation):
    said = conversation.slack.dm("alice", "The export button does nothing <!channel> & <@U00000002>")
    channel, root = said.message.channel, said.message.ts
    conversation.settle()
    status, question = conversation.thread(channel, root)[1:]
    assert status.text.startswith("*Your request so far*")
    assert "The export button does nothing @channel &amp; @U00000002" in status.text
    assert "alice@customer.example, +33612345678 _(to confirm)_" in status.text
    assert question.text.startswith("Can we reach you at the email and phone shown above?")

    for answer in ("yes", "today 9am", "1. open Reports\n2. click Export", "none"):
        conversation.slack.dm("alice", answer, thread_ts=root)
        conversation.settle()
    assert conversation.bot_says(channel, root)[-1].startswith("Is this a question, an incident")
    completed_at = conversation.now
    conversation.slack.dm("alice", "incident", thread_ts=root)
    conversation.settle()

    # owkin: P4 until triaged, response within 2 business hours of completion (Tue 10:05 Paris + 2h).
    target = presets.load("owkin").target(None, "incident", "P4", "response")
    due = target.calendar.add(target.calendar.length_of(target.duration), to=completed_at).astimezone(PARIS)
    assert conversation.bot_says(channel, root)[-1] == (
        f"Thank you. Your request is *SR-000001*.\n"
        f"A member of the support team will answer by *{due:%a %d %b %Y %H:%M}* (Europe/Paris)."
    )
    status = conversation.thread(channel, root)[1]
    assert status.edited is not None
    assert "Everything is here. Thank you!" in status.text

    (card,) = conversation.emulator.workspace.messages(conversation.desk.agents_channel)
    assert card.text.startswith("*New request SR-000001* (incident, suggested priority *P4*, plan kpro)")
    assert f"• Response due {due:%a %d %b %H:%M} (Europe/Paris)" in card.text
    said_by_bot = [m for m in conversation.thread(channel, root) if m.user == conversation.bot_user]
    assert all(pings(message) == () for message in said_by_bot)
    assert pings(card) == ()

    with conversation.database.read() as session:
        ticket = tickets.find_ticket(session, sr_number=1)
    assert ticket.status == TicketStatus.OPEN
    assert ticket.occurred_at == datetime(2026, 11, 24, 9, 0, tzinfo=PARIS)
    assert ticket.reproduction_steps == "1. open Reports\n2. click Export"
    assert ticket.missing_fields == ()


def test_an_invalid_answer_is_asked_again_with_the_reason(conversation):
    root = conversation.slack.dm("alice", "Login fails").message
    conversation.settle()
    conversation.slack.dm("alice", "yes", thread_ts=root.ts)
    conversation.settle()
    conversation.slack.dm("alice", "tomorrow at noon", thread_ts=root.ts)
    conversation.settle()
    assert conversation.bot_says(root.channel, root.ts)[-1].startswith("That would be 2026-11-25T12:00:00+01:00")
    assert "When did it happen?" in conversation.bot_says(root.channel, root.ts)[-1]


def test_a_restart_in_the_middle_of_the_intake_resumes_it(conversation):
    root = conversation.slack.dm("alice", "Reports are slow").message
    conversation.settle()
    conversation.slack.dm("alice", "yes", thread_ts=root.ts)
    conversation.restart()
    conversation.settle()
    assert conversation.bot_says(root.channel, root.ts)[-1].startswith("When did it happen?")


def test_a_slack_retry_of_an_answer_is_answered_once(conversation):
    root = conversation.slack.dm("alice", "Search is broken").message
    conversation.settle()
    (delivery,) = conversation.slack.dm("alice", "yes", thread_ts=root.ts).deliveries
    conversation.slack.retry(delivery)
    conversation.settle()
    questions = [text for text in conversation.bot_says(root.channel, root.ts) if text.startswith("When did it")]
    assert len(questions) == 1


def test_a_40000_character_message_with_emoji_and_right_to_left_text_is_kept_whole(conversation):
    text = ("مرحبا 🚒 שלום " * 3000)[:40_000]
    root = conversation.slack.dm("alice", text).message
    conversation.settle()
    status, question = conversation.thread(root.channel, root.ts)[1:]
    assert "مرحبا 🚒 שלום" in status.text
    assert len(status.text) < 4_000  # the status shows the start of it; the request keeps all of it
    assert question.text.startswith("Can we reach you")
    with conversation.database.read() as session:
        ticket = tickets.find_ticket(session, slack_thread=(root.channel, root.ts))
    assert ticket.description == text.strip()
