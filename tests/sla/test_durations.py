"""Durations as policies write them: parsing, printing, and errors that quote the text."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla.durations import (
    DurationError,
    NextRelease,
    NoDeadline,
    WorkingDuration,
    parse_duration,
    parse_working_duration,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", WorkingDuration(minutes=Fraction(30))),
        ("4h", WorkingDuration(minutes=Fraction(240))),
        ("1h30m", WorkingDuration(minutes=Fraction(90))),
        ("1h 30m", WorkingDuration(minutes=Fraction(90))),
        ("2.5d", WorkingDuration(days=Fraction(5, 2))),
        ("1w", WorkingDuration(weeks=Fraction(1))),
        ("1d4h", WorkingDuration(days=Fraction(1), minutes=Fraction(240))),
        ("1w2d3h4m", WorkingDuration(Fraction(1), Fraction(2), Fraction(184))),
        ("0.25h", WorkingDuration(minutes=Fraction(15))),
        ("0m", WorkingDuration()),
        (" 4H ", WorkingDuration(minutes=Fraction(240))),
    ],
)
def test_working_durations_parse(text: str, expected: WorkingDuration) -> None:
    assert parse_duration(text) == expected
    assert parse_working_duration(text) == expected


def test_none_and_next_release_are_targets_without_a_working_duration() -> None:
    assert parse_duration("none") == NoDeadline()
    assert parse_duration(" Next_Release ") == NextRelease()
    assert (str(NoDeadline()), str(NextRelease())) == ("none", "next_release")
    for text in ("none", "next_release"):
        with pytest.raises(DurationError, match=f'"{text}"'):
            parse_working_duration(text)


@pytest.mark.parametrize("text", ["", " ", "4", "h", "4 hours", "4x", "-1h", "1m2h", ".5h", "1,5h", "4h4h", "1e3h"])
def test_anything_else_raises_an_error_quoting_the_text(text: str) -> None:
    with pytest.raises(DurationError) as error:
        parse_duration(text)
    assert f'invalid duration "{text}"' in str(error.value)
    assert error.value.text == text


@pytest.mark.parametrize(
    ("text", "printed"),
    [("90m", "1h30m"), ("1h90m", "2h30m"), ("2.5d", "2.5d"), ("1w", "1w"), ("0m", "0m"), ("0.5m", "0.5m")],
)
def test_durations_print_in_normal_form(text: str, printed: str) -> None:
    assert str(parse_working_duration(text)) == printed


def test_times_scales_every_part() -> None:
    assert parse_working_duration("1w2d30m").times(Fraction(1, 2)) == parse_working_duration("0.5w1d15m")


DECIMALS = st.decimals(min_value=0, max_value=10_000, places=3, allow_nan=False, allow_infinity=False)
PART = st.one_of(st.just(""), DECIMALS.map(str))


@settings(max_examples=300, deadline=None)
@given(PART, PART, PART, PART)
def test_a_printed_duration_parses_back_to_an_equal_value(weeks: str, days: str, hours: str, minutes: str) -> None:
    text = "".join(
        f"{number}{unit}" for number, unit in zip((weeks, days, hours, minutes), "wdhm", strict=True) if number
    )
    duration = parse_working_duration(text or "0m")
    assert parse_working_duration(str(duration)) == duration


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        # Found by the property above: {:g} kept six significant digits, printing 1000.001d as 1000d.
        ("1000.001d", "1000.001d"),
        ("1.0000001w", "1.0000001w"),
        ("1.2345678h", "1h14.074068m"),  # 0.2345678h = 14.074068m
        ("0.0000000000000000000000000000001m", "0.0000000000000000000000000000001m"),
    ],
)
def test_a_duration_with_many_decimals_prints_every_digit(text: str, printed: str) -> None:
    duration = parse_working_duration(text)
    assert str(duration) == printed
    assert parse_working_duration(printed) == duration


def test_a_scaled_duration_that_is_no_finite_decimal_prints_rounded() -> None:
    assert str(parse_working_duration("1h").times(Fraction(1, 3))) == "20m"
    assert str(parse_working_duration("1m").times(Fraction(1, 3))) == "0.333333m"


SCRAPS = st.sampled_from(["1", "2.5", "0", ".", "w", "d", "h", "m", " ", "none", "next_release", "-", "١"])


@settings(max_examples=500, deadline=None)
@given(st.text() | st.lists(SCRAPS, max_size=8).map("".join))
def test_any_garbage_parses_or_raises_duration_error(text: str) -> None:
    try:
        parse_duration(text)
    except DurationError as error:
        refused = error
    else:
        return
    assert refused.text == text


def test_a_number_too_long_for_python_raises_duration_error() -> None:
    # Fraction() of more than 4300 digits raised a plain ValueError (Python's int digit limit).
    for text in ("1" * 5000 + "h", "1." + "1" * 5000 + "h"):
        with pytest.raises(DurationError):
            parse_duration(text)
