"""Reading calls as Slack reads them: arguments from query, form, JSON or multipart bodies, and the token."""

import json
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slack_emulator import SlackEmulator
from slack_emulator.errors import ApiError
from slack_emulator.request import parse_request

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json; charset=utf-8"}
TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60)
NAMES = st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=20).filter(
    lambda name: name != "token"
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=10,
)


@given(st.dictionaries(NAMES, TEXT, max_size=8))
def test_any_form_body_round_trips(params: dict[str, str]) -> None:
    assert parse_request("m", "", FORM, urlencode(params).encode()).params == params


@given(st.dictionaries(NAMES, TEXT, max_size=8))
def test_any_query_string_round_trips(params: dict[str, str]) -> None:
    assert parse_request("m", urlencode(params), {}, b"").params == params


@given(st.dictionaries(NAMES, JSON_VALUES, max_size=8))
def test_any_json_body_round_trips_with_its_types(params: dict[str, object]) -> None:
    assert parse_request("m", "", JSON, json.dumps(params).encode()).params == params


def test_a_form_or_json_body_round_trips_through_the_server(emulator: SlackEmulator) -> None:
    client = emulator.client()

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.dictionaries(NAMES, TEXT, max_size=5), st.booleans())
    def check(params: dict[str, str], as_json: bool) -> None:
        if as_json:
            client.api_call("auth.test", json=params)
        else:
            client.api_call("auth.test", params=params)
        assert emulator.calls()[-1].params == params

    check()


def test_the_body_wins_over_the_query_string() -> None:
    request = parse_request("m", "channel=C1&limit=5", FORM, b"channel=C2")
    assert request.params == {"channel": "C2", "limit": "5"}


def test_the_bearer_header_wins_and_a_json_token_does_not_count() -> None:
    headers = {**FORM, "Authorization": "Bearer xoxb-header"}
    assert parse_request("m", "", headers, b"token=xoxb-form").token == "xoxb-header"
    assert parse_request("m", "", FORM, b"token=xoxb-form").token == "xoxb-form"
    assert parse_request("m", "token=xoxb-query", {}, b"").token == "xoxb-query"
    assert parse_request("m", "", JSON, b'{"token": "xoxb-json"}').token is None


def test_a_multipart_form_is_read_too() -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="channel"\r\n\r\nC1\r\n'
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nbytes\r\n--b--\r\n'
    )
    request = parse_request("m", "", {"Content-Type": "multipart/form-data; boundary=b"}, body)
    assert request.params == {"channel": "C1", "file": b"bytes"}


@pytest.mark.parametrize(
    ("headers", "body", "error"),
    [
        ({}, b"channel=C1", "missing_post_type"),
        ({"Content-Type": "text/xml"}, b"<x/>", "invalid_post_type"),
        ({"Content-Type": "application/json; charset=utf-16"}, b"{}", "invalid_charset"),
        (JSON, b"{not json", "invalid_json"),
        (JSON, b"[1, 2]", "invalid_json"),
        (FORM, b"text=%FF", "invalid_form_data"),
    ],
)
def test_unreadable_bodies_get_slacks_error(headers: dict[str, str], body: bytes, error: str) -> None:
    with pytest.raises(ApiError) as raised:
        parse_request("m", "", headers, body)
    assert raised.value.error == error


def test_list_and_flag_arguments_read_both_encodings() -> None:
    form = parse_request("m", "", FORM, b"users=U1,U2&return_im=true")
    as_json = parse_request("m", "", JSON, b'{"users": ["U1", "U2"], "return_im": true}')
    for request in (form, as_json):
        assert request.names("users") == ["U1", "U2"]
        assert request.flag("return_im") is True
