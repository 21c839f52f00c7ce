"""On-call paging end to end on loopback (docs/integrations.md, "Paging"): the reminder sweep at an injected instant,
the outgoing HTTP channel, and PagerDuty and Opsgenie stand-ins that check every request against the vendors'
descriptions. A critical livepro request at 3 a.m. pages at once; a page on a business-hours target waits for the
opening; an agent's public reply acknowledges, the resolution resolves; a lost answer or a 429 is retried into the
same incident; requests that never paged send nothing."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.desk.reminders import sweep_milestones
from bot.integrations.calls import HttpSender
from bot.integrations.paging.callers import paging_callers
from bot.say import Say
from sla import presets
from slack_emulator import Workspace
from storage import audit, outbox
from storage.kinds import OutboxState
from tests.bot.conversation import Conversation, conversation_on, desk_config
from tests.bot.desk.conftest import card_of, complete_request, frontdesk, ticket_of
from tests.standins.opsgenie import OpsgenieStandIn
from tests.standins.pagerduty import PagerDutyStandIn
from tests.standins.server import Lost, Status

PD_KEY = "0123456789abcdef0123456789abcdef"
OG_KEY = "og-0123-4567"
ENV = {"PD_KEY": PD_KEY, "OG_KEY": OG_KEY}
SAT_3AM_SYDNEY = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # Saturday 28 Nov 03:00 in Sydney (AEDT, +11)
MON_8AM_SYDNEY = datetime(2026, 11, 29, 21, 0, tzinfo=UTC)  # Monday 30 Nov 08:00 in Sydney: the business opening
LOW_PAGES = """
[[escalations]]
target = "response"
immediately = true
page = true
priorities = ["low"]
"""


@pytest.fixture
def pagerduty() -> Iterator[PagerDutyStandIn]:
    with PagerDutyStandIn(PD_KEY) as stand_in:
        yield stand_in
    assert stand_in.problems == []
    assert stand_in.server.internal_errors == []


@pytest.fixture
def opsgenie() -> Iterator[OpsgenieStandIn]:
    with OpsgenieStandIn(OG_KEY) as stand_in:
        yield stand_in
    assert stand_in.problems == []
    assert stand_in.server.internal_errors == []


def paging_table(pagerduty: PagerDutyStandIn | None = None, opsgenie: OpsgenieStandIn | None = None) -> str:
    text = ""
    if pagerduty is not None:
        text += f'[paging.pagerduty]\nrouting_key_env = "PD_KEY"\nurl = "{pagerduty.url}"\n'
    if opsgenie is not None:
        text += f'[paging.opsgenie]\napi_key_env = "OG_KEY"\nurl = "{opsgenie.url}"\nresponders = ["team:On-call"]\n'
    return text


def livepro_desk(db, tmp_path: Path, extra: str, policy: str = "livepro") -> Iterator[Conversation]:
    workspace = Workspace.example()
    for conversation in conversation_on(db, workspace, desk_config(workspace, tmp_path, policy=policy, extra=extra)):
        conversation.now = SAT_3AM_SYDNEY
        yield conversation


def sweep(conversation: Conversation, at: datetime):
    said = sweep_milestones(conversation.database, conversation.desk, at, lambda s: Say(s, conversation.desk, at))
    conversation.now = at
    conversation.settle()
    return said


def send_all(conversation: Conversation, at: datetime, sender: HttpSender | None = None) -> datetime:
    """Runs the HTTP channel from `at` until nothing is left to send, jumping to each retry; the last instant."""
    sender = sender or HttpSender(conversation.database, paging_callers(conversation.desk.paging, ENV), lambda: at)
    moment = at
    for _ in range(30):
        claimed = sender.send_once(moment)
        if not claimed and sender.next_due is None:
            break
        moment = max(moment + timedelta(seconds=1), sender.next_due or moment)
    return moment


def thread(conversation: Conversation) -> list[str]:
    card = card_of(conversation, 0)
    return [m.text for m in conversation.thread(conversation.desk.agents_channel, card.ts)[1:]]


def http_rows(conversation: Conversation, keys: list[str]) -> list[OutboxState | None]:
    with conversation.database.read() as session:
        return [None if (e := outbox.outbox_entry(session, key)) is None else e.state for key in keys]


def critical_request(conversation: Conversation) -> None:
    complete_request(conversation, "Nobody can log in: every page says server error")
    frontdesk(conversation, "triage 1 critical every user is locked out")


def test_a_critical_livepro_request_at_3am_pages_pagerduty_at_once_then_acknowledges_and_resolves(
    db, tmp_path, pagerduty
):
    for conversation in livepro_desk(db, tmp_path, paging_table(pagerduty)):
        critical_request(conversation)
        said = sweep(conversation, conversation.now)
        assert [(r.what, r.target, r.paged) for r in said if r.page] == [("escalation", "response", ("pagerduty",))]
        assert any(text.startswith(":rotating_light:") and "Paged on-call (PagerDuty)" in text for text in thread(
            conversation))  # fmt: skip
        assert "Paged on-call (PagerDuty) by the policy" in card_of(conversation, 0).text
        send_all(conversation, conversation.now)
        (event,) = pagerduty.events()
        assert event["routing_key"] == PD_KEY
        assert (event["event_action"], event["dedup_key"]) == ("trigger", "SR-000001:response")
        payload = event["payload"]
        assert (payload["severity"], payload["component"], payload["source"]) == ("critical", "response", "Frontdesk")
        assert payload["summary"].startswith("SR-000001 critical: ")
        assert "(acknowledge due Sat 28 Nov 03:" in payload["summary"]
        assert payload["custom_details"]["sr"] == "SR-000001"
        assert event["links"][0]["href"].startswith("https://slack.com/app_redirect?channel=")
        incident = pagerduty.incident("SR-000001:response")
        assert incident is not None
        assert incident.status == "triggered"

        frontdesk(conversation, "reply 1 We are on it: the login service is being restarted.")
        send_all(conversation, conversation.now)
        assert incident.status == "acknowledged"
        frontdesk(conversation, "resolve 1")
        send_all(conversation, conversation.now)
        assert incident.actions == ["trigger", "acknowledge", "resolve"]
        assert [e["event_action"] for e in pagerduty.events()] == ["trigger", "acknowledge", "resolve"]
        assert all("payload" not in e for e in pagerduty.events()[1:])
        with conversation.database.read() as session:
            actions = [event.action for event in audit.trail(session, ticket_of(conversation).id)]
        paged = ["ticket.paged", "ticket.page_acknowledged", "ticket.page_resolved"]
        assert [action for action in actions if "page" in action] == paged
        sweep(conversation, conversation.now + timedelta(minutes=5))  # nothing is paged twice
        frontdesk(conversation, "reply 1 Root cause found.")
        send_all(conversation, conversation.now)
        assert len(pagerduty.events()) == 3


def test_a_page_on_a_business_hours_target_waits_for_the_opening(db, tmp_path, pagerduty):
    policy = tmp_path / "livepro-low-pages.toml"
    policy.write_text(Path(presets.__file__).parent.joinpath("livepro.toml").read_text() + LOW_PAGES)
    for conversation in livepro_desk(db, tmp_path, paging_table(pagerduty), policy=str(policy)):
        complete_request(conversation, "One report shows yesterday's figures")  # low: response on business hours
        assert ticket_of(conversation).priority == "low"
        assert [r for r in sweep(conversation, conversation.now) if r.page] == []
        send_all(conversation, conversation.now)
        assert pagerduty.events() == []
        assert ticket_of(conversation).next_change_at == MON_8AM_SYDNEY
        assert [r for r in sweep(conversation, MON_8AM_SYDNEY - timedelta(minutes=1)) if r.page] == []
        said = sweep(conversation, MON_8AM_SYDNEY)
        assert [(r.target, r.paged) for r in said if r.page] == [("response", ("pagerduty",))]
        send_all(conversation, MON_8AM_SYDNEY)
        (event,) = pagerduty.events()
        assert (event["dedup_key"], event["payload"]["severity"]) == ("SR-000001:response", "warning")


def test_a_lost_answer_is_retried_into_the_same_incident(db, tmp_path, pagerduty):
    for conversation in livepro_desk(db, tmp_path, paging_table(pagerduty)):
        critical_request(conversation)
        sweep(conversation, conversation.now)
        pagerduty.server.fault("POST", "/v2/enqueue", Lost(act=True))  # PagerDuty acts, the answer never arrives
        send_all(conversation, conversation.now)
        events = pagerduty.events()
        assert [(e["event_action"], e["dedup_key"]) for e in events] == [("trigger", "SR-000001:response")] * 2
        (incident,) = pagerduty.incidents
        assert (incident.alerts, incident.status) == (2, "triggered")  # one incident, the retry deduplicated
        assert http_rows(conversation, ["page:pagerduty:SR-000001:response:trigger"]) == [OutboxState.SENT]


def test_a_429_blocks_pagerduty_until_retry_after_and_the_page_goes_through(db, tmp_path, pagerduty):
    for conversation in livepro_desk(db, tmp_path, paging_table(pagerduty)):
        critical_request(conversation)
        sweep(conversation, conversation.now)
        pagerduty.server.fault("POST", "/v2/enqueue", Status(429, {"Retry-After": "20"}))
        start = conversation.now
        callers = paging_callers(conversation.desk.paging, ENV)
        sender = HttpSender(conversation.database, callers, lambda start=start: start)
        assert sender.send_once(start) == 1
        assert len(pagerduty.events()) == 1
        assert sender.send_once(start + timedelta(seconds=10)) == 0  # blocked until Retry-After
        send_all(conversation, start + timedelta(seconds=20), sender)
        assert len(pagerduty.events()) == 2
        (incident,) = pagerduty.incidents
        assert incident.alerts == 1  # the 429 was refused, the retry opened the incident


def test_opsgenie_gets_an_alert_by_alias_acknowledged_and_closed(db, tmp_path, opsgenie):
    for conversation in livepro_desk(db, tmp_path, paging_table(opsgenie=opsgenie)):
        critical_request(conversation)
        sweep(conversation, conversation.now)
        assert any("Paged on-call (Opsgenie)" in text for text in thread(conversation))
        send_all(conversation, conversation.now)
        alert = opsgenie.alert("SR-000001:response")
        assert alert is not None
        assert (alert.body["priority"], alert.body["entity"]) == ("P1", "SR-000001")
        assert alert.body["responders"] == [{"type": "team", "name": "On-call"}]
        assert len(alert.body["message"]) <= 130
        (create,) = opsgenie.server.calls("POST", "/v2/alerts")
        assert create.headers["authorization"] == f"GenieKey {OG_KEY}"
        frontdesk(conversation, "reply 1 Looking into it now.")
        send_all(conversation, conversation.now)
        assert alert.acknowledged
        frontdesk(conversation, "resolve 1")
        send_all(conversation, conversation.now)
        assert (alert.status, alert.actions) == ("closed", ["create", "acknowledge", "close"])
        (close,) = opsgenie.server.calls("POST", "/v2/alerts/{identifier}/close")
        assert (close.params["identifier"], close.arg("identifierType")) == ("SR-000001%3Aresponse", "alias")
        assert opsgenie.refused == []
        assert opsgenie.orphans == []


def test_a_request_that_never_paged_sends_nothing_when_answered_and_resolved(db, tmp_path, pagerduty, opsgenie):
    for conversation in livepro_desk(db, tmp_path, paging_table(pagerduty, opsgenie)):
        complete_request(conversation, "A typo on the help page")  # low: livepro pages critical requests only
        sweep(conversation, conversation.now)
        frontdesk(conversation, "reply 1 Thanks, fixed in the next release.")
        frontdesk(conversation, "resolve 1")
        send_all(conversation, conversation.now)
        assert (pagerduty.events(), opsgenie.server.received) == ([], [])


def test_a_desk_without_paging_says_nothing_of_a_step_that_only_pages(db, tmp_path):
    for conversation in livepro_desk(db, tmp_path, ""):
        critical_request(conversation)
        said = sweep(conversation, conversation.now)
        assert not any("Paged on-call" in text for text in thread(conversation))
        assert all(not r.paged for r in said)
        with conversation.database.read() as session:
            assert outbox.outbox_entry(session, "page:pagerduty:SR-000001:response:trigger") is None


def test_a_routing_key_pagerduty_refuses_is_a_dead_letter_that_never_shows_the_key(db, tmp_path, pagerduty):
    for conversation in livepro_desk(db, tmp_path, paging_table(pagerduty)):
        critical_request(conversation)
        sweep(conversation, conversation.now)
        wrong = {**ENV, "PD_KEY": "f" * 32}
        callers = paging_callers(conversation.desk.paging, wrong)
        sender = HttpSender(conversation.database, callers, lambda: SAT_3AM_SYDNEY)
        send_all(conversation, conversation.now, sender)
        (refused,) = pagerduty.refused
        assert refused.json["routing_key"] == "f" * 32
        with conversation.database.read() as session:
            entry = outbox.outbox_entry(session, "page:pagerduty:SR-000001:response:trigger")
            letters = outbox.dead_letters(session)
        assert entry is not None
        assert entry.state is OutboxState.DEAD
        assert "HTTP 400 from pagerduty POST 127.0.0.1: Event object is invalid" in (entry.last_error or "")
        assert all("f" * 32 not in str(letter) for letter in letters)
        assert pagerduty.incidents == []
