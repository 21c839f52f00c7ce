"""Outages end to end: notices to every customer (Slack and email), the outage record, the incident report."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from slack_emulator import Workspace
from storage import service_events
from storage.tables import OutboxItem
from tests.bot.conversation import conversation_on, desk_config
from tests.bot.desk.conftest import card_of, complete_request, frontdesk, ticket_of

DECLARE = "outage 1 Exports are failing for everyone"  # the public title, not the request's text

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def desk(db, tmp_path: Path):
    workspace = Workspace.example()
    news = workspace.add_channel("status-news", members=[workspace.user("bob")])
    acme = workspace.add_channel("acme-shared", members=[workspace.user("alice")])
    extra = (
        f'[[customers]]\nname = "Acme"\nplan = "kpro"\nslack_channels = ["{acme.id}"]\n'
        'email_domains = ["customer.example"]\n'
    )
    config = desk_config(workspace, tmp_path, extra=extra)
    for conversation in conversation_on(db, workspace, replace(config, announcements_channel=news.id)):
        conversation.request = complete_request(conversation, "Nobody can log in\nsince 9:00")
        conversation.channels = (news.id, acme.id)
        yield conversation


def _command(conversation, text, user="bob"):
    return frontdesk(conversation, text, user)


def _emails(conversation):
    with conversation.database.read() as session:
        rows = session.exec(
            select(OutboxItem).where(OutboxItem.destination_kind == "email").order_by(OutboxItem.id)
        ).all()
    return [(row.destination, row.payload["subject"]) for row in rows]


def test_an_outage_tells_every_customer_at_once_and_again_when_resolved(desk):
    assert _command(desk, DECLARE) == "Only an incident at priority P1 can be an outage; triage SR-000001 first."
    _command(desk, "triage 1 P1 everyone is locked out")
    assert _command(desk, DECLARE) == "SR-000001: outage declared; every customer was told."
    assert _command(desk, DECLARE) == "An outage is already going on for SR-000001."
    for channel in desk.channels:
        (notice,) = desk.emulator.workspace.messages(channel)
        assert notice.text.startswith(
            ":rotating_light: *Service disruption* (SR-000001): Exports are failing for everyone\n"
        )
        assert "It started Tue 24 Nov 2026 09:00 (Europe/Paris)." in notice.text
    assert _emails(desk) == [
        ("alice@customer.example", "[SR-000001] Service disruption: Exports are failing for everyone")
    ]
    assert "Outage declared: every customer was told." in card_of(desk).text
    with desk.database.read() as session:
        outage = service_events.outage_of_ticket(session, ticket_of(desk).id)
    assert outage.end is None

    resolved_at = desk.now
    _command(desk, "resolve 1")
    for channel in desk.channels:
        assert desk.emulator.workspace.messages(channel)[-1].text.startswith(
            ":white_check_mark: *Resolved* (SR-000001)"
        )
    assert _emails(desk)[-1] == ("alice@customer.example", "[SR-000001] Resolved: Exports are failing for everyone")
    with desk.database.read() as session:
        assert service_events.outage_of_ticket(session, ticket_of(desk).id).end == resolved_at


def test_the_incident_report_draft_has_the_downtime_and_the_timeline(desk):
    _command(desk, "triage 1 P1 everyone is locked out")
    _command(desk, DECLARE)
    _command(desk, "resolve 1")
    assert _command(desk, "postmortem 1") == "SR-000001: the incident report draft is in the card's thread."
    report = desk.thread(desk.desk.agents_channel, desk.request.card.ts)[-1].text
    assert report.startswith(
        "*Major Incident Report: draft* (SR-000001, incident, priority P1)\n*Title:* Exports are failing for everyone\n"
    )
    assert "*Downtime:* Tue 24 Nov 2026 09:00 to " in report
    assert "priority set (" in report
    assert ": everyone is locked out" in report
    assert "outage declared" in report
    assert "resolved" in report
    assert report.endswith("*Root cause:* _to fill in_\n*Preventive actions:* _to fill in_")
    _command(desk, "postmortem 1")  # nothing changed since: no second draft
    assert desk.thread(desk.desk.agents_channel, desk.request.card.ts)[-1].text == report


def test_a_non_agent_cannot_declare_an_outage(desk):
    assert _command(desk, DECLARE, user="alice") == "Only agents can do that."


def test_an_outage_needs_a_public_title_and_never_shows_the_request_text(desk):
    _command(desk, "triage 1 P1 everyone is locked out")
    assert _command(desk, "outage 1").startswith("Say it in words after the request number.\n")
    assert _command(desk, DECLARE) == "SR-000001: outage declared; every customer was told."
    notices = [text for texts in _notices(desk).values() for text in texts]
    assert notices
    assert not any("Nobody can log in" in text or "since 9:00" in text for text in notices)
    assert "Nobody can log in" not in str(_emails(desk))


def _notices(conversation):
    return {channel: [m.text for m in conversation.emulator.workspace.messages(channel)] for channel in
            conversation.channels}  # fmt: skip


def _outage(conversation):
    with conversation.database.read() as session:
        return service_events.outage_of_ticket(session, ticket_of(conversation).id)


def test_a_p4_question_is_not_an_outage_and_nobody_is_told(desk):
    _command(desk, "kind 1 question")
    _command(desk, "triage 1 P4 a question")
    assert _command(desk, DECLARE) == "Only an incident at priority P1 can be an outage; triage SR-000001 first."
    _command(desk, "triage 1 P1 urgent question")
    assert _command(desk, DECLARE) == "Only an incident at priority P1 can be an outage; triage SR-000001 first."
    assert _notices(desk) == {channel: [] for channel in desk.channels}
    assert _emails(desk) == []
    assert _outage(desk) is None


def test_a_confirmed_defect_at_p1_can_be_an_outage(desk):
    _command(desk, "defect 1 P1")
    assert _command(desk, DECLARE) == "SR-000001: outage declared; every customer was told."
    assert _outage(desk).start == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # "today 9:00" in Paris


def test_a_resolved_request_is_no_new_outage_but_a_reopened_one_may_be(desk):
    _command(desk, "triage 1 P1 everyone is locked out")
    _command(desk, "resolve 1")
    assert _command(desk, DECLARE) == "SR-000001 is already resolved."
    assert _notices(desk) == {channel: [] for channel in desk.channels}
    _command(desk, "reopen 1 it is down again")
    assert _command(desk, DECLARE) == "SR-000001: outage declared; every customer was told."


def test_resolving_a_request_without_an_outage_tells_no_customer(desk):
    _command(desk, "triage 1 P1 everyone is locked out")
    _command(desk, "resolve 1")
    assert _notices(desk) == {channel: [] for channel in desk.channels}
    assert _emails(desk) == []


def test_a_non_agent_cannot_draft_the_incident_report(desk):
    assert _command(desk, "postmortem 1", user="alice") == "Only agents can do that."
    assert [m.ts for m in desk.thread(desk.desk.agents_channel, desk.request.card.ts)] == [desk.request.card.ts]


def test_a_new_draft_only_when_the_audit_trail_changed(desk):
    _command(desk, "triage 1 P1 everyone is locked out")
    _command(desk, "postmortem 1")
    drafts = [text for text in desk.bot_says(desk.desk.agents_channel, desk.request.card.ts) if "Report" in text]
    assert len(drafts) == 1
    assert "*Downtime:* no outage was declared for this request." in drafts[0]
    declared_at = desk.now
    _command(desk, DECLARE)
    desk.now += timedelta(minutes=90)
    _command(desk, "resolve 1")
    _command(desk, "postmortem 1")
    _command(desk, "postmortem 1")
    drafts = [text for text in desk.bot_says(desk.desk.agents_channel, desk.request.card.ts) if "Report" in text]
    assert len(drafts) == 2
    ended = _outage(desk).end
    assert ended - declared_at == timedelta(minutes=91)
    minutes = int((ended - datetime(2026, 11, 24, 8, 0, tzinfo=UTC)).total_seconds() // 60)
    until = f"{ended.astimezone(PARIS):%a %d %b %Y %H:%M}"
    assert f"*Downtime:* Tue 24 Nov 2026 09:00 to {until} (Europe/Paris), {minutes} minutes\n" in drafts[1]
    assert f"• Tue 24 Nov {declared_at.astimezone(PARIS):%H:%M} outage declared (" in drafts[1]


def test_every_customer_channel_is_told_once_and_user_text_pings_nobody(db, tmp_path: Path):
    workspace = Workspace.example()
    shared, acme, globex = (workspace.add_channel(name) for name in ("shared", "acme-only", "globex-only"))
    extra = (
        f'[[customers]]\nname = "Acme"\nplan = "kpro"\nslack_channels = ["{acme.id}", "{shared.id}"]\n'
        'email_domains = ["other.example"]\n'
        f'[[customers]]\nname = "Globex"\nplan = "kpro"\nslack_channels = ["{globex.id}"]\n'
        'email_domains = ["globex.example"]\n'
    )
    config = replace(desk_config(workspace, tmp_path, extra=extra), announcements_channel=shared.id)
    for conversation in conversation_on(db, workspace, config):
        complete_request(conversation, "Nobody can log in")
        _command(conversation, "triage 1 P1 everyone is locked out")
        declared = _command(conversation, "outage 1 <!channel> & <@U0BOB> cannot log in")
        assert declared == "SR-000001: outage declared; every customer was told."
        for channel in (shared, acme, globex):
            (notice,) = [m.text for m in workspace.messages(channel.id)]
            assert "&amp;" in notice.split("\n")[0]
            assert "cannot log in\n" in notice
            assert "<" not in notice  # no mention, no link: nobody is pinged
        assert _emails(conversation) == []  # alice is at customer.example, no customer's domain
