"""The milestone sweep reads the milestones stored with a request until its log changes (docs/architecture.md,
"Time"): end to end, two requests completed at the same instant, one read from its stored milestones and
one whose stored milestones are gone (so the sweep recomputes it from its log), say the same reminders, store
the same deadlines and audit the same breach."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update

from bot.desk.reminders import sweep_milestones
from bot.say import Say
from storage import audit
from storage.deadlines import deadlines_of
from storage.tables import Ticket
from tests.bot.desk.conftest import complete_request, frontdesk, ticket_of

PARIS = ZoneInfo("Europe/Paris")


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def _stored(conversation, sr: int) -> str | None:
    with conversation.database.read() as session:
        return session.get(Ticket, ticket_of(conversation, sr).id).milestones


def _breaches(conversation, sr: int) -> list[dict]:
    with conversation.database.read() as session:
        trail = audit.trail(session, ticket_of(conversation, sr).id)
    return [
        [{name: value for name, value in change.items() if name != "next_change_at"}
         for change in (event.before, event.after)]
        for event in trail
        if event.action == "ticket.deadlines_set" and event.after and "response" in event.after
        and event.after["response"]["state"] == "breached"
    ]  # fmt: skip


def test_stored_milestones_say_what_the_recompute_says(conversation):
    started = conversation.now
    complete_request(conversation, "The export button does nothing")
    conversation.now = started  # the second one's messages at the same instants as the first's
    complete_request(conversation, "The import button does nothing")
    kept = _stored(conversation, 1)
    assert kept is not None
    assert _stored(conversation, 2) == kept  # the same log at the same instant: the same milestones
    with conversation.database.write() as session:  # the second one's are gone: the sweep recomputes it
        session.connection().execute(update(Ticket).where(Ticket.sr_number == 2).values(milestones=None))
    said = {1: [], 2: []}
    for at in (_at(24, 11, 0), _at(24, 11, 6), _at(24, 11, 50), _at(24, 12, 30), _at(24, 12, 31)):
        for reminder in sweep_milestones(conversation.database, conversation.desk, at,
                                         lambda s, at=at: Say(s, conversation.desk, at)):  # fmt: skip
            said[reminder.ticket.sr_number].append((at, reminder.what, reminder.target, reminder.fraction,
                                                     reminder.due_at, reminder.key.split(":", 2)[2]))  # fmt: skip
    assert [what for _, what, *_ in said[1]] == ["warning", "warning", "breach"]
    assert said[1] == said[2]
    with conversation.database.read() as session:
        first, second = (deadlines_of(session, ticket_of(conversation, sr).id) for sr in (1, 2))
    assert first == second
    assert [d.state for d in first if d.target == "response"] == ["breached"]
    assert _breaches(conversation, 1) == _breaches(conversation, 2)
    assert len(_breaches(conversation, 1)) == 1  # stored once, however many sweeps came after
    assert ticket_of(conversation, 1).updated_at == _at(24, 12, 30)  # the breach stored is a change of the request
    assert _stored(conversation, 1) == kept  # read, never rewritten: the log did not change
    assert ticket_of(conversation, 1).next_change_at == ticket_of(conversation, 2).next_change_at


def test_an_event_recorded_since_makes_the_sweep_recompute(conversation, request_done):
    kept = _stored(conversation, 1)
    conversation.now = _at(24, 10, 30)
    frontdesk(conversation, "reply 1 Looking into it now.")  # the response, met: an event in the log
    assert _stored(conversation, 1) != kept  # the recompute stored the new milestones
    said = sweep_milestones(conversation.database, conversation.desk, _at(24, 12, 30),
                            lambda s: Say(s, conversation.desk, _at(24, 12, 30)))  # fmt: skip
    assert [r.target for r in said if r.target == "response"] == []
