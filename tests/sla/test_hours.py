"""Weekly hours as policies write them: parsing, midnight, 24:00, merging, and errors that quote the text."""

from contextlib import suppress
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla.hours import DAY_KEYS, HoursError, WeeklyHours
from tests.sla.test_calendar_properties import WEEKLY_HOURS

CLOSED = ()
NINE_TO_FIVE = ((540, 1020),)


def test_a_day_range_gives_each_day_the_same_hours() -> None:
    hours = WeeklyHours.parse({"mon-fri": ["09:00-17:00"]})
    assert hours.days == (NINE_TO_FIVE,) * 5 + (CLOSED, CLOSED)
    assert hours.minutes_on(0) == 480
    assert hours.minutes_on(6) == 0


def test_a_lunch_break_gives_two_intervals_in_order() -> None:
    hours = WeeklyHours.parse({"mon": ["13:00-18:00", "09:00-12:00"]})
    assert hours.days[0] == ((540, 720), (780, 1080))
    assert hours.minutes_on(0) == 8 * 60


def test_an_interval_across_midnight_is_split_and_each_part_belongs_to_its_own_date() -> None:
    hours = WeeklyHours.parse({"fri": ["22:00-06:00"]})
    assert hours.days[4] == ((1320, 1440),)
    assert hours.days[5] == ((0, 360),)


def test_sunday_night_runs_into_monday_morning() -> None:
    assert WeeklyHours.parse({"sun": ["23:00-01:00"]}).days[0] == ((0, 60),)


def test_24_00_is_allowed_as_an_end() -> None:
    assert WeeklyHours.parse({"mon": ["18:00-24:00"]}).days[0] == ((1080, 1440),)
    assert WeeklyHours.parse({"mon": ["00:00-24:00"]}).days[0] == ((0, 1440),)


def test_an_interval_ending_at_00_00_ends_at_midnight() -> None:
    assert WeeklyHours.parse({"mon": ["18:00-00:00"]}).days == WeeklyHours.parse({"mon": ["18:00-24:00"]}).days


def test_overlapping_and_touching_intervals_are_merged() -> None:
    hours = WeeklyHours.parse({"mon": ["09:00-12:00", "11:00-13:00", "13:00-14:00"], "sun": ["22:00-02:00"]})
    assert hours.days[0] == ((0, 120), (540, 840))


def test_keys_are_case_and_space_tolerant_and_times_may_have_one_hour_digit() -> None:
    assert WeeklyHours.parse({" Mon-Fri ": ["9:00 - 17:00"]}) == WeeklyHours.parse({"mon-fri": ["09:00-17:00"]})


def test_around_the_clock_is_every_minute() -> None:
    assert WeeklyHours.around_the_clock() == WeeklyHours.parse({"mon-sun": ["00:00-24:00"]})


def test_describe_reads_one_line_per_run_of_days_with_the_same_hours() -> None:
    hours = WeeklyHours.parse({"mon-fri": ["09:00-12:00", "13:00-18:00"], "sat": ["22:00-24:00"]})
    assert hours.describe() == ("Mon-Fri 09:00-12:00, 13:00-18:00", "Sat 22:00-24:00", "Sun closed")
    assert WeeklyHours.parse({"tue": ["09:00-17:00"]}).describe() == ("Mon closed", "Tue 09:00-17:00", "Wed-Sun closed")


@pytest.mark.parametrize(
    ("spec", "quoted"),
    [
        ({"monday": ["09:00-17:00"]}, '"monday"'),
        ({"mon-funday": ["09:00-17:00"]}, '"mon-funday"'),
        ({"fri-mon": ["09:00-17:00"]}, '"fri-mon" runs backwards'),
        ({"mon-fri": ["09:00-17:00"], "fri": ["18:00-19:00"]}, '"fri" is given more than once (in "fri")'),
        ({"mon": ["9-17"]}, '"9" in "9-17"'),
        ({"mon": ["09:00"]}, '"09:00" must look like 09:00-17:00'),
        ({"mon": ["09:00-17:60"]}, '"17:60" in "09:00-17:60"'),
        ({"mon": ["25:00-26:00"]}, '"25:00" in "25:00-26:00"'),
        ({"mon": ["24:00-01:00"]}, '"24:00" in "24:00-01:00"'),
        ({"mon": ["09:00-24:01"]}, '"24:01" in "09:00-24:01"'),
        ({"mon": ["09:00-09:00"]}, '"09:00-09:00" is empty'),
        ({"mon": ["nine-five"]}, '"nine" in "nine-five"'),
    ],
)
def test_bad_hours_raise_an_error_quoting_the_text(spec: dict[str, list[str]], quoted: str) -> None:
    with pytest.raises(HoursError) as error:
        WeeklyHours.parse(spec)
    assert quoted in str(error.value)


def spec_of(hours: WeeklyHours) -> dict[str, list[str]]:
    """The spec a policy would write for `hours`, read back from its description ("Mon-Fri 09:00-17:00")."""
    spec = {}
    for line in hours.describe():
        days, text = line.split(" ", 1)
        if text != "closed":
            spec[days.lower()] = text.split(", ")
    return spec


@settings(max_examples=200, deadline=None)
@given(WEEKLY_HOURS)
def test_described_hours_parse_back_to_equal_hours(spec: dict[str, list[str]]) -> None:
    hours = WeeklyHours.parse(spec)
    assert WeeklyHours.parse(spec_of(hours)) == hours
    for day in hours.days:
        assert all(0 <= start < end <= 1440 for start, end in day)
        assert all(end < start for (_, end), (start, _) in pairwise(day))


SCRAPS = st.sampled_from([*DAY_KEYS, "-", ":", " ", "24", "00", "9", "60", "x", "Mon", "٣"])


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.lists(SCRAPS, max_size=4).map("".join) | st.text(max_size=8),
        st.lists(st.lists(SCRAPS | st.text(max_size=3), max_size=6).map("".join), max_size=3),
        max_size=3,
    )
)
def test_any_garbage_parses_or_raises_hours_error(spec: dict[str, list[str]]) -> None:
    with suppress(HoursError):
        WeeklyHours.parse(spec)
