"""Update nags and catch-up, end to end with an injected clock: the owkin P1 "every 30 minutes" cadence nags once
each period without a public update, one nag after downtime saying how many periods went by, and a catch-up
after days of downtime says one thing per breached target and nothing of resolved or deferred requests."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.desk.reminders import sweep_milestones
from bot.say import Say
from tests.bot.desk.conftest import card_of, complete_request, frontdesk, ticket_of

PARIS = ZoneInfo("Europe/Paris")
FIVE = timedelta(minutes=5)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def _sweep(conversation, at: datetime):
    said = sweep_milestones(
        conversation.database, conversation.desk, at, lambda s: Say(s, conversation.desk, at), digest_over=99
    )
    conversation.now = at
    conversation.settle()
    return said


def _nags(said) -> list[tuple[str, int]]:
    return [(r.due_at.astimezone(PARIS).strftime("%H:%M"), r.periods) for r in said if r.what == "update"]


def _thread(conversation, index: int = -1) -> list[str]:
    card = card_of(conversation, index)
    return [m.text for m in conversation.thread(conversation.desk.agents_channel, card.ts)[1:]]


def _p1_answered_at_10_10(conversation) -> None:
    """SR-000001 completed Tue 24 Nov 10:05, triaged P1, answered at 10:10: updates due 10:40, 11:10, 11:40..."""
    complete_request(conversation)
    frontdesk(conversation, "triage 1 P1 production is down")
    conversation.now = _at(24, 10, 10)
    frontdesk(conversation, "reply 1 We are on it")


def _sweeps(conversation, first: datetime, last: datetime) -> list:
    said, at = [], first
    while at <= last:
        said += _sweep(conversation, at)
        at += FIVE
    return said


def test_a_running_bot_nags_every_30_minutes_until_a_public_update(conversation):
    _p1_answered_at_10_10(conversation)
    said = _sweeps(conversation, _at(24, 10, 15), _at(24, 12, 30))
    assert _nags(said) == [("10:40", 1), ("11:10", 2), ("11:40", 3), ("12:10", 4)]
    nags = [text for text in _thread(conversation) if text.startswith(":speech_balloon:")]
    assert len(nags) == 4
    assert "(due Tue 24 Nov 11:10 (Europe/Paris); 2 update periods have gone by without one)" in nags[1]
    assert "periods" not in nags[0]


def test_a_sweep_past_a_period_still_nags_for_it_once(conversation):
    _p1_answered_at_10_10(conversation)
    assert _nags(_sweep(conversation, _at(24, 10, 35))) == []
    assert _nags(_sweep(conversation, _at(24, 10, 52))) == [("10:40", 1)]
    assert _nags(_sweep(conversation, _at(24, 11, 8))) == []
    assert _nags(_sweep(conversation, _at(24, 11, 31))) == [("11:10", 2)]
    assert _nags(_sweep(conversation, _at(24, 11, 33))) == []


def test_after_downtime_one_nag_says_how_many_periods_went_by(conversation):
    _p1_answered_at_10_10(conversation)
    assert _nags(_sweep(conversation, _at(24, 10, 41))) == [("10:40", 1)]
    # Down from 10:41 to 12:15: the periods ending 11:10, 11:40 and 12:10 were missed; one nag for them.
    assert _nags(_sweep(conversation, _at(24, 12, 15))) == [("12:10", 4)]
    assert _nags(_sweep(conversation, _at(24, 12, 16))) == []
    assert "4 update periods have gone by without one" in _thread(conversation)[-1]
    conversation.now = _at(24, 12, 20)
    frontdesk(conversation, "reply 1 Still working on it")  # the cadence restarts: due 12:50
    assert _nags(_sweeps(conversation, _at(24, 12, 25), _at(24, 12, 45))) == []
    assert _nags(_sweep(conversation, _at(24, 12, 50))) == [("12:50", 1)]


def test_catch_up_after_three_days_says_one_thing_per_breached_target_and_nothing_of_closed_requests(conversation):
    for number in range(3):  # owkin P4, completed Tue 24 Nov 10:05: response due 12:05, update Thu 14:35
        complete_request(conversation, f"Problem {number}")
    frontdesk(conversation, "resolve 2")
    frontdesk(conversation, "defect 3")
    frontdesk(conversation, "defer 3 until 2027-01-15 waiting for the vendor's fix")
    assert ticket_of(conversation, 3).deferred_at is not None
    before = [len(_thread(conversation, index)) for index in (0, 1, 2)]
    said = _sweep(conversation, _at(27, 12, 0))  # down from Tue 10:05 to Fri 12:00
    said_of = [(r.ticket.sr_number, r.target, r.what) for r in said]
    assert said_of == [(1, "response", "breach"), (1, "update", "update")]
    assert [len(_thread(conversation, index)) - b for index, b in zip((0, 1, 2), before, strict=True)] == [2, 0, 0]
    assert _sweep(conversation, _at(27, 12, 5)) == []
