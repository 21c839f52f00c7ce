"""Monthly availability: ((total minutes - downtime minutes) / total minutes) x 100, maintenance excluded from both
(K0nsult's formula; docs/architecture.md, "Glossary"). Months run from local midnight to local midnight in the
policy's zone."""

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from sla.availability import availability, daily, local_day, month_span
from sla.intervals import Span
from tests.sla.policy_helpers import at, preset

PARIS = ZoneInfo("Europe/Paris")
KOLKATA = ZoneInfo("Asia/Kolkata")
SYDNEY = ZoneInfo("Australia/Sydney")
NOVEMBER = month_span(2026, 11, PARIS)  # 30 days, no DST change: 43,200 minutes
MINUTE = timedelta(minutes=1)


def span(start: str, end: str) -> Span[datetime]:
    return Span(at(start), at(end))


def test_thirty_day_month_with_a_43_minute_outage():
    result = availability(NOVEMBER, [span("2026-11-10T10:00+01:00", "2026-11-10T10:43+01:00")], [])
    assert result.total == timedelta(days=30)
    assert result.downtime == 43 * MINUTE
    # (43,200 - 43) / 43,200 x 100 = 99.90046...%: just meets a 99.9% target, 44 minutes would not
    assert result.percent == Fraction(100 * (43_200 - 43), 43_200)
    assert preset("k0nsult").plan("enterprise").availability.credit_for(result.percent) == 0


def test_a_44_minute_outage_misses_99_9_percent_and_earns_the_first_credit():
    result = availability(NOVEMBER, [span("2026-11-10T10:00+01:00", "2026-11-10T10:44+01:00")], [])
    assert result.percent == Fraction(100 * (43_200 - 44), 43_200)  # 99.898...%
    assert preset("k0nsult").plan("enterprise").availability.credit_for(result.percent) == 5


def test_a_month_without_outages_is_fully_available():
    assert availability(NOVEMBER, [], []).percent == 100


def test_overlapping_outages_are_counted_once():
    outages = [
        span("2026-11-10T10:00+01:00", "2026-11-10T10:30+01:00"),
        span("2026-11-10T10:20+01:00", "2026-11-10T11:00+01:00"),  # overlaps the first: 10:00-11:00 in all
        span("2026-11-10T10:40+01:00", "2026-11-10T10:50+01:00"),  # inside the second
        span("2026-11-10T11:00+01:00", "2026-11-10T11:15+01:00"),  # touches the end: 10:00-11:15
        span("2026-11-10T10:00+01:00", "2026-11-10T10:30+01:00"),  # reported twice
    ]
    result = availability(NOVEMBER, outages, [])
    assert result.downtime == 75 * MINUTE
    assert result.percent == Fraction(100 * (43_200 - 75), 43_200)


def test_maintenance_is_excluded_from_the_total_and_from_downtime():
    # a 2-hour window; a 1-hour outage of which the first 30 minutes fall inside the window
    maintenance = [span("2026-11-14T22:00+01:00", "2026-11-15T00:00+01:00")]
    outages = [span("2026-11-14T23:30+01:00", "2026-11-15T00:30+01:00")]
    result = availability(NOVEMBER, outages, maintenance)
    assert result.maintenance == 120 * MINUTE
    assert result.total == (43_200 - 120) * MINUTE
    assert result.downtime == 30 * MINUTE
    assert result.percent == Fraction(100 * (43_080 - 30), 43_080)


def test_an_outage_wholly_inside_maintenance_costs_nothing():
    window = span("2026-11-14T22:00+01:00", "2026-11-15T00:00+01:00")
    result = availability(NOVEMBER, [span("2026-11-14T22:30+01:00", "2026-11-14T23:00+01:00")], [window])
    assert result.downtime == timedelta(0)
    assert result.percent == 100


def test_a_month_that_is_all_maintenance_counts_as_fully_available():
    result = availability(NOVEMBER, [NOVEMBER], [NOVEMBER])
    assert result.total == timedelta(0)
    assert result.percent == 100


def test_outages_outside_the_month_do_not_count():
    result = availability(NOVEMBER, [span("2026-10-31T10:00+01:00", "2026-10-31T12:00+01:00")], [])
    assert result.downtime == timedelta(0)


def test_an_outage_spanning_two_months_is_split_at_local_midnight():
    # 23:00 on 31 October to 01:00 on 1 November, Paris time: one hour in each month
    outage = span("2026-10-31T23:00+01:00", "2026-11-01T01:00+01:00")
    october = availability(month_span(2026, 10, PARIS), [outage], [])
    november = availability(month_span(2026, 11, PARIS), [outage], [])
    assert october.downtime == november.downtime == 60 * MINUTE
    assert october.percent == Fraction(100 * (745 * 60 - 60), 745 * 60)
    assert november.percent == Fraction(100 * (720 * 60 - 60), 720 * 60)


def test_the_split_is_at_the_zones_midnight_not_utcs():
    # 23:00-01:00 India time is 17:30-19:30 UTC, all on 30 November in UTC; in Kolkata it is an hour in each month
    outage = span("2026-11-30T23:00+05:30", "2026-12-01T01:00+05:30")
    assert availability(month_span(2026, 11, KOLKATA), [outage], []).downtime == 60 * MINUTE
    assert availability(month_span(2026, 12, KOLKATA), [outage], []).downtime == 60 * MINUTE


def test_instants_are_compared_whatever_their_offsets():
    # the same 43 minutes written in UTC and in Sydney time
    outage_in_utc = span("2026-11-10T09:00+00:00", "2026-11-10T09:43+00:00")
    outage_in_sydney = span("2026-11-10T20:00+11:00", "2026-11-10T20:43+11:00")
    assert availability(NOVEMBER, [outage_in_utc, outage_in_sydney], []).downtime == 43 * MINUTE


def test_month_span_runs_from_local_midnight_to_local_midnight():
    start, end = month_span(2026, 11, PARIS).bounds()
    assert (start, end) == (at("2026-11-01T00:00+01:00"), at("2026-12-01T00:00+01:00"))
    assert start.tzinfo == UTC


def test_march_in_paris_has_743_hours_and_october_745():
    hours = {month: month_span(2026, month, PARIS) for month in (3, 10)}
    assert {month: (s.end - s.start) / timedelta(hours=1) for month, s in hours.items()} == {3: 743, 10: 745}
    # a 743-hour month with one hour down
    outage = span("2026-03-29T01:30+01:00", "2026-03-29T03:30+02:00")  # across the spring-forward: one real hour
    assert availability(hours[3], [outage], []).percent == Fraction(100 * 742, 743)


def test_southern_hemisphere_months_change_length_in_april_and_october():
    april, october = month_span(2026, 4, SYDNEY), month_span(2026, 10, SYDNEY)
    assert (april.end - april.start) / timedelta(hours=1) == 30 * 24 + 1
    assert (october.end - october.start) / timedelta(hours=1) == 31 * 24 - 1


def test_december_runs_into_the_next_year():
    assert month_span(2026, 12, PARIS) == span("2026-12-01T00:00+01:00", "2027-01-01T00:00+01:00")


def test_owkin_target_is_met_at_exactly_95_percent():
    # "Target Availability: 95% monthly uptime": 36 hours down in a 30-day month is 95.0%
    result = availability(NOVEMBER, [Span(NOVEMBER.start, NOVEMBER.start + timedelta(hours=36))], [])
    assert result.percent == 95
    terms = preset("owkin").plan().availability
    assert terms.is_met_by(result.percent)
    assert not terms.is_met_by(result.percent - Fraction(1, 10**6))


# --- properties --------------------------------------------------------------------------------------------------

# spans in minutes from the start of November, reaching a day either side of the month
spans = st.tuples(st.integers(-1440, 44_640), st.integers(0, 3000)).map(
    lambda pair: Span(NOVEMBER.start + pair[0] * MINUTE, NOVEMBER.start + (pair[0] + pair[1]) * MINUTE)
)


@given(outages=st.lists(spans, max_size=6), maintenance=st.lists(spans, max_size=3))
def test_availability_is_a_percentage(outages, maintenance):
    percent = availability(NOVEMBER, outages, maintenance).percent
    assert 0 <= percent <= 100


@given(outages=st.lists(spans, max_size=6), maintenance=st.lists(spans, max_size=3), extra=spans)
def test_another_outage_never_raises_availability(outages, maintenance, extra):
    before = availability(NOVEMBER, outages, maintenance)
    after = availability(NOVEMBER, [*outages, extra], maintenance)
    assert after.percent <= before.percent
    assert after.total == before.total


SPANS = st.lists(st.tuples(st.integers(0, 745 * 60), st.integers(1, 3000)), max_size=6)


@given(SPANS, SPANS, st.sampled_from(["Europe/Warsaw", "Australia/Sydney", "UTC"]))
def test_the_days_downtime_adds_up_to_the_months(outages, windows, zone_name) -> None:
    zone = ZoneInfo(zone_name)
    start, end = month_span(2026, 10, zone).bounds()

    def spans(pairs):
        return [Span(start + timedelta(minutes=a), start + timedelta(minutes=a + n)) for a, n in pairs]

    down, kept = spans(outages), spans(windows)
    first = start.astimezone(zone).date()
    days = [first + timedelta(days=n) for n in range(31)]
    per_day = daily(days, zone, down, kept)
    month = availability(Span(start, end), down, kept)
    assert [day for day, _ in per_day] == days
    assert all(0 <= percent <= 100 for _, percent in per_day)
    day_downtime = sum((availability(local_day(d, zone), down, kept).downtime for d in days), timedelta(0))
    assert day_downtime == month.downtime
    assert sum((local_day(d, zone).end - local_day(d, zone).start for d in days), timedelta(0)) == end - start
