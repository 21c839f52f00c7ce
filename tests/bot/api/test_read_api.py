"""The read API end to end: requests made through Slack (the emulator, the intake), read over HTTP from the app's
own server with a bearer token: fields, exact deadlines, events, filters, pages, and the answers when a parameter,
a number or a method is wrong. Every answer is checked against the OpenAPI document the server itself serves."""

from datetime import timedelta

import pytest

from bot.api.query import cursor_after
from storage import deadlines, tickets
from tests.bot.api.conftest import Reply, Served
from tests.bot.api.contract import Contract
from tests.bot.desk.conftest import complete_request, frontdesk

LIST, DOCUMENT = "/api/v1/requests", "/api/v1/openapi.json"
DETAIL = "/api/v1/requests/{number}"


@pytest.fixture
def contract(api: Served) -> Contract:
    return Contract(api.get(DOCUMENT).json)


def checked(contract: Contract, template: str, reply: Reply) -> Reply:
    assert contract.problems(template, "GET", reply.status, reply.headers, reply.json) == []
    assert reply.headers["cache-control"] == "no-store"
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["x-frame-options"] == "DENY"
    assert reply.headers["content-security-policy"].startswith("default-src 'none'")
    return reply


def test_a_request_made_in_slack_reads_with_its_exact_deadlines_and_events(api, contract):
    conversation = api.conversation
    complete_request(conversation)
    token = api.token()
    with conversation.database.read() as session:
        ticket = tickets.find_ticket(session, sr_number=1)
        assert ticket is not None
        stored = deadlines.deadlines_of(session, ticket.id)
    assert stored, "the intake's completion starts the response and resolution targets"

    one = checked(contract, DETAIL, api.get("/api/v1/requests/SR-000001", token)).json
    assert (one["sr"], one["url"], one["kind"], one["status"]) == ("SR-000001", "/api/v1/requests/SR-000001",
                                                                  "incident", "open")  # fmt: skip
    assert one["description"] == "The export button does nothing"
    assert (one["priority"], one["plan"]) == (ticket.priority, ticket.plan)
    assert one["deadlines"] == [
        {"target": d.target, "started_at": d.started_at.isoformat(), "state": d.state.value,
         "due_at": None if d.due_at is None else d.due_at.isoformat(), "stopped_at": None}
        for d in stored
    ]  # fmt: skip
    assert [event["kind"] for event in one["events"]][:1] == ["complete"]
    assert not {"contact_email", "contact_phone", "requester_id", "assignee_id", "slack_channel"} & set(one)
    assert "alice" not in api.get("/api/v1/requests/SR-000001", token).body.decode()

    page = checked(contract, LIST, api.get(LIST, token)).json
    assert page["next_cursor"] is None
    assert [request["sr"] for request in page["requests"]] == ["SR-000001"]
    assert page["requests"][0] == {name: value for name, value in one.items() if name != "events"}


def test_a_deadline_met_by_an_agents_reply_shows_its_stop_instant(api, contract):
    conversation = api.conversation
    complete_request(conversation)
    replied_at = conversation.now
    frontdesk(conversation, "reply 1 Looking into it now")
    token = api.token()
    one = checked(contract, DETAIL, api.get("/api/v1/requests/SR-000001", token)).json
    response = next(d for d in one["deadlines"] if d["target"] == "response")
    assert (response["state"], response["stopped_at"]) == ("met", replied_at.isoformat())
    assert "public_reply" in [event["kind"] for event in one["events"]]


def test_filters_by_status_priority_and_changes_since(api, contract):
    conversation = api.conversation
    complete_request(conversation, "First")
    complete_request(conversation, "Second")
    assert frontdesk(conversation, "resolve 2").startswith("SR-000002")
    token = api.token()
    priorities = [p.name for p in conversation.desk.policy.priorities]

    def numbers(query: str) -> list[str]:
        reply = checked(contract, LIST, api.get(f"{LIST}?{query}", token))
        assert reply.status == 200, reply.json
        return [request["sr"] for request in reply.json["requests"]]

    assert numbers("status=open") == ["SR-000001"]
    assert numbers("status=resolved") == ["SR-000002"]
    assert numbers("status=closed") == []
    with conversation.database.read() as session:
        first = tickets.find_ticket(session, sr_number=1)
        second = tickets.find_ticket(session, sr_number=2)
    assert first is not None
    assert second is not None
    assert first.priority == second.priority  # the intake's lowest impact and urgency, for both
    assert numbers(f"priority={first.priority}") == ["SR-000001", "SR-000002"]
    other = next(p for p in priorities if p != first.priority)
    assert numbers(f"priority={other}") == []
    later = second.updated_at.isoformat().replace("+00:00", "%2B00:00")
    assert numbers(f"since={later}") == ["SR-000002"]
    in_paris = (first.updated_at + timedelta(microseconds=1)).astimezone().isoformat()
    assert numbers(f"since={in_paris}") == (["SR-000002"] if second.updated_at > first.updated_at else [])
    assert numbers("since=2000-01-01T00:00:00Z&limit=1") == ["SR-000001"]


def test_pages_follow_the_cursor_to_the_end(api, contract):
    conversation = api.conversation
    for text in ("One", "Two", "Three"):
        complete_request(conversation, text)
    token = api.token()
    first = checked(contract, LIST, api.get(f"{LIST}?limit=2", token)).json
    assert [r["sr"] for r in first["requests"]] == ["SR-000001", "SR-000002"]
    assert first["next_cursor"] == cursor_after(2)
    second = checked(contract, LIST, api.get(f"{LIST}?limit=2&cursor={first['next_cursor']}", token)).json
    assert ([r["sr"] for r in second["requests"]], second["next_cursor"]) == (["SR-000003"], None)


@pytest.mark.parametrize(
    ("query", "code", "parameter", "allowed"),
    [
        ("status=pending", "bad_status", "status", ["intake", "open", "waiting", "resolved", "closed", "deferred"]),
        ("priority=urgent", "bad_priority", "priority", None),  # the policy's: checked below
        ("since=yesterday", "bad_since", "since", None),
        ("since=2026-12-01T09:00:00", "bad_since", "since", None),  # no offset: ambiguous
        ("since=0001-01-01T00:00:00%2B01:00", "bad_since", "since", None),  # before year 1 in UTC
        ("limit=0", "bad_limit", "limit", None),
        ("limit=501", "bad_limit", "limit", None),
        ("limit=ten", "bad_limit", "limit", None),
        ("cursor=abc", "bad_cursor", "cursor", None),
        ("cursor=c3I6LTE", "bad_cursor", "cursor", None),  # sr:-1
        ("order=desc", "unknown_parameter", "order", ["since", "status", "priority", "limit", "cursor"]),
        ("status=open&status=closed", "repeated_parameter", "status", None),
    ],
)
def test_a_bad_parameter_is_400_naming_it_and_what_is_allowed(api, contract, query, code, parameter, allowed):
    reply = checked(contract, LIST, api.get(f"{LIST}?{query}", api.token()))
    assert reply.status == 400
    assert (reply.json["error"], reply.json["parameter"]) == (code, parameter)
    assert reply.json["message"]
    if code == "bad_priority":
        allowed = [p.name for p in api.conversation.desk.policy.priorities]
    assert reply.json.get("allowed") == allowed


def test_unknown_and_malformed_numbers_wrong_paths_and_methods(api, contract):
    complete_request(api.conversation)
    token = api.token()
    missing = checked(contract, DETAIL, api.get("/api/v1/requests/SR-000002", token))
    assert (missing.status, missing.json["error"]) == (404, "no_such_request")
    huge = checked(contract, DETAIL, api.get("/api/v1/requests/SR-9999999999", token))
    assert (huge.status, huge.json["error"]) == (404, "no_such_request")
    for number in ("1", "SR-1", "SR-00000x", "SR-000001.json", "%53R-000001x"):
        bad = checked(contract, DETAIL, api.get(f"/api/v1/requests/{number}", token))
        assert (bad.status, bad.json["error"]) == (400, "bad_number"), number
    assert api.get("/api/v1/requests/sr-000001", token).json["sr"] == "SR-000001"
    for path in ("/api/v1/requests/", "/api/v1/requests/SR-000001/events", "/api/v1", "/api/v2/requests",
                 "/api/v1/requests/../openapi.json"):  # fmt: skip
        reply = api.get(path, token)
        assert (reply.status, reply.json["error"]) == (404, "not_found"), path
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        refused = checked(contract, LIST, api.get(LIST, token, method=method))
        assert (refused.status, refused.headers["allow"]) == (405, "GET, HEAD")
    head = api.get("/api/v1/requests/SR-000001", token, method="HEAD")
    assert (head.status, head.body) == (200, b"")
    assert int(head.headers["content-length"]) == len(api.get("/api/v1/requests/SR-000001", token).body)
