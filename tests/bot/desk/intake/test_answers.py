"""Reading intake answers as Slack delivers them: contact, when it happened, steps, "none"."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.desk.intake.answers import (
    Refused,
    is_none_answer,
    parse_email,
    parse_phone,
    parse_steps,
    parse_when,
    plain_text,
)

TORONTO = ZoneInfo("America/Toronto")
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # Tuesday 10:00 in Toronto


def test_mentions_become_plain_words():
    assert plain_text("<!channel> <!here|@here> <@U123|ann> <@U9> <#C1|general> <!subteam^S1|@oncall>") == (
        "@channel @here @ann @U9 #general @oncall"
    )


def test_slack_link_markup_and_entities_are_undone():
    assert plain_text("<mailto:jo@example.com|jo@example.com>") == "jo@example.com"
    assert plain_text("see <https://status.example.com|the status page> &amp; retry &lt;now&gt;") == (
        "see the status page & retry <now>"
    )
    assert plain_text("<https://example.com/x>") == "https://example.com/x"


def test_email_as_slack_sends_it_is_normalised():
    assert parse_email("<mailto:Jo.Doe@Example.COM|Jo.Doe@Example.COM>") == "Jo.Doe@example.com"


@pytest.mark.parametrize("text", ["jo", "jo@", "@example.com", "jo@@example.com", "jo doe@example.com"])
def test_malformed_email_is_refused_with_the_text(text):
    assert parse_email(text) == Refused("email_invalid", {"text": text})


def test_phone_in_national_format_uses_the_desk_region():
    assert parse_phone("06 12 34 56 78", "FR") == "+33612345678"
    assert parse_phone("<tel:+1 416 555 0100|+1 (416) 555-0100>", None) == "+14165550100"


@pytest.mark.parametrize("text", ["12", "call me", "+1 416 555", ""])
def test_invalid_phone_is_refused(text):
    assert parse_phone(text, "CA") == Refused("phone_invalid", {"text": text})


def test_yesterday_afternoon_in_the_requesters_zone():
    assert parse_when("yesterday 3pm", TORONTO, NOW) == datetime(2026, 11, 23, 15, 0, tzinfo=TORONTO)


def test_a_bare_time_later_than_now_means_yesterday():
    assert parse_when("14:05", TORONTO, NOW) == datetime(2026, 11, 23, 14, 5, tzinfo=TORONTO)


def test_iso_with_offset_is_converted_to_the_requesters_zone():
    assert parse_when("2026-11-24T12:30:00Z", TORONTO, NOW) == datetime(2026, 11, 24, 7, 30, tzinfo=TORONTO)


def test_the_future_is_refused_politely():
    refused = parse_when("tomorrow 9am", TORONTO, NOW)
    assert isinstance(refused, Refused)
    assert refused.reason == "when_future"
    assert refused.details["parsed"] == "2026-11-25T09:00:00-05:00"


def test_nonsense_is_unclear():
    assert parse_when("when the moon is blue", TORONTO, NOW) == Refused(
        "when_unclear", {"text": "when the moon is blue"}
    )


@pytest.mark.parametrize("text", ["n/a", "N/A", "none", "Not applicable.", "-", "no"])
def test_none_answers(text):
    assert is_none_answer(text)
    assert parse_steps(text) is None


def test_steps_are_kept_as_typed():
    assert parse_steps("1. open &lt;Reports&gt;\n2. click Export") == "1. open <Reports>\n2. click Export"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_no_answer_text_makes_a_parser_raise(text):
    for result in (parse_email(text), parse_phone(text, "FR"), parse_when(text, TORONTO, NOW)):
        assert isinstance(result, str | datetime | Refused)
    when = parse_when(text, TORONTO, NOW)
    assert isinstance(when, Refused) or when <= NOW


@settings(max_examples=100, deadline=None)
@given(st.emails())
def test_every_valid_address_survives_slack_markup(address):
    accepted = parse_email(f"<mailto:{address}|{address}>")
    if not isinstance(accepted, Refused):
        assert parse_email(accepted) == accepted
