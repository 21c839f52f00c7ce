"""Instants as microseconds, and a zone's offset changes found to the second."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from sla.timeline import (
    HOUR,
    MINUTE,
    SECOND,
    NaiveInstantError,
    OffsetChange,
    day_number,
    day_of,
    from_micros,
    offset_at,
    to_micros,
    zone_offsets,
)

PARIS = ZoneInfo("Europe/Paris")


def micros(text: str) -> int:
    return to_micros(datetime.fromisoformat(text))


def test_paris_2026_changes_are_found_to_the_second() -> None:
    offsets = zone_offsets(PARIS, micros("2026-01-01T00:00:00Z"), micros("2027-01-01T00:00:00Z"))
    assert offsets.start_offset == 1 * HOUR
    assert offsets.changes == (
        OffsetChange(at=micros("2026-03-29T01:00:00Z"), before=1 * HOUR, after=2 * HOUR),
        OffsetChange(at=micros("2026-10-25T01:00:00Z"), before=2 * HOUR, after=1 * HOUR),
    )


@pytest.mark.parametrize(
    ("zone", "first_change", "before", "after"),
    [
        # Toronto springs forward Sun 8 Mar 2026 02:00 EST = 07:00 UTC.
        ("America/Toronto", "2026-03-08T07:00:00Z", -5 * HOUR, -4 * HOUR),
        # Sydney's summer time ends Sun 5 Apr 2026 03:00 AEDT = 16:00 UTC on the 4th.
        ("Australia/Sydney", "2026-04-04T16:00:00Z", 11 * HOUR, 10 * HOUR),
        # Lord Howe Island moves by half an hour: Sun 5 Apr 2026 02:00 +11 = 15:00 UTC on the 4th.
        ("Australia/Lord_Howe", "2026-04-04T15:00:00Z", 11 * HOUR, 10 * HOUR + 30 * MINUTE),
    ],
)
def test_the_first_change_of_2026_elsewhere(zone: str, first_change: str, before: int, after: int) -> None:
    offsets = zone_offsets(ZoneInfo(zone), micros("2026-01-01T00:00:00Z"), micros("2027-01-01T00:00:00Z"))
    assert len(offsets.changes) == 2
    assert offsets.changes[0] == OffsetChange(at=micros(first_change), before=before, after=after)


def test_a_zone_without_changes_has_none() -> None:
    offsets = zone_offsets(ZoneInfo("Asia/Kolkata"), micros("2020-01-01T00:00:00Z"), micros("2030-01-01T00:00:00Z"))
    assert (offsets.start_offset, offsets.changes) == (5 * HOUR + 30 * MINUTE, ())


def test_a_change_on_the_last_second_of_the_span_is_included_and_one_just_after_is_not() -> None:
    change = micros("2026-03-29T01:00:00Z")
    assert len(zone_offsets(PARIS, change - HOUR, change).changes) == 1
    assert zone_offsets(PARIS, change - HOUR, change - SECOND).changes == ()


def test_offset_at_switches_exactly_at_the_change() -> None:
    change = micros("2026-03-29T01:00:00Z")
    assert offset_at(PARIS, change - 1) == 1 * HOUR
    assert offset_at(PARIS, change) == 2 * HOUR


def test_instants_round_trip_through_microseconds_in_any_zone() -> None:
    instant = datetime(2026, 10, 25, 1, 30, 0, 123456, tzinfo=UTC)
    assert from_micros(to_micros(instant), PARIS).isoformat() == "2026-10-25T02:30:00.123456+01:00"
    assert to_micros(instant.astimezone(timezone(timedelta(hours=-3)))) == to_micros(instant)
    assert to_micros(datetime(1970, 1, 1, tzinfo=UTC)) == 0


def test_a_naive_datetime_is_refused_with_a_hint() -> None:
    with pytest.raises(NaiveInstantError, match=r"2026-11-22T09:00:00 has no UTC offset; .*2026-11-22T09:00:00\+00:00"):
        to_micros(datetime(2026, 11, 22, 9))


def test_day_numbers_count_from_1970() -> None:
    assert day_number(date(1970, 1, 1)) == 0
    # 56 years of 365 days + 14 leap days (1972-2024) to 1 Jan 2026, + 304 days to 1 Nov, + 21.
    assert day_number(date(2026, 11, 22)) == 56 * 365 + 14 + 304 + 21 == 20_779
    assert day_of(20_779) == date(2026, 11, 22)
    assert day_number(date(1969, 12, 31)) == -1
