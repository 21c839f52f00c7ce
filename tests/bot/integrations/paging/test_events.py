"""What each pager receives (bot.integrations.paging.events) and the keys added at send time
(bot.integrations.paging.callers): whatever a request says, every call conforms to the vendor's description and
limits; the keys are never in a stored call; a key's variable that is not set stops the start, naming it."""

import json
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config.desk import DeskConfigError
from bot.config.paging import OpsgenieSettings, PagerDutySettings, Paging, Responder
from bot.doctor.configuration import read_configuration
from bot.doctor.findings import line
from bot.integrations.calls import HttpCall, body_of
from bot.integrations.paging import events
from bot.integrations.paging.callers import OpsgenieCaller, PagerDutyCaller, paging_callers
from storage.kinds import TicketKind, TicketStatus
from storage.tickets import TicketRecord
from tests.standins.openapi import Description
from tests.standins.opsgenie import LIMITS
from tests.standins.opsgenie import SPEC as OPSGENIE_SPEC
from tests.standins.pagerduty import SPEC as PAGERDUTY_SPEC
from tests.standins.server import Received

NOW = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
SYDNEY = ZoneInfo("Australia/Sydney")
PAGING = Paging(
    PagerDutySettings("PD_KEY", "https://events.pagerduty.com"),
    OpsgenieSettings("OG_KEY", "https://api.eu.opsgenie.com", (Responder("team", "Ops"), Responder("user", "a@b.c"))),
)
PAGERDUTY = Description.load(PAGERDUTY_SPEC, base_path="/v2")
OPSGENIE = Description.load(OPSGENIE_SPEC)


def ticket(title: str | None, description: str | None, priority: str | None, number: int = 123) -> TicketRecord:
    values = {field.name: None for field in fields(TicketRecord)}
    values |= {"id": number, "sr_number": number, "kind": TicketKind.INCIDENT, "status": TicketStatus.OPEN,
               "title": title, "description": description, "priority": priority, "plan": "standard",
               "attachments_none": True, "missing_fields": (), "opened_at": NOW, "updated_at": NOW}  # fmt: skip
    return TicketRecord(**values)


def incident(record: TicketRecord, rank: int = 0, target: str = "response") -> events.Incident:
    due = NOW + timedelta(minutes=15)
    return events.Incident(record, target, "Acknowledge", due, NOW, rank, (("Acknowledge", due),), SYDNEY, "C0AGENTS01")


def received(call: HttpCall) -> Received:
    """The call as a stand-in would receive it (a prepared call: the key added)."""
    parts = call.url.split("://", 1)[1].split("/", 1)[1].partition("?")
    query: dict[str, list[str]] = {}
    for pair in filter(None, parts[2].split("&")):
        name, _, value = pair.partition("=")
        query.setdefault(name, []).append(value)
    headers = {name.lower(): value for name, value in call.headers} | {"content-type": "application/json"}
    return Received(call.method, "/" + parts[0], query, headers, body_of(call) or b"")


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=3000)


@settings(max_examples=60, deadline=None)
@given(title=st.none() | TEXT, description=st.none() | TEXT, priority=st.none() | st.text(max_size=30),
       rank=st.integers(0, 12), target=st.sampled_from(["response", "restore", "resolution"]))  # fmt: skip
def test_any_request_pages_with_calls_that_fit_the_descriptions(title, description, priority, rank, target):
    page = incident(ticket(title, description, priority), rank, target)
    trigger = PagerDutyCaller("R" * 32).prepare(events.trigger("pagerduty", PAGING, page), now=NOW, earlier={})
    assert PAGERDUTY.problems(received(trigger)) == []
    payload = trigger.json["payload"]
    assert len(payload["summary"]) <= 1024
    assert payload["severity"] == events.SEVERITIES[min(rank, 3)]
    assert trigger.json["dedup_key"] == f"SR-000123:{target}"
    alert = OpsgenieCaller("og").prepare(events.trigger("opsgenie", PAGING, page), now=NOW, earlier={})
    assert OPSGENIE.problems(received(alert)) == []
    assert all(len(alert.json[key]) <= most for key, most in LIMITS.items())
    assert all(isinstance(value, str) for value in alert.json["details"].values())
    assert alert.json["priority"] == f"P{min(rank, 4) + 1}"
    for action in ("acknowledge", "resolve"):
        for service, caller in (("pagerduty", PagerDutyCaller("R" * 32)), ("opsgenie", OpsgenieCaller("og"))):
            call = caller.prepare(events.follow(service, PAGING, action, page.dedup_key), now=NOW, earlier={})
            description = PAGERDUTY if service == "pagerduty" else OPSGENIE
            assert description.problems(received(call)) == []


def test_a_stored_call_holds_no_key_and_the_caller_adds_it_when_sending():
    page = incident(ticket("Login fails", "Everyone gets a 500", "critical"))
    for service in PAGING.services:
        stored = events.trigger(service, PAGING, page)
        assert "R" * 32 not in json.dumps(stored.to_json())
        assert "og-secret" not in json.dumps(stored.to_json())
    sent = PagerDutyCaller("R" * 32).prepare(events.trigger("pagerduty", PAGING, page), now=NOW, earlier={})
    assert sent.json["routing_key"] == "R" * 32
    sent = OpsgenieCaller("og-secret").prepare(events.trigger("opsgenie", PAGING, page), now=NOW, earlier={})
    assert ("Authorization", "GenieKey og-secret") in sent.headers
    assert "og-secret" not in repr(OpsgenieCaller("og-secret"))
    assert "R" * 32 not in repr(PagerDutyCaller("R" * 32))


def test_the_opsgenie_follow_ups_name_the_alert_by_its_alias():
    call = events.follow("opsgenie", PAGING, "resolve", "SR-000123:response")
    assert call.url == "https://api.eu.opsgenie.com/v2/alerts/SR-000123%3Aresponse/close?identifierType=alias"
    trigger = events.trigger("opsgenie", PAGING, incident(ticket("t", "d", "critical")))
    assert trigger.json["responders"] == [{"type": "team", "name": "Ops"}, {"type": "user", "username": "a@b.c"}]


def test_a_key_whose_variable_is_not_set_stops_the_start_naming_it():
    with pytest.raises(DeskConfigError) as caught:
        paging_callers(PAGING, {"PD_KEY": "  "})
    assert caught.value.problems == [
        "paging.pagerduty.routing_key_env: the environment variable PD_KEY (the pager's key) is not set",
        "paging.opsgenie.api_key_env: the environment variable OG_KEY (the pager's key) is not set",
    ]
    assert set(paging_callers(PAGING, {"PD_KEY": "k1", "OG_KEY": "k2"})) == {"pagerduty", "opsgenie"}
    assert paging_callers(Paging(), {}) == {}


def test_the_doctor_and_the_start_name_a_pager_key_that_is_not_set(tmp_path):
    desk = tmp_path / "frontdesk.toml"
    desk.write_text(
        'policy = "livepro"\n[slack]\nintake_channel = "C0INTAKE09"\nagents_channel = "C0AGENTS09"\n'
        '[agents]\nusers = ["U0AGENT009"]\n[paging.pagerduty]\nrouting_key_env = "DOCTOR_PD_KEY"\n'
    )
    environ = {"SLACK_BOT_TOKEN": "xoxb-1-2", "SLACK_SIGNING_SECRET": "s" * 32, "FRONTDESK_CONFIG": str(desk)}
    lines = [line(found) for found in read_configuration(environ, http=True).problems]
    assert "paging.pagerduty.routing_key_env: the environment variable DOCTOR_PD_KEY (the pager's key) is not set" in (
        lines
    )
    lines = [line(found) for found in read_configuration({**environ, "DOCTOR_PD_KEY": "k" * 32}, http=True).problems]
    assert not any("paging" in text for text in lines)
