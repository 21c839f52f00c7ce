"""Property tests of the read API over HTTP: any set of requests is listed exactly once across the pages of any
size, in SR order, with the filters applied; and whatever path, method, query and headers arrive under /api/, the
answer is never a 500, always JSON, never cached, with the security headers."""

import json
import string
from datetime import UTC, datetime, timedelta
from itertools import count

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.api.query import STATUSES
from storage.tickets import open_ticket

BASE = datetime(2027, 1, 1, tzinfo=UTC)
_examples = count()
PRIORITIES = ("P1", "P2", "P3", "P4")  # owkin's (tests/bot/conversation.py desk_config)
REQUEST = st.tuples(st.sampled_from(STATUSES), st.sampled_from((*PRIORITIES, None)), st.integers(0, 10_000))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    requests=st.lists(REQUEST, max_size=25),
    limit=st.integers(1, 8),
    status=st.none() | st.sampled_from(STATUSES),
    priority=st.none() | st.sampled_from(PRIORITIES),
    since=st.integers(0, 10_000),
)
def test_every_matching_request_is_listed_once_across_pages(api, requests, limit, status, priority, since):
    example = next(_examples)
    start = BASE + timedelta(days=30 * example)  # later than every earlier example's requests: `since` leaves them out
    expected = []
    with api.conversation.database.write() as session:
        for state, level, offset in requests:
            opened = open_ticket(session, kind="incident", actor="t", now=start + timedelta(seconds=offset),
                                 status=state, priority=level)  # fmt: skip
            if offset >= since and status in (None, state) and priority in (None, level):
                expected.append(opened.sr)
    token = api.token(f"t{example}")
    query = f"limit={limit}&since={(start + timedelta(seconds=since)).isoformat().replace('+', '%2B')}"
    query += f"&status={status}" * (status is not None) + f"&priority={priority}" * (priority is not None)
    listed, cursor, pages = [], None, 0
    while True:
        reply = api.get(f"/api/v1/requests?{query}" + (f"&cursor={cursor}" if cursor else ""), token)
        assert reply.status == 200, reply.json
        page = reply.json
        assert 0 < len(page["requests"]) <= limit or (pages == 0 and not page["requests"])
        listed += [request["sr"] for request in page["requests"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert listed == expected
    assert pages == max(1, -(-len(expected) // limit))  # a full last page says there is no next one


SAFE = string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@%/?"
PATHS = st.one_of(
    st.sampled_from(["/api/v1/requests", "/api/v1/requests/SR-000001", "/api/v1/openapi.json", "/api/"]),
    st.text(SAFE, max_size=60).map(lambda tail: "/api/" + tail),
    st.text(SAFE, max_size=30).map(lambda tail: "/api/v1/requests/" + tail),
    st.text(SAFE, max_size=60).map(lambda query: "/api/v1/requests?" + query),
)
HEADER_VALUE = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=80)
HEADERS = st.dictionaries(
    st.sampled_from(["Authorization", "Accept", "If-None-Match", "X-Forwarded-For", "Content-Type", "Range"]),
    HEADER_VALUE,
    max_size=4,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=PATHS,
    method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW"]),
    headers=HEADERS,
    good_token=st.booleans(),
)
def test_no_path_method_or_header_under_api_is_ever_a_500(api, path, method, headers, good_token):
    if good_token and "Authorization" not in headers:
        headers = {**headers, "Authorization": f"Bearer {api.token(f'p{next(_examples)}')}"}
    reply = api.get(path, method=method, headers={name: value.strip() for name, value in headers.items()})
    assert reply.status in (200, 400, 401, 404, 405), (reply.status, reply.body[:200])
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["content-security-policy"].startswith("default-src 'none'")
    if reply.headers.get("content-type") == "application/json":
        assert reply.headers["cache-control"] == "no-store"
        if method != "HEAD":
            json.loads(reply.body)
    else:  # waitress's own answer to a path it cannot read, or a path outside /api/ after normalisation
        assert reply.status in (400, 404)
