"""Bearer tokens at the door: missing, wrong, malformed and revoked tokens are 401 with `WWW-Authenticate: Bearer`
and nothing else said; each refusal of a presented token is audited with its reason, never the token; a token's
use is recorded once a minute; the OpenAPI document needs no token."""

import logging
from datetime import timedelta

from sqlmodel import col, select

from bot.api.door import AUDITS_PER_MINUTE
from bot.api.tokens import new_token, token_hash
from bot.monitoring.instruments import INSTRUMENTS
from storage import api_tokens
from storage.audit import REFUSED
from storage.tables import AuditEvent
from tests.bot.api.contract import Contract
from tests.bot.desk.conftest import complete_request

LIST, ONE = "/api/v1/requests", "/api/v1/requests/SR-000001"


def refusals(api):
    with api.conversation.database.read() as session:
        statement = select(AuditEvent).where(col(AuditEvent.action) == REFUSED).order_by(col(AuditEvent.id))
        return list(session.exec(statement))


def test_without_a_token_the_answer_is_401_and_says_nothing_of_the_requests(api):
    complete_request(api.conversation)
    contract = Contract(api.get("/api/v1/openapi.json").json)
    for path in (LIST, ONE, f"{LIST}?status=nonsense", "/api/v1/requests/not-a-number"):
        reply = api.get(path)
        assert reply.status == 401, path
        assert reply.headers["www-authenticate"] == 'Bearer realm="frontdesk"'
        assert reply.json["error"] == "missing_token"
        assert contract.problems("/api/v1/requests", "GET", 401, reply.headers, reply.json) == []
        assert b"SR-000001" not in reply.body
    assert refusals(api) == []  # nobody claimed anything: logged once, not audited


def test_a_wrong_malformed_or_revoked_token_is_401_invalid_token_and_audited_without_it(api, caplog):
    complete_request(api.conversation)
    good = api.token("dashboard")
    revoked = api.token("old-dashboard")
    with api.conversation.database.write() as session:
        api_tokens.revoke_token(session, "old-dashboard", actor="cli", now=api.conversation.now)
    wrong = new_token()
    presented = {
        "unknown token": f"Bearer {wrong}",
        "revoked token": f"Bearer {revoked}",
        "no token's shape": f"Basic {good}",
    }
    caplog.set_level(logging.INFO)
    for authorization in [*presented.values(), f"Bearer {good}x", f"Bearer {good[:-1]}", "Bearer", f"{good}"]:
        reply = api.get(ONE, headers={"Authorization": authorization})
        assert (reply.status, reply.json["error"]) == (401, "invalid_token"), authorization
        assert reply.headers["www-authenticate"] == 'Bearer realm="frontdesk", error="invalid_token"'
    before = INSTRUMENTS.get_sample_value("frontdesk_api_requests_total", {"answer": "unauthorized"})
    assert api.get(ONE, good).status == 200
    assert api.get(ONE, wrong).status == 401
    assert INSTRUMENTS.get_sample_value("frontdesk_api_requests_total", {"answer": "unauthorized"}) == before + 1

    rows = refusals(api)
    assert [row.after["reason"] for row in rows[:3]] == list(presented)
    assert rows[1].subject == "api_token:old-dashboard"
    assert {row.after["path"] for row in rows} == {ONE}
    assert rows[0].actor == "api:127.0.0.1"
    everything = repr([(r.actor, r.subject, r.after) for r in rows]) + caplog.text
    for secret in (good, revoked, wrong, token_hash(good), token_hash(revoked), token_hash(wrong)):
        assert secret not in everything
    assert [r.getMessage() for r in caplog.records if r.name == "bot.api.door"] == [
        "refused a read API request (401): unknown token; this kind is not logged again",
        "refused a read API request (401): revoked token; this kind is not logged again",
        "refused a read API request (401): no token's shape; this kind is not logged again",
    ]


def test_a_flood_of_guesses_audits_at_most_the_budget_a_minute_and_counts_the_rest(api):
    for _ in range(AUDITS_PER_MINUTE + 5):
        assert api.get(LIST, new_token()).status == 401
    assert len(refusals(api)) == AUDITS_PER_MINUTE
    api.conversation.now += timedelta(minutes=1)
    assert api.get(LIST, new_token()).status == 401
    rows = refusals(api)
    assert (len(rows), rows[-1].after["unaudited"]) == (AUDITS_PER_MINUTE + 1, 5)


def test_a_tokens_last_use_is_recorded_to_the_minute(api):
    token = api.token()
    start = api.conversation.now

    def last_used():
        with api.conversation.database.read() as session:
            (record,) = api_tokens.tokens(session)
        return record.last_used_at

    assert last_used() is None
    assert api.get(LIST, token).status == 200
    assert last_used() == start
    api.conversation.now = start + timedelta(seconds=59)
    assert api.get(LIST, token).status == 200
    assert last_used() == start
    api.conversation.now = start + timedelta(seconds=61)
    assert api.get(LIST, token).status == 200
    assert last_used() == start + timedelta(seconds=61)


def test_revoking_takes_effect_on_the_next_request(api):
    token = api.token()
    assert api.get(LIST, token).status == 200
    with api.conversation.database.write() as session:
        api_tokens.revoke_token(session, "dashboard", actor="cli", now=api.conversation.now)
    assert api.get(LIST, token).status == 401


def test_the_document_needs_no_token_and_is_never_cached(api):
    reply = api.get("/api/v1/openapi.json")
    assert reply.status == 200
    assert reply.headers["cache-control"] == "no-store"
    assert reply.json["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": reply.json["components"]["securitySchemes"]["bearer"]
        ["description"],
    }  # fmt: skip
