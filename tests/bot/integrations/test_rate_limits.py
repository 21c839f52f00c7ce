"""Reading rate-limit headers (bot.integrations.rate_limits): Retry-After in both forms, GitHub's and Jira's resets,
and what is a block and what is a refusal."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.integrations.rate_limits import blocked_until, is_rate_limited, quota_reset, retry_after

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
DEFAULT = timedelta(seconds=60)
instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


@given(st.integers(min_value=0, max_value=10**7))
def test_retry_after_in_seconds_counts_from_now(seconds: int) -> None:
    assert retry_after({"retry-after": f" {seconds} "}, NOW) == NOW + timedelta(seconds=seconds)


@given(instants.map(lambda instant: instant.replace(microsecond=0)))
def test_retry_after_as_an_http_date_is_that_instant(instant: datetime) -> None:
    assert retry_after({"retry-after": format_datetime(instant, usegmt=True)}, NOW) == instant


@given(st.text(max_size=30))
def test_an_unreadable_header_is_no_block_and_never_an_error(text: str) -> None:
    headers = {"retry-after": text, "x-ratelimit-remaining": "0", "x-ratelimit-reset": text}
    until = blocked_until(200, headers, now=NOW, default=DEFAULT)
    assert until is None or until > NOW


@given(instants.map(lambda instant: instant.replace(microsecond=0)))
def test_an_exhausted_quota_blocks_until_its_reset_in_unix_seconds_or_iso(instant: datetime) -> None:
    for reset in (str(int(instant.timestamp())), instant.isoformat().replace("+00:00", "Z")):
        headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}
        assert quota_reset(headers) == instant
        assert blocked_until(201, headers, now=NOW, default=DEFAULT) == (instant if instant > NOW else None)


def test_a_429_without_headers_blocks_for_the_default_and_a_plain_403_is_a_refusal() -> None:
    assert blocked_until(429, {}, now=NOW, default=DEFAULT) == NOW + DEFAULT
    assert is_rate_limited(429, {}, now=NOW)
    assert not is_rate_limited(403, {"x-ratelimit-remaining": "12"}, now=NOW)
    assert blocked_until(403, {"x-ratelimit-remaining": "12"}, now=NOW, default=DEFAULT) is None
    assert is_rate_limited(403, {"retry-after": "60"}, now=NOW)  # GitHub's secondary rate limit


def test_the_longer_of_two_named_blocks_wins() -> None:
    reset = NOW + timedelta(minutes=5)
    headers = {"retry-after": "10", "x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(reset.timestamp()))}
    assert blocked_until(429, headers, now=NOW, default=DEFAULT) == reset
