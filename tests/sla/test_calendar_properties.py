"""Properties of the business calendar, checked against the minute-stepping reference and against itself.

Calendars: Paris business hours with French holidays, Toronto 08:00-17:00 with Quebec holidays, Sydney
08:00-20:00 with NSW holidays, `always` in Sydney, a split shift (lunch break and a Saturday night that crosses
midnight into the Sunday of the clock change, with an extra and a removed holiday), and weekly hours made up by
hypothesis. Instants are whole minutes in 2024-2029, a third of them within days of a clock change and a third
within days of a holiday. The reference is slow, so the properties that use it run fewer examples.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla.calendar import Calendar
from sla.holiday_rules import HolidayRules
from sla.hours import DAY_KEYS, WeeklyHours
from tests.sla.reference import Reference

MINUTE = timedelta(minutes=1)
FIRST, LAST = datetime(2024, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)
MAX_MINUTES = 200 * 60
NEAR = 3 * 24 * 60  # "near" a clock change or a holiday: within three days, in minutes


def business(zone: str, hours: dict[str, list[str]], holidays: HolidayRules) -> Calendar:
    return Calendar(zone=ZoneInfo(zone), hours=WeeklyHours.parse(hours), holidays=holidays)


FIXED = {
    "paris-business": business("Europe/Paris", {"mon-fri": ["09:00-17:00"]}, HolidayRules("FR")),
    "toronto-8-17": business("America/Toronto", {"mon-fri": ["08:00-17:00"]}, HolidayRules("CA", "QC")),
    "sydney-8-20": business("Australia/Sydney", {"mon-fri": ["08:00-20:00"]}, HolidayRules("AU", "NSW")),
    "sydney-always": Calendar.always(ZoneInfo("Australia/Sydney")),
    "split-shift": business(
        "Europe/Paris",
        {"mon-fri": ["09:00-12:00", "13:00-18:00"], "sat": ["22:00-06:00"]},
        HolidayRules(
            "FR", extra=frozenset({date(2026, 6, 1), date(2027, 3, 28)}), removed=frozenset({date(2026, 11, 11)})
        ),
    ),
}
REFERENCES = {name: Reference(calendar) for name, calendar in FIXED.items()}

# --- strategies ----------------------------------------------------------------------------------------------

ZONES = ["Europe/Paris", "America/Toronto", "Australia/Sydney", "Australia/Lord_Howe", "America/Santiago", "UTC"]
HOLIDAYS = [HolidayRules(), HolidayRules("FR"), HolidayRules("CA", "QC"), HolidayRules("AU", "NSW")]


def clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def intervals(draw: st.DrawFn) -> str:
    """An interval as a policy writes it; the end may be 24:00, or before the start (crossing midnight)."""
    start = draw(st.integers(0, 24 * 60 - 1))
    end = draw(st.integers(0, 24 * 60).filter(lambda end: end % (24 * 60) != start))
    return f"{clock(start)}-{clock(end)}"


WEEKLY_HOURS = st.fixed_dictionaries({}, optional={key: st.lists(intervals(), max_size=3) for key in DAY_KEYS}).filter(
    lambda spec: any(spec.values())
)
MADE_UP = st.builds(business, st.sampled_from(ZONES), WEEKLY_HOURS, st.sampled_from(HOLIDAYS))


@cache
def clock_changes(zone: ZoneInfo) -> tuple[datetime, ...]:
    """UTC midnights of the days in [FIRST, LAST) during which the zone's offset changes, by a daily scan."""
    days = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
    return tuple(a for a, b in pairwise(days) if a.astimezone(zone).utcoffset() != b.astimezone(zone).utcoffset())


@cache
def holiday_midnights(calendar: Calendar) -> tuple[datetime, ...]:
    named = calendar.holidays.named_in(FIRST.year, LAST.year)
    return tuple(datetime(d.year, d.month, d.day, tzinfo=calendar.zone) for d in sorted(named)) or (FIRST,)


def instants(calendar: Calendar) -> st.SearchStrategy[datetime]:
    """Whole-minute instants in 2024-2029; about a third near a clock change, a third near a holiday."""
    anywhere = st.integers(0, (LAST - FIRST) // MINUTE - 1).map(lambda n: FIRST + n * MINUTE)
    jitter = st.integers(-NEAR, NEAR).map(lambda n: n * MINUTE)

    def near(bases: tuple[datetime, ...]) -> st.SearchStrategy[datetime]:
        shifted = st.builds(lambda base, shift: (base + shift).astimezone(UTC), st.sampled_from(bases), jitter)
        return shifted.filter(lambda t: FIRST <= t < LAST)

    return st.one_of(anywhere, near(clock_changes(calendar.zone) or (FIRST,)), near(holiday_midnights(calendar)))


def calendar_under_test(name: str) -> st.SearchStrategy[Calendar]:
    return MADE_UP if name == "made-up" else st.just(FIXED[name])


def reference_for(name: str, calendar: Calendar) -> Reference:
    return REFERENCES.get(name) or Reference(calendar)


def durations(calendar: Calendar, *, for_reference: bool = False) -> st.SearchStrategy[timedelta]:
    """Whole minutes up to 200h; for the reference on sparse made-up hours, up to three weeks of their time."""
    weekly = sum(calendar.hours.minutes_on(day) for day in range(7))
    most = min(MAX_MINUTES, 3 * weekly) if for_reference else MAX_MINUTES
    return st.integers(0, most).map(lambda n: n * MINUTE)


def hypothesis_on_each_calendar(examples: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Run a test taking (name, data) on each calendar, with `examples` examples each."""
    checks = settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])

    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        return pytest.mark.parametrize("name", [*FIXED, "made-up"])(checks(given(data=st.data())(test)))

    return decorate


with_reference = hypothesis_on_each_calendar(30)  # the reference is slow
engine_only = hypothesis_on_each_calendar(60)


def utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


def reference_case(data: st.DataObject, name: str) -> tuple[Calendar, Reference, datetime]:
    """A calendar, its reference and a whole-minute instant."""
    calendar = data.draw(calendar_under_test(name))
    return calendar, reference_for(name, calendar), data.draw(instants(calendar))


def engine_case(data: st.DataObject, name: str) -> tuple[Calendar, datetime]:
    """A calendar and an instant anywhere within its minute (microseconds too)."""
    calendar = data.draw(calendar_under_test(name))
    start = data.draw(instants(calendar)) + data.draw(st.integers(0, 59_999_999)) * timedelta(microseconds=1)
    return calendar, start


def any_duration(data: st.DataObject) -> timedelta:
    return data.draw(st.integers(0, MAX_MINUTES * 60_000_000)) * timedelta(microseconds=1)


# --- against the reference -----------------------------------------------------------------------------------


@with_reference
def test_add_agrees_with_the_reference(name: str, data: st.DataObject) -> None:
    calendar, reference, start = reference_case(data, name)
    duration = data.draw(durations(calendar, for_reference=True))
    due = calendar.add(duration, to=start)
    assert utc(due) == reference.add(duration, to=start)
    assert due.tzinfo is calendar.zone


@with_reference
def test_between_agrees_with_the_reference(name: str, data: st.DataObject) -> None:
    calendar, reference, start = reference_case(data, name)
    end = start + data.draw(st.integers(-NEAR, 4 * NEAR)) * MINUTE
    assert calendar.working_time_between(start, end) == reference.between(start, end)


@with_reference
def test_next_opening_is_open_and_nothing_before_it_is(name: str, data: st.DataObject) -> None:
    calendar, reference, start = reference_case(data, name)
    opening = calendar.next_opening(start)
    assert opening >= start
    assert calendar.is_open_at(opening)
    assert calendar.working_time_between(start, opening) == timedelta(0)
    assert utc(opening) == reference.next_opening(start)


@with_reference
def test_is_open_at_agrees_with_the_reference(name: str, data: st.DataObject) -> None:
    calendar, reference, start = reference_case(data, name)
    assert calendar.is_open_at(start) == reference.is_open_minute(utc(start))


# --- the engine against itself: any microsecond, the full 200h ------------------------------------------------


@engine_only
def test_between_the_start_and_the_sum_is_the_duration(name: str, data: st.DataObject) -> None:
    calendar, start = engine_case(data, name)
    duration = any_duration(data)
    assert calendar.working_time_between(start, calendar.add(duration, to=start)) == duration


@engine_only
def test_adding_in_two_steps_is_adding_once(name: str, data: st.DataObject) -> None:
    calendar, start = engine_case(data, name)
    first, second = any_duration(data), any_duration(data)
    once = calendar.add(first + second, to=start)
    assert utc(once) == utc(calendar.add(second, to=calendar.add(first, to=start)))


@engine_only
def test_the_result_never_lies_inside_closed_time(name: str, data: st.DataObject) -> None:
    calendar, start = engine_case(data, name)
    duration = any_duration(data)
    due = calendar.add(duration, to=start)
    if duration:
        just_before = due - timedelta(microseconds=1)
        assert calendar.is_open_at(just_before), f"{due} is due after {just_before}, which is closed"
    else:
        assert utc(due) == utc(start)


@engine_only
def test_adding_more_or_starting_later_never_gives_an_earlier_instant(name: str, data: st.DataObject) -> None:
    calendar, start = engine_case(data, name)
    duration, more = any_duration(data), any_duration(data)
    later = start + any_duration(data)
    due = calendar.add(duration, to=start)
    assert calendar.add(duration + more, to=start) >= due
    assert calendar.add(duration, to=later) >= due
