"""The list's query string (bot/api/query.py), as properties: any text is a query or a 400 naming what is wrong,
never another error; every instant with an offset, every limit and every cursor the API hands out reads back as
itself."""

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from bot.api.answers import ERROR_CODES, MAX_LIMIT, Refused
from bot.api.query import MAX_NUMBER, STATUSES, ListQuery, cursor_after, parse_list_query

PRIORITIES = ["P1", "P2", "P3"]
OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
INSTANTS = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9999, 12, 30), timezones=OFFSETS)


@given(st.text(max_size=200))
def test_any_text_is_a_query_or_a_400_naming_what_is_wrong(text):
    outcome = _read(text)
    if isinstance(outcome, Refused):
        assert (outcome.status, outcome.code in ERROR_CODES) == (400, True)
    else:
        assert 1 <= outcome.limit <= MAX_LIMIT


def _read(text: str) -> ListQuery | Refused:
    try:
        return parse_list_query(text, PRIORITIES)
    except Refused as refused:
        return refused


@given(
    since=INSTANTS,
    status=st.none() | st.sampled_from(STATUSES),
    priority=st.none() | st.sampled_from(PRIORITIES),
    limit=st.integers(1, MAX_LIMIT),
    after=st.integers(0, MAX_NUMBER),
    plus_as_is=st.booleans(),
)
def test_what_a_client_sends_reads_back_as_itself(since, status, priority, limit, after, plus_as_is):
    instant = since.isoformat() if plus_as_is else quote(since.isoformat(), safe="")
    pairs = [f"since={instant}", f"limit={limit}", f"cursor={cursor_after(after)}"]
    pairs += [f"status={status}"] * (status is not None) + [f"priority={priority}"] * (priority is not None)
    query = parse_list_query("&".join(pairs), PRIORITIES)
    assert query == ListQuery(since.astimezone(UTC), status, priority, limit, after)
    assert query.since == since  # the same instant
