"""The business calendar in named situations, each worked by hand.

Instants are written with their UTC offset and results are compared as ISO text, which checks the instant and
the calendar's offset at once (and sidesteps Python's rule that an ambiguous fall-back time never equals an
instant in another zone).
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sla.calendar import Calendar, CalendarError
from sla.durations import parse_working_duration
from sla.holiday_rules import HolidayRules, HolidayRulesError
from sla.hours import WeeklyHours
from sla.timeline import NaiveInstantError

PARIS, TORONTO, SYDNEY = ZoneInfo("Europe/Paris"), ZoneInfo("America/Toronto"), ZoneInfo("Australia/Sydney")


def calendar(
    zone: ZoneInfo, country: str | None = None, subdivision: str | None = None, **hours: list[str]
) -> Calendar:
    """A calendar from hours given as keyword arguments, e.g. mon_fri=["09:00-17:00"]."""
    spec = {key.replace("_", "-"): intervals for key, intervals in hours.items()}
    return Calendar(zone=zone, hours=WeeklyHours.parse(spec), holidays=HolidayRules(country, subdivision))


PARIS_9_TO_5 = calendar(PARIS, "FR", mon_fri=["09:00-17:00"])
PARIS_LUNCH = calendar(PARIS, "FR", mon_fri=["09:00-12:00", "13:00-18:00"])
PARIS_NIGHTS = calendar(PARIS, "FR", mon_fri=["22:00-06:00"])
TORONTO_9_TO_5 = calendar(TORONTO, "CA", "QC", mon_fri=["09:00-17:00"])
SYDNEY_8_TO_8 = calendar(SYDNEY, "AU", "NSW", mon_fri=["08:00-20:00"])


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def add(cal: Calendar, duration: str, start: str) -> str:
    """`cal.add` on text: a duration such as "2h" or "2.5d" and an ISO instant; the ISO answer."""
    return cal.add(parse_working_duration(duration), to=at(start)).isoformat()


def between(cal: Calendar, start: str, end: str) -> timedelta:
    return cal.working_time_between(at(start), at(end))


# --- opening, closing, weekends ---------------------------------------------------------------------------


def test_exactly_at_opening_is_open_and_counts_from_there() -> None:
    assert PARIS_9_TO_5.is_open_at(at("2026-11-23T09:00:00+01:00"))  # Monday
    assert not PARIS_9_TO_5.is_open_at(at("2026-11-23T08:59:59.999999+01:00"))
    assert add(PARIS_9_TO_5, "1h", "2026-11-23T09:00:00+01:00") == "2026-11-23T10:00:00+01:00"
    assert PARIS_9_TO_5.next_opening(at("2026-11-23T09:00:00+01:00")).isoformat() == "2026-11-23T09:00:00+01:00"


def test_exactly_at_closing_a_full_day_ends_at_closing_not_next_morning() -> None:
    # Mon 09:00 + 8h on 09:00-17:00: the 8 hours are all of Monday, so the earliest T is Mon 17:00.
    assert add(PARIS_9_TO_5, "8h", "2026-11-23T09:00:00+01:00") == "2026-11-23T17:00:00+01:00"
    assert not PARIS_9_TO_5.is_open_at(at("2026-11-23T17:00:00+01:00"))
    assert PARIS_9_TO_5.is_open_at(at("2026-11-23T16:59:59.999999+01:00"))
    assert between(PARIS_9_TO_5, "2026-11-23T09:00:00+01:00", "2026-11-23T17:00:00+01:00") == timedelta(hours=8)


def test_at_closing_adding_nothing_stays_and_adding_a_minute_goes_to_next_morning() -> None:
    assert add(PARIS_9_TO_5, "0m", "2026-11-23T17:00:00+01:00") == "2026-11-23T17:00:00+01:00"
    assert add(PARIS_9_TO_5, "1m", "2026-11-23T17:00:00+01:00") == "2026-11-24T09:01:00+01:00"


def test_friday_after_closing_is_due_monday() -> None:
    # Fri 18:30 is closed; the first working hour is Mon 09:00-10:00.
    assert add(PARIS_9_TO_5, "1h", "2026-11-20T18:30:00+01:00") == "2026-11-23T10:00:00+01:00"


def test_friday_half_an_hour_before_closing_is_due_monday_morning() -> None:
    # chatwoot#13392: Fri 16:30 + 1h = Fri 16:30-17:00 (30m) + Mon 09:00-09:30 (30m).
    assert add(PARIS_9_TO_5, "1h", "2026-11-20T16:30:00+01:00") == "2026-11-23T09:30:00+01:00"


def test_saturday_plus_one_hour_is_monday_ten() -> None:
    assert add(PARIS_9_TO_5, "1h", "2026-11-21T11:00:00+01:00") == "2026-11-23T10:00:00+01:00"


def test_opened_on_a_holiday_counts_from_the_next_working_morning() -> None:
    # Tue 14 July 2026 is Bastille Day: Wed 09:00 + 2h.
    assert add(PARIS_9_TO_5, "2h", "2026-07-14T10:00:00+02:00") == "2026-07-15T11:00:00+02:00"
    assert not PARIS_9_TO_5.is_open_at(at("2026-07-14T10:00:00+02:00"))
    assert between(PARIS_9_TO_5, "2026-07-14T00:00:00+02:00", "2026-07-15T00:00:00+02:00") == timedelta(0)


def test_spanning_new_year_skips_the_holiday_and_the_weekend() -> None:
    # Thu 31 Dec 2026 16:00 + 2h: Thu 16:00-17:00 (1h), Fri 1 Jan holiday, weekend, Mon 4 Jan 09:00-10:00 (1h).
    assert add(PARIS_9_TO_5, "2h", "2026-12-31T16:00:00+01:00") == "2027-01-04T10:00:00+01:00"
    assert between(PARIS_9_TO_5, "2026-12-31T00:00:00+01:00", "2027-01-05T00:00:00+01:00") == timedelta(hours=16)


def test_inside_a_lunch_break_counts_from_the_afternoon() -> None:
    # 09:00-12:00, 13:00-18:00: opened 12:30 at lunch, + 1h = 13:00-14:00.
    assert add(PARIS_LUNCH, "1h", "2026-11-23T12:30:00+01:00") == "2026-11-23T14:00:00+01:00"
    assert not PARIS_LUNCH.is_open_at(at("2026-11-23T12:30:00+01:00"))
    assert PARIS_LUNCH.next_opening(at("2026-11-23T12:30:00+01:00")).isoformat() == "2026-11-23T13:00:00+01:00"


def test_work_that_ends_at_lunch_is_due_at_noon_not_after_lunch() -> None:
    assert add(PARIS_LUNCH, "30m", "2026-11-23T11:30:00+01:00") == "2026-11-23T12:00:00+01:00"
    # 11:30-12:00 (30m) + 13:00-13:30 (30m).
    assert add(PARIS_LUNCH, "1h", "2026-11-23T11:30:00+01:00") == "2026-11-23T13:30:00+01:00"
    assert between(PARIS_LUNCH, "2026-11-23T11:00:00+01:00", "2026-11-23T14:00:00+01:00") == timedelta(hours=2)


# --- daylight saving ------------------------------------------------------------------------------------------


def test_toronto_friday_16_est_plus_2h_is_monday_10_edt_the_classic_dst_case() -> None:
    # docs/architecture.md, "Time": Fri 6 Mar 2026 16:00 EST + 2h = Fri 16-17 + Mon 09-10 EDT (clocks sprang
    # forward Sun 8 Mar), i.e. 14:00 UTC; keeping the starting offset would give 15:00 UTC.
    due = TORONTO_9_TO_5.add(timedelta(hours=2), to=at("2026-03-06T16:00:00-05:00"))
    assert due.isoformat() == "2026-03-09T10:00:00-04:00"
    assert due.astimezone(UTC).isoformat() == "2026-03-09T14:00:00+00:00"


def test_toronto_fall_back_weekend_friday_16_edt_plus_2h_is_monday_10_est() -> None:
    # Clocks fell back Sun 1 Nov 2026: Fri 16-17 EDT + Mon 09-10 EST = 15:00 UTC.
    assert add(TORONTO_9_TO_5, "2h", "2026-10-30T16:00:00-04:00") == "2026-11-02T10:00:00-05:00"


def test_paris_spring_forward_weekend_business_hours_keep_local_time() -> None:
    # Sun 29 Mar 2026 02:00 CET -> 03:00 CEST. Fri 16-17 + Mon 09-10 CEST = 08:00 UTC.
    assert add(PARIS_9_TO_5, "2h", "2026-03-27T16:00:00+01:00") == "2026-03-30T10:00:00+02:00"
    assert between(PARIS_9_TO_5, "2026-03-27T09:00:00+01:00", "2026-03-30T17:00:00+02:00") == timedelta(hours=16)


def test_paris_fall_back_weekend_business_hours_keep_local_time() -> None:
    # Sun 25 Oct 2026 03:00 CEST -> 02:00 CET. Fri 16-17 + Mon 09-10 CET = 09:00 UTC.
    assert add(PARIS_9_TO_5, "2h", "2026-10-23T16:00:00+02:00") == "2026-10-26T10:00:00+01:00"


def test_sydney_dst_ends_first_sunday_of_april_across_easter() -> None:
    # Sun 5 Apr 2026 03:00 AEDT -> 02:00 AEST, inside Easter: Good Friday 3, Easter Saturday 4, Sunday 5 and
    # Monday 6 April are NSW holidays. Thu 19:00 + 2h = Thu 19-20 (1h) + Tue 7 Apr 08-09 AEST (1h).
    assert add(SYDNEY_8_TO_8, "2h", "2026-04-02T19:00:00+11:00") == "2026-04-07T09:00:00+10:00"


def test_sydney_dst_starts_first_sunday_of_october_before_labour_day() -> None:
    # Sun 4 Oct 2026 02:00 AEST -> 03:00 AEDT; Mon 5 Oct is Labour Day in NSW.
    # Fri 19:00 + 2h = Fri 19-20 (1h) + Tue 6 Oct 08-09 AEDT (1h).
    assert add(SYDNEY_8_TO_8, "2h", "2026-10-02T19:00:00+10:00") == "2026-10-06T09:00:00+11:00"


@pytest.mark.parametrize(
    ("zone", "night_start", "spring_forward_day", "fall_back_day"),
    [
        (PARIS, "2026-03-29T00:00:00+01:00", "2026-03-29", "2026-10-25"),
        (TORONTO, "2026-03-08T00:00:00-05:00", "2026-03-08", "2026-11-01"),
        (SYDNEY, "2026-10-04T00:00:00+10:00", "2026-10-04", "2027-04-04"),
    ],
)
def test_sunday_night_shift_over_the_changed_hour_holds_real_elapsed_time(
    zone: ZoneInfo, night_start: str, spring_forward_day: str, fall_back_day: str
) -> None:
    # Sun 01:00-04:00 holds the 02:00 change in all three zones: 2h when clocks spring forward (02:00-03:00 never
    # happens), 4h when they fall back (the hour before the change is lived twice).
    shift = calendar(zone, sun=["01:00-04:00"])
    spring, fall = date.fromisoformat(spring_forward_day), date.fromisoformat(fall_back_day)

    def on_day(day: date, hour: int) -> datetime:
        return datetime(day.year, day.month, day.day, hour, tzinfo=zone)

    assert shift.working_time_between(on_day(spring, 0), on_day(spring, 6)) == timedelta(hours=2)
    assert shift.working_time_between(on_day(fall, 0), on_day(fall, 6)) == timedelta(hours=4)
    # 90 minutes after 01:00 on the short night: 01:00-02:00 then 03:00-03:30 on the moved clock.
    assert shift.add(timedelta(minutes=90), to=at(night_start)) == on_day(spring, 3) + timedelta(minutes=30)


def test_paris_fall_back_night_shift_ends_in_the_repeated_hour() -> None:
    # Sun 25 Oct 2026, 01:00-04:00: 01:00-02:00 CEST, 02:00-03:00 CEST, 02:00-03:00 CET again, 03:00-04:00 CET.
    shift = calendar(PARIS, sun=["01:00-04:00"])
    assert add(shift, "2h30m", "2026-10-25T00:00:00+02:00") == "2026-10-25T02:30:00+01:00"
    assert add(shift, "1h30m", "2026-10-25T00:00:00+02:00") == "2026-10-25T02:30:00+02:00"


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        (PARIS, "2026-03-29", 23),
        (PARIS, "2026-10-25", 25),
        (TORONTO, "2026-03-08", 23),
        (TORONTO, "2026-11-01", 25),
        (SYDNEY, "2026-10-04", 23),
        (SYDNEY, "2026-04-05", 25),
    ],
)
def test_always_a_day_of_changed_clocks_holds_23_or_25_hours(zone: ZoneInfo, day: str, hours: int) -> None:
    always = Calendar.always(zone)
    midnight = datetime.fromisoformat(day).replace(tzinfo=zone)
    next_midnight = (midnight + timedelta(days=1)).replace(tzinfo=zone)  # wall-clock arithmetic: next 00:00
    assert always.working_time_between(midnight, next_midnight) == timedelta(hours=hours)
    assert always.add(timedelta(hours=hours), to=midnight).isoformat() == next_midnight.isoformat()


def test_always_adds_real_elapsed_time_across_changes() -> None:
    # 24x7: the answer is start + duration in UTC whatever the clocks do. Sat 28 Mar 2026 12:00 CET + 24h
    # = Sun 29 Mar 11:00 UTC = 13:00 CEST.
    assert add(Calendar.always(PARIS), "24h", "2026-03-28T12:00:00+01:00") == "2026-03-29T13:00:00+02:00"


# --- intervals across midnight, 24:00 ----------------------------------------------------------------------


def test_interval_across_midnight_runs_into_the_next_morning() -> None:
    # mon-fri 22:00-06:00: Mon 22:00 + 8h = Mon 22-24 (2h) + Tue 00-06 (6h).
    assert add(PARIS_NIGHTS, "8h", "2026-11-23T22:00:00+01:00") == "2026-11-24T06:00:00+01:00"
    assert PARIS_NIGHTS.is_open_at(at("2026-11-24T03:00:00+01:00"))
    assert not PARIS_NIGHTS.is_open_at(at("2026-11-24T12:00:00+01:00"))


def test_friday_night_shift_runs_into_saturday_then_waits_for_monday_night() -> None:
    # Fri 23:00 + 8h = Fri 23-24 (1h) + Sat 00-06 (6h) + Mon 22-23 (1h); nothing on Sunday or Monday 00-06.
    assert add(PARIS_NIGHTS, "8h", "2026-11-27T23:00:00+01:00") == "2026-11-30T23:00:00+01:00"
    assert not PARIS_NIGHTS.is_open_at(at("2026-11-30T03:00:00+01:00"))


def test_interval_across_midnight_with_a_holiday_loses_only_the_holiday_date_hours() -> None:
    # Wed 11 Nov 2026 is Armistice Day. Working time belongs to the date it lies on, so Wed 00-06 (from Tuesday's
    # shift) and Wed 22-24 are off, while Tue 22-24 and Thu 00-06 still count.
    # Tue 22:00 + 4h = Tue 22-24 (2h) + Thu 00-02 (2h).
    assert add(PARIS_NIGHTS, "4h", "2026-11-10T22:00:00+01:00") == "2026-11-12T02:00:00+01:00"
    assert between(PARIS_NIGHTS, "2026-11-10T12:00:00+01:00", "2026-11-12T12:00:00+01:00") == timedelta(hours=8)
    assert not PARIS_NIGHTS.is_open_at(at("2026-11-11T03:00:00+01:00"))
    assert not PARIS_NIGHTS.is_open_at(at("2026-11-11T23:00:00+01:00"))


def test_24_00_end_closes_at_midnight() -> None:
    evenings = calendar(PARIS, mon_fri=["18:00-24:00"])
    # Mon 23:00 + 1h ends at Monday's 24:00, which is Tue 00:00; + 2h continues Tue 18:00-19:00.
    assert add(evenings, "1h", "2026-11-23T23:00:00+01:00") == "2026-11-24T00:00:00+01:00"
    assert add(evenings, "2h", "2026-11-23T23:00:00+01:00") == "2026-11-24T19:00:00+01:00"
    assert evenings.is_open_at(at("2026-11-23T23:59:59.999999+01:00"))
    assert not evenings.is_open_at(at("2026-11-24T00:00:00+01:00"))


# --- beyond the years python-holidays was asked for --------------------------------------------------------


def test_10000_hours_on_always_is_exactly_10000_elapsed_hours() -> None:
    # 10,000h = 416 days 16h of real time; Paris changes its clocks ten times in between.
    assert add(Calendar.always(PARIS), "10000h", "2026-11-23T09:00:00+01:00") == "2028-01-14T01:00:00+01:00"


def test_50000_hours_on_always_is_exactly_50000_elapsed_hours() -> None:
    # 50,000h = 2083 days 8h. Mon 23 Nov 2026 09:00 CET = 08:00 UTC; + 1826 days (five years, 2028 leap) = 23 Nov
    # 2031; + 257 days (30+31+31+29+31+30+31+30 = 243 to 23 Jul 2032, + 14) = Fri 6 Aug 2032; 16:00 UTC = 18:00 CEST.
    assert add(Calendar.always(PARIS), "50000h", "2026-11-23T09:00:00+01:00") == "2032-08-06T18:00:00+02:00"


@pytest.mark.parametrize("hours", [10_000, 50_000])
def test_long_additions_far_past_the_first_holiday_years_agree_with_chained_steps(hours: int) -> None:
    # 10,000h of 8-hour days is about five years, 50,000h about 25: far beyond the years the calendar first asked
    # python-holidays about. The answer must equal the same span added in 100h steps, and hold exactly the span.
    start = at("2026-11-23T09:00:00+01:00")
    due = PARIS_9_TO_5.add(timedelta(hours=hours), to=start)
    stepped = start
    for _ in range(hours // 100):
        stepped = PARIS_9_TO_5.add(timedelta(hours=100), to=stepped)
    assert due.isoformat() == stepped.isoformat()
    assert PARIS_9_TO_5.working_time_between(start, due) == timedelta(hours=hours)
    assert PARIS_9_TO_5.is_open_at(due - timedelta(minutes=1))


def test_holidays_still_apply_five_years_out() -> None:
    # Wed 24 Dec 2031 16:00 + 2h: Wed 16-17, Thu 25 Dec (Christmas), Fri 26 Dec 09-10.
    assert add(PARIS_9_TO_5, "2h", "2031-12-24T16:00:00+01:00") == "2031-12-26T10:00:00+01:00"


def test_holidays_apply_in_2100_the_last_year_python_holidays_knows() -> None:
    # Wed 10 Nov 2100 16:00 + 2h: Wed 16-17, Thu 11 Nov (Armistice Day), Fri 12 Nov 09-10.
    assert add(PARIS_9_TO_5, "2h", "2100-11-10T16:00:00+01:00") == "2100-11-12T10:00:00+01:00"
    assert (date(2100, 12, 25), "Christmas Day") in PARIS_9_TO_5.holidays_between(date(2100, 12, 1), date(2100, 12, 31))


KNOWN_YEARS_ONLY = r'"business" answers for the years 1900 to 2100 only \(the years python-holidays knows'


def test_a_query_in_2150_with_french_holidays_is_refused_rather_than_answered_without_them() -> None:
    # python-holidays 0.109 knows France up to 2100 and returns nothing after: Christmas 2150 (a Friday) would
    # silently be a working day. The calendar refuses instead.
    with pytest.raises(CalendarError, match=KNOWN_YEARS_ONLY):
        PARIS_9_TO_5.add(timedelta(hours=2), to=at("2150-12-24T16:00:00+01:00"))
    with pytest.raises(CalendarError, match=KNOWN_YEARS_ONLY):
        PARIS_9_TO_5.is_open_at(at("2150-12-25T10:00:00+01:00"))


def test_an_addition_that_would_run_past_2100_is_refused() -> None:
    with pytest.raises(CalendarError, match=KNOWN_YEARS_ONLY):
        PARIS_9_TO_5.add(timedelta(hours=10_000), to=at("2098-06-01T09:00:00+02:00"))


def test_the_last_day_of_2100_is_answered() -> None:
    assert PARIS_9_TO_5.is_open_at(at("2100-12-31T10:00:00+01:00"))  # a Friday


def test_an_addition_ending_before_2100_ends_is_answered_by_a_fresh_calendar() -> None:
    # Mon 2 Jan 2096 09:00 + 8000h = Mon 21 Dec 2099 17:00 (checked once against the minute-stepping reference).
    used = calendar(PARIS, "FR", mon_fri=["09:00-17:00"])
    used.is_open_at(at("2100-06-01T10:00:00+02:00"))
    assert add(used, "8000h", "2096-01-02T09:00:00+01:00") == "2099-12-21T17:00:00+01:00"
    fresh = calendar(PARIS, "FR", mon_fri=["09:00-17:00"])
    assert add(fresh, "8000h", "2096-01-02T09:00:00+01:00") == "2099-12-21T17:00:00+01:00"


def test_a_query_in_2150_without_holidays_answers_on_the_weekly_hours() -> None:
    weekdays = calendar(PARIS, mon_fri=["09:00-17:00"])
    # Fri 11 Dec 2150 16:30 + 1h = Fri 16:30-17:00 + Mon 14 Dec 09:00-09:30.
    assert add(weekdays, "1h", "2150-12-11T16:30:00+01:00") == "2150-12-14T09:30:00+01:00"
    # No holidays: Christmas, Fri 25 Dec 2150, is a working day here. Thu 16:30 + 1h = Fri 09:30.
    assert add(weekdays, "1h", "2150-12-24T16:30:00+01:00") == "2150-12-25T09:30:00+01:00"
    assert add(Calendar.always(PARIS), "24h", "2150-12-24T16:30:00+01:00") == "2150-12-25T16:30:00+01:00"


def test_a_year_beyond_the_supported_range_is_refused_with_a_clear_error() -> None:
    with pytest.raises(CalendarError, match="answers for the years"):
        Calendar.always(PARIS).add(timedelta(hours=1), to=at("2300-01-01T00:00:00+00:00"))


# --- next opening, is open ---------------------------------------------------------------------------------


def test_next_opening_from_a_closed_weekend_is_monday_morning() -> None:
    assert PARIS_9_TO_5.next_opening(at("2026-11-21T11:00:00+01:00")).isoformat() == "2026-11-23T09:00:00+01:00"


def test_next_opening_from_an_open_instant_is_that_instant_in_the_calendar_zone() -> None:
    assert PARIS_9_TO_5.next_opening(at("2026-11-23T10:15:00+00:00")).isoformat() == "2026-11-23T11:15:00+01:00"


def test_next_opening_skips_holidays_and_the_following_weekend() -> None:
    # Thu 31 Dec 2026 17:00: Fri 1 Jan is a holiday, then the weekend.
    assert PARIS_9_TO_5.next_opening(at("2026-12-31T17:00:00+01:00")).isoformat() == "2027-01-04T09:00:00+01:00"


def test_is_open_at_a_weekend_and_a_holiday_is_false() -> None:
    assert not PARIS_9_TO_5.is_open_at(at("2026-11-21T11:00:00+01:00"))  # Saturday
    assert not PARIS_9_TO_5.is_open_at(at("2026-12-25T11:00:00+01:00"))  # Christmas, a Friday
    assert PARIS_9_TO_5.is_open_at(at("2026-12-24T11:00:00+01:00"))


# --- holidays: python-holidays, extra and removed dates ----------------------------------------------------


def test_an_extra_holiday_closes_a_working_day() -> None:
    closed_monday = Calendar(
        zone=PARIS,
        hours=WeeklyHours.parse({"mon-fri": ["09:00-17:00"]}),
        holidays=HolidayRules("FR", extra=frozenset({date(2026, 11, 23)})),
    )
    # Fri 16:00 + 2h = Fri 16-17 + Tue 09-10 (Monday is the extra holiday).
    assert add(closed_monday, "2h", "2026-11-20T16:00:00+01:00") == "2026-11-24T10:00:00+01:00"
    assert (date(2026, 11, 23), "Extra holiday") in closed_monday.holidays_between(
        date(2026, 11, 1), date(2026, 11, 30)
    )


def test_a_removed_holiday_is_a_working_day() -> None:
    open_armistice = Calendar(
        zone=PARIS,
        hours=WeeklyHours.parse({"mon-fri": ["09:00-17:00"]}),
        holidays=HolidayRules("FR", removed=frozenset({date(2026, 11, 11)})),
    )
    # Tue 10 Nov 16:00 + 2h = Tue 16-17 + Wed 11 Nov 09-10, Armistice Day being worked here.
    assert add(open_armistice, "2h", "2026-11-10T16:00:00+01:00") == "2026-11-11T10:00:00+01:00"
    assert add(PARIS_9_TO_5, "2h", "2026-11-10T16:00:00+01:00") == "2026-11-12T10:00:00+01:00"
    assert date(2026, 11, 11) not in dict(open_armistice.holidays_between(date(2026, 11, 1), date(2026, 11, 30)))


def test_holidays_between_lists_named_dates_in_order() -> None:
    assert PARIS_9_TO_5.holidays_between(date(2026, 11, 1), date(2026, 12, 31)) == [
        (date(2026, 11, 1), "All Saints' Day"),
        (date(2026, 11, 11), "Armistice Day"),
        (date(2026, 12, 25), "Christmas Day"),
    ]


def test_a_holiday_on_a_weekend_changes_nothing() -> None:
    # Sun 1 Nov 2026 is All Saints' Day: Fri 16:00 + 2h is Mon 10:00 as on any weekend.
    assert add(PARIS_9_TO_5, "2h", "2026-10-30T16:00:00+01:00") == "2026-11-02T10:00:00+01:00"


def test_an_unknown_country_is_refused_at_construction() -> None:
    with pytest.raises(HolidayRulesError, match='"XX"'):
        HolidayRules("XX")
    with pytest.raises(HolidayRulesError, match="needs a country"):
        HolidayRules(subdivision="QC")


# --- days and weeks ------------------------------------------------------------------------------------------


def test_day_length_defaults_to_the_longest_working_day() -> None:
    assert PARIS_9_TO_5.length_of_day == timedelta(hours=8)
    assert PARIS_LUNCH.length_of_day == timedelta(hours=8)  # 3h + 5h
    # Tue-Fri nights hold 00-06 and 22-24 of one date: 8h; Monday 2h, Saturday 6h.
    assert PARIS_NIGHTS.length_of_day == timedelta(hours=8)
    assert calendar(PARIS, mon_fri=["00:00-24:00"]).length_of_day == timedelta(hours=24)
    assert Calendar.always(PARIS).length_of_day == timedelta(hours=24)


def test_days_and_weeks_on_a_9_to_5_calendar() -> None:
    # 1d = 8h, 2.5d = 20h, 1w = 5 x 8h = 40h.
    assert PARIS_9_TO_5.length_of(parse_working_duration("2.5d")) == timedelta(hours=20)
    assert PARIS_9_TO_5.length_of(parse_working_duration("1w")) == timedelta(hours=40)
    # Mon 09:00 + 20h = Mon 8h + Tue 8h + Wed 09-13; Mon 09:00 + 40h = Fri 17:00.
    assert add(PARIS_9_TO_5, "2.5d", "2026-11-23T09:00:00+01:00") == "2026-11-25T13:00:00+01:00"
    assert add(PARIS_9_TO_5, "1w", "2026-11-23T09:00:00+01:00") == "2026-11-27T17:00:00+01:00"


def test_days_and_weeks_on_a_weekdays_around_the_clock_calendar() -> None:
    weekdays = calendar(ZoneInfo("Asia/Kolkata"), mon_fri=["00:00-24:00"])
    # 1d = 24h, 2.5d = 60h: Mon 00:00 + 60h = Wed 12:00. 1w = 5 x 24h = 120h: Mon 00:00 + 120h = Fri 24:00.
    assert add(weekdays, "2.5d", "2026-11-23T00:00:00+05:30") == "2026-11-25T12:00:00+05:30"
    assert add(weekdays, "1w", "2026-11-23T00:00:00+05:30") == "2026-11-28T00:00:00+05:30"
    # Fri 12:00 + 1d = Fri 12-24 + Mon 00-12.
    assert add(weekdays, "1d", "2026-11-27T12:00:00+05:30") == "2026-11-30T12:00:00+05:30"


def test_days_and_weeks_on_always() -> None:
    always = Calendar.always(PARIS)
    # 1w = 7 x 24h = 168h; 2.5d = 60h of real time, even across the 25-hour Sunday 25 Oct 2026.
    assert always.length_of(parse_working_duration("1w")) == timedelta(hours=168)
    assert add(always, "2.5d", "2026-10-24T00:00:00+02:00") == "2026-10-26T11:00:00+01:00"


def test_explicit_day_length_rules_days_and_weeks() -> None:
    short_days = Calendar(
        zone=PARIS, hours=WeeklyHours.parse({"mon-fri": ["09:00-17:00"]}), day_length=timedelta(hours=7, minutes=30)
    )
    # 2.5d = 18h45m; 1w = 5 x 7h30m = 37h30m. Mon 09:00 + 18h45m = Mon 8h + Tue 8h + Wed 09:00-11:45.
    assert short_days.length_of(parse_working_duration("2.5d")) == timedelta(hours=18, minutes=45)
    assert short_days.length_of(parse_working_duration("1w")) == timedelta(hours=37, minutes=30)
    assert add(short_days, "2.5d", "2026-11-23T09:00:00+01:00") == "2026-11-25T11:45:00+01:00"


# --- refusals and zones --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        lambda cal, naive: cal.add(timedelta(hours=1), to=naive),
        lambda cal, naive: cal.working_time_between(naive, naive),
        lambda cal, naive: cal.working_time_between(at("2026-11-23T09:00:00+01:00"), naive),
        lambda cal, naive: cal.is_open_at(naive),
        lambda cal, naive: cal.next_opening(naive),
    ],
)
def test_naive_datetimes_are_refused(question) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NaiveInstantError, match=r"2026-11-23T09:00:00 has no UTC offset"):
        question(PARIS_9_TO_5, datetime(2026, 11, 23, 9))


def test_a_negative_duration_is_refused() -> None:
    with pytest.raises(CalendarError, match="negative"):
        PARIS_9_TO_5.add(timedelta(minutes=-1), to=at("2026-11-23T09:00:00+01:00"))


def test_a_calendar_with_no_hours_is_refused() -> None:
    with pytest.raises(CalendarError, match='"closed" has no working hours'):
        Calendar(zone=PARIS, hours=WeeklyHours.parse({}), name="closed")


def test_a_non_positive_day_length_is_refused() -> None:
    with pytest.raises(CalendarError, match="day_length must be positive"):
        Calendar(zone=PARIS, hours=WeeklyHours.parse({"mon": ["09:00-17:00"]}), day_length=timedelta(0))


def test_instants_given_in_another_zone_give_the_same_answer() -> None:
    # Fri 6 Mar 2026 16:00 EST is 21:00 UTC and 22:00 in Paris.
    for start in ("2026-03-06T16:00:00-05:00", "2026-03-06T21:00:00+00:00", "2026-03-06T22:00:00+01:00"):
        assert add(TORONTO_9_TO_5, "2h", start) == "2026-03-09T10:00:00-04:00"
    assert between(TORONTO_9_TO_5, "2026-03-06T21:00:00+00:00", "2026-03-09T14:00:00+00:00") == timedelta(hours=2)


def test_results_carry_the_calendar_zone() -> None:
    due = TORONTO_9_TO_5.add(timedelta(hours=2), to=at("2026-03-06T21:00:00+00:00"))
    assert due.tzinfo is TORONTO
    assert due.utcoffset() == timedelta(hours=-4)
    assert TORONTO_9_TO_5.next_opening(at("2026-03-07T12:00:00+00:00")).tzinfo is TORONTO


def test_between_backwards_is_negative() -> None:
    assert between(PARIS_9_TO_5, "2026-11-23T17:00:00+01:00", "2026-11-23T09:00:00+01:00") == -timedelta(hours=8)


def test_microseconds_are_kept() -> None:
    assert add(PARIS_9_TO_5, "1m", "2026-11-23T16:59:30.000001+01:00") == "2026-11-24T09:00:30.000001+01:00"
