"""When it happened, as requesters write it in English and French: each phrase and the instant it means, read in
the requester's zone relative to an injected now (bot.desk.intake.answers `parse_when`, bot.desk.intake.when)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.desk.intake.answers import Refused, parse_when
from tests.bot.desk.conftest import card_of

PARIS, QUEBEC = ZoneInfo("Europe/Paris"), ZoneInfo("America/Toronto")
NOW = datetime(2026, 11, 24, 15, 5, tzinfo=PARIS)  # Tuesday 24 November 2026, 15:05 in Paris; 09:05 in Quebec


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS)


def quebec(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=QUEBEC)


PHRASES = [
    # English, Paris
    ("this morning around 9:15", PARIS, paris(24, 9, 15)),
    ("this morning at 9:15", PARIS, paris(24, 9, 15)),
    ("this morning about 9:15", PARIS, paris(24, 9, 15)),
    ("around 9:15", PARIS, paris(24, 9, 15)),
    ("at 9:15am", PARIS, paris(24, 9, 15)),
    ("9.15 a.m.", PARIS, paris(24, 9, 15)),
    ("14:05", PARIS, paris(24, 14, 5)),
    ("2pm", PARIS, paris(24, 14)),
    ("at 10", PARIS, paris(24, 10)),
    ("this afternoon around 2", PARIS, paris(24, 14)),
    ("this morning", PARIS, paris(24, 9)),
    ("yesterday 3pm", PARIS, paris(23, 15)),
    ("yesterday afternoon at 3", PARIS, paris(23, 15)),
    ("yesterday evening around 8", PARIS, paris(23, 20)),
    ("last night at 11pm", PARIS, paris(23, 23)),
    ("yesterday noon", PARIS, paris(23, 12)),
    ("yesterday in the morning around 10", PARIS, paris(23, 10)),
    ("2 hours ago", PARIS, paris(24, 13, 5)),
    ("about an hour ago", PARIS, paris(24, 14, 5)),
    ("30 minutes ago", PARIS, paris(24, 14, 35)),
    ("last monday at 10", PARIS, paris(23, 10)),
    ("2026-11-23 09:30", PARIS, paris(23, 9, 30)),
    ("Nov 20 at 4:45 pm", PARIS, paris(20, 16, 45)),
    # French, Paris
    ("ce matin vers 9h15", PARIS, paris(24, 9, 15)),
    ("ce matin à 9h15", PARIS, paris(24, 9, 15)),
    ("aujourd'hui à 9h", PARIS, paris(24, 9)),
    ("vers 14h", PARIS, paris(24, 14)),
    ("environ 14h", PARIS, paris(24, 14)),
    ("à 14h05", PARIS, paris(24, 14, 5)),
    ("aux alentours de 9h", PARIS, paris(24, 9)),
    ("cet après-midi vers 14h", PARIS, paris(24, 14)),
    ("hier à 15h30", PARIS, paris(23, 15, 30)),
    ("hier soir vers 8h", PARIS, paris(23, 20)),
    ("hier après-midi à 15h", PARIS, paris(23, 15)),
    ("hier midi", PARIS, paris(23, 12)),
    ("hier vers 8h du soir", PARIS, paris(23, 20)),
    ("9h du matin", PARIS, paris(24, 9)),
    ("dans l'après-midi", PARIS, paris(24, 14)),
    ("hier en soirée vers 9h", PARIS, paris(23, 21)),
    ("il y a 2 heures", PARIS, paris(24, 13, 5)),
    ("il y a une heure", PARIS, paris(24, 14, 5)),
    ("lundi dernier à 10h", PARIS, paris(23, 10)),
    ("avant-hier à 10h", PARIS, paris(22, 10)),
    ("le 23 novembre à 9h30", PARIS, paris(23, 9, 30)),
    ("23/11/2026 à 9h30", PARIS, paris(23, 9, 30)),
    # Quebec: the requester's own zone, six hours behind Paris
    ("ce matin vers 8 h 30", QUEBEC, quebec(24, 8, 30)),
    ("this morning around 7:45", QUEBEC, quebec(24, 7, 45)),
    ("hier soir à 21 h", QUEBEC, quebec(23, 21)),
    ("à 9 h", QUEBEC, quebec(24, 9)),
    ("at 10:30", QUEBEC, quebec(23, 10, 30)),  # not yet 10:30 in Quebec today: yesterday's
]


def test_the_table_holds_forty_phrases_or_more_in_both_languages():
    assert len(PHRASES) >= 40


@pytest.mark.parametrize(("written", "zone", "meant"), PHRASES, ids=[p[0] for p in PHRASES])
def test_a_phrase_means_its_instant_in_the_requesters_zone(written, zone, meant):
    assert parse_when(written, zone, NOW) == meant


@pytest.mark.parametrize("written", ["tonight at 9pm", "ce soir à 21h", "demain à 9h", "tomorrow morning"])
def test_a_phrase_still_to_come_is_refused(written):
    refused = parse_when(written, PARIS, NOW)
    assert isinstance(refused, Refused)
    assert refused.reason == "when_future"


@pytest.mark.parametrize("written", ["when the moon is blue", "quand la lune est bleue"])
def test_an_unclear_phrase_is_refused(written):
    refused = parse_when(written, PARIS, NOW)
    assert isinstance(refused, Refused)
    assert refused.reason == "when_unclear"


@pytest.mark.parametrize(
    ("written", "shown"),
    [("this morning around 9:15", "Tue 24 Nov 2026 09:15"), ("ce matin vers 9h05", "Tue 24 Nov 2026 09:05")],
)
def test_a_phrase_answered_in_slack_is_the_request_s_time_on_the_card(conversation, written, shown):
    root = conversation.slack.dm("alice", "The export button does nothing").message
    conversation.settle()
    for answer in ("yes", written, "none", "none", "incident"):
        conversation.slack.dm("alice", answer, thread_ts=root.ts)
        conversation.settle()
    assert f"• When: {shown} (Europe/Paris)" in card_of(conversation).text
