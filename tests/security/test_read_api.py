"""Attacks on the read API (docs/security.md, "The read API"), from outside over loopback against the app's own
server: a token anywhere but the Authorization header, two tokens at once, a guessed token's near misses, hostile
query strings; each is refused with the documented answer and reads nothing."""

import http.client
from collections.abc import Iterator
from pathlib import Path

import pytest

from slack_emulator import Workspace
from storage.engine import Database
from tests.bot.api.conftest import Served, serving
from tests.bot.conversation import conversation_on, desk_config
from tests.bot.desk.conftest import complete_request

LIST = "/api/v1/requests"


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def api(db: Database, tmp_path: Path) -> Iterator[Served]:
    workspace = Workspace.example()
    for conversation in conversation_on(db, workspace, desk_config(workspace, tmp_path)):
        with serving(conversation) as served:
            yield served


def _raw(api: Served, path: str, headers: list[tuple[str, str]]) -> tuple[int, bytes]:
    """A GET with `headers` sent as given, repeated names included."""
    connection = http.client.HTTPConnection("127.0.0.1", api.server.port, timeout=10)
    try:
        connection.putrequest("GET", path)
        for name, value in headers:
            connection.putheader(name, value)
        connection.endheaders()
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def test_a_token_anywhere_but_the_authorization_header_reads_nothing(api):
    complete_request(api.conversation)
    token = api.token()
    for path, headers in [
        (f"{LIST}?access_token={token}", {}),
        (LIST, {"Cookie": f"token={token}"}),
        (LIST, {"X-Api-Key": token}),
        (LIST, {"Proxy-Authorization": f"Bearer {token}"}),
    ]:
        reply = api.get(path, headers=headers)
        assert (reply.status, reply.json["error"]) == (401, "missing_token"), path
        assert b"SR-000001" not in reply.body
    assert api.get(LIST, headers={"Authorization": f"bearer  {token}"}).status == 200  # the scheme is any case


def test_two_tokens_at_once_are_refused_even_when_one_is_good(api):
    token = api.token()
    status, body = _raw(api, LIST, [("Authorization", f"Bearer {token}"), ("Authorization", "Bearer fd_x")])
    assert status == 401
    assert b"invalid_token" in body


def test_near_misses_of_a_good_token_are_refused(api):
    token = api.token()
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    for guess in (flipped, token.upper(), token[3:], "fd_" + "A" * 43, token + " " + token, f"{token}\x00"):
        reply = api.get(LIST, headers={"Authorization": f"Bearer {guess}".replace("\x00", "%00")})
        assert reply.status == 401, guess
    assert api.get(LIST, token).status == 200


def test_hostile_query_strings_are_400_and_read_nothing(api):
    complete_request(api.conversation)
    token = api.token()
    for query, code in [
        ("status=open'%20OR%201=1--", "bad_status"),
        ("priority=P1%00", "bad_priority"),
        ("since=2026-01-01T00:00:00%2B00:00;DROP%20TABLE%20ticket", "bad_since"),
        ("since=" + "9" * 5000, "bad_since"),
        ("limit=99999999999999999999", "bad_limit"),
        ("limit=-1", "bad_limit"),
        ("limit=%EF%BC%91", "bad_limit"),  # a fullwidth digit one
        ("cursor=" + "A" * 5000, "bad_cursor"),
        ("status=%ff", "bad_query"),
        ("&".join(f"x{index}=1" for index in range(21)), "bad_query"),
        ("__proto__=1", "unknown_parameter"),
    ]:
        reply = api.get(f"{LIST}?{query}", token)
        assert (reply.status, reply.json["error"]) == (400, code), query
        assert b"SR-000001" not in reply.body
    assert api.get(f"{LIST}?status=open", token).json["requests"][0]["sr"] == "SR-000001"  # the table is there
