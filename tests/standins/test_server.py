"""The loopback server the stand-ins share: routes, checks, scripted faults, waits."""

import http.client
import json

import pytest

from tests.standins.server import Answer, Lost, Received, Slow, StandIn, Status


def created(received: Received) -> Answer:
    return Answer(201, {"number": int(received.params["n"]), "title": received.json["title"]})


def fetch(stand_in: StandIn, method: str, path: str, body: object = None, timeout: float = 5.0):
    connection = http.client.HTTPConnection("127.0.0.1", int(stand_in.url.rsplit(":", 1)[1]), timeout=timeout)
    payload = None if body is None else json.dumps(body)
    try:
        connection.request(method, path, payload, {"Content-Type": "application/json"})
        answer = connection.getresponse()
        data = answer.read()
    finally:
        connection.close()
    return answer.status, dict(answer.getheaders()), json.loads(data) if data else None


def test_routes_params_and_the_record() -> None:
    with StandIn({("POST", "/issues/{n}"): created}) as stand_in:
        assert fetch(stand_in, "POST", "/issues/7?x=1", {"title": "t"})[::2] == (201, {"number": 7, "title": "t"})
        assert fetch(stand_in, "GET", "/nowhere")[0] == 404
        seen = stand_in.calls("POST", "/issues/{n}")
        assert [(r.params, r.arg("x")) for r in seen] == [({"n": "7"}, "1")]
        assert stand_in.problems == []
        assert stand_in.internal_errors == []


def test_a_check_refuses_and_keeps_its_problems() -> None:
    with StandIn({("POST", "/issues/{n}"): created}, check=lambda r: [] if r.json.get("title") else ["no title"]) as s:
        assert fetch(s, "POST", "/issues/1", {"body": "x"})[0] == 400
        assert s.problems == ["POST /issues/1: no title"]


def test_scripted_faults_are_met_in_order() -> None:
    with StandIn({("POST", "/issues/{n}"): created}) as stand_in:
        stand_in.fault("POST", "/issues/{n}", Status(429, {"Retry-After": "7"}), Status(502), Lost(act=False), Lost())
        status, headers, _ = fetch(stand_in, "POST", "/issues/1", {"title": "t"})
        assert (status, headers["Retry-After"]) == (429, "7")
        assert fetch(stand_in, "POST", "/issues/1", {"title": "t"})[0] == 502
        for _ in range(2):
            with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
                fetch(stand_in, "POST", "/issues/1", {"title": "t"})
        assert fetch(stand_in, "POST", "/issues/1", {"title": "t"})[0] == 201
        assert len(stand_in.wait_for(lambda seen: seen if len(seen) == 5 else None)) == 5


def test_a_slow_answer_times_the_client_out_and_stop_ends_it() -> None:
    stand_in = StandIn({("POST", "/issues/{n}"): created}).start()
    stand_in.fault("POST", "/issues/{n}", Slow(30))
    with pytest.raises(TimeoutError):
        fetch(stand_in, "POST", "/issues/1", {"title": "t"}, timeout=0.2)
    stand_in.stop()  # returns at once: the slow answer's wait is ended


def test_a_handler_bug_is_kept() -> None:
    with StandIn({("POST", "/issues/{n}"): lambda r: Answer(200, {"x": 1 // 0})}) as stand_in:
        assert fetch(stand_in, "POST", "/issues/1", {"title": "t"})[0] == 500
        assert isinstance(stand_in.internal_errors[0], ZeroDivisionError)
