"""Outages naming the services they hit: `/frontdesk outage SR on a,b title`, read by the parser, checked
against the desk's `[[services]]` (an unknown one refused, listing the known ones, audited, nothing declared),
through signed HTTP and the emulator."""

from dataclasses import replace
from pathlib import Path

import pytest
from sqlmodel import select

from bot.desk.commands import Command, CommandError, parse_command, render_command_error
from slack_emulator import Workspace
from storage import service_events
from storage.tables import AuditEvent, OutboxItem
from tests.bot.conversation import conversation_on, desk_config
from tests.bot.desk.conftest import complete_request, frontdesk, ticket_of

SERVICES = """
[[services]]
id = "search"
name = "Search"
[[services]]
id = "api"
name = "Public API"
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("outage 5 Login fails", Command("outage", 5, "Login fails")),
        ("outage 5 on search Login fails", Command("outage", 5, "Login fails", services=("search",))),
        ("outage 5 ON search,api Slow", Command("outage", 5, "Slow", services=("search", "api"))),
        ("outage 5 on search, api, Search Slow", Command("outage", 5, "Slow", services=("search", "api", "Search"))),
        ("outage 5 on-call paging is down", Command("outage", 5, "on-call paging is down")),
    ],
)
def test_the_services_follow_on(text, expected):
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"), [("outage 5 on", "services_missing"), ("outage 5 on search", "text_missing")]
)
def test_services_without_a_title_are_a_mistake_worded_with_the_usage(text, reason):
    error = parse_command(text)
    assert isinstance(error, CommandError)
    assert error.reason == reason
    assert "`/frontdesk outage SR [on SERVICE,SERVICE] public title`" in render_command_error(error)


def _desk(db, tmp_path: Path, extra: str):
    workspace = Workspace.example()
    news = workspace.add_channel("status-news", members=[workspace.user("bob")])
    config = replace(desk_config(workspace, tmp_path, extra=extra), announcements_channel=news.id)
    for conversation in conversation_on(db, workspace, config):
        conversation.request = complete_request(conversation, "Search returns nothing\nsince 9:00")
        frontdesk(conversation, "triage 1 P1 nobody can search")
        conversation.news = news.id
        yield conversation


@pytest.fixture
def desk(db, tmp_path: Path):
    yield from _desk(db, tmp_path, SERVICES)


@pytest.fixture
def plain_desk(db, tmp_path: Path):
    yield from _desk(db, tmp_path, "")


def _outage(conversation):
    with conversation.database.read() as session:
        return service_events.outage_of_ticket(session, ticket_of(conversation).id)


def _refusals(conversation):
    with conversation.database.read() as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.action == "outage.refused")).all()
    return [(row.actor, row.ticket_id, row.after) for row in rows]


def _notices(conversation):
    return [m.text for m in conversation.emulator.workspace.messages(conversation.news)]


def test_an_outage_on_two_services_records_them_and_says_which(desk):
    answer = frontdesk(desk, "outage 1 on search, API Search and the API time out")
    assert answer == "SR-000001: outage declared; every customer was told."
    assert _outage(desk).services == ("api", "search")
    (notice,) = _notices(desk)
    assert notice.startswith(
        ":rotating_light: *Service disruption* (SR-000001): Search and the API time out\nAffected: Search, Public API\n"
    )
    frontdesk(desk, "resolve 1")
    frontdesk(desk, "postmortem 1")
    report = desk.thread(desk.desk.agents_channel, desk.request.card.ts)[-1].text
    assert "\n*Services:* api, search\n*Timeline*" in report
    assert _notices(desk)[-1].startswith(
        ":white_check_mark: *Resolved* (SR-000001): Search and the API time out\nAffected: Public API, Search\n"
    )


def test_an_outage_naming_no_service_hits_every_one(desk):
    assert frontdesk(desk, "outage 1 Everything is down") == "SR-000001: outage declared; every customer was told."
    outage = _outage(desk)
    assert outage.services == ()
    assert outage.hits("search")
    assert outage.hits("api")
    assert "Affected" not in _notices(desk)[0]


def test_an_unknown_service_is_refused_listing_the_known_ones_and_nothing_is_declared(desk):
    answer = frontdesk(desk, "outage 1 on search,billing Billing is down")
    assert answer == (
        '"billing" is not a service of this desk; its services are search, api (Public API). Nothing was declared.'
    )
    assert _outage(desk) is None
    assert _notices(desk) == []
    with desk.database.read() as session:
        emails = session.exec(select(OutboxItem).where(OutboxItem.destination_kind == "email")).all()
    assert emails == []
    bob = desk.emulator.workspace.user("bob").id
    assert _refusals(desk) == [
        (bob, ticket_of(desk).id, {"reason": "service_unknown", "services": ["search", "billing"]})
    ]


def test_a_desk_without_services_refuses_on_and_declares_without_it(plain_desk):
    answer = frontdesk(plain_desk, "outage 1 on search Search is down")
    assert answer == (
        '"search" is not a service of this desk; it names none: declare the outage without `on`. Nothing was declared.'
    )
    assert _outage(plain_desk) is None
    assert frontdesk(plain_desk, "outage 1 Search is down") == "SR-000001: outage declared; every customer was told."
    assert _outage(plain_desk).services == ()
