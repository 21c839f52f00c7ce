"""Outages and maintenance windows, found by the interval they overlap."""

from datetime import timedelta

import pytest
from sqlmodel import select

from storage.engine import Database
from storage.errors import InvalidValueError
from storage.people import save_customer
from storage.service_events import (
    add_maintenance,
    end_outage,
    maintenance_between,
    outage_of_ticket,
    outages_between,
    start_outage,
)
from storage.tables import AuditEvent
from storage.tickets import open_ticket
from tests.storage.helpers import NOW

HOUR = timedelta(hours=1)


def test_outages_overlapping_an_interval_include_the_global_ones(db: Database) -> None:
    with db.write() as session:
        acme = save_customer(session, name="Acme", plan="basic", actor="config", now=NOW).id
        other = save_customer(session, name="Other", plan="basic", actor="config", now=NOW).id
        everyone = start_outage(session, title="all down", started_at=NOW, actor="U9", now=NOW)
        end_outage(session, everyone, ended_at=NOW + HOUR, actor="U9", now=NOW + HOUR)
        start_outage(session, title="acme db", started_at=NOW + 2 * HOUR, customer_id=acme, actor="U9", now=NOW)
        start_outage(session, title="other", started_at=NOW, customer_id=other, actor="U9", now=NOW)
    with db.read() as session:
        found = outages_between(session, NOW + HOUR / 2, NOW + 3 * HOUR, customer_id=acme)
        after_the_first = outages_between(session, NOW + HOUR, NOW + 2 * HOUR, customer_id=acme)
    assert [(o.title, o.start, o.end) for o in found] == [
        ("all down", NOW, NOW + HOUR),
        ("acme db", NOW + 2 * HOUR, None),
    ]
    assert after_the_first == []  # [start, end): the first ended at NOW + 1h, the second starts at NOW + 2h


def test_an_outage_cannot_end_before_it_started(db: Database) -> None:
    with db.write() as session:
        outage = start_outage(session, title="down", started_at=NOW, actor="U9", now=NOW)
    with pytest.raises(InvalidValueError, match="cannot end before"), db.write() as session:
        end_outage(session, outage, ended_at=NOW - HOUR, actor="U9", now=NOW)


def test_maintenance_windows_overlapping_an_interval(db: Database) -> None:
    with db.write() as session:
        add_maintenance(session, title="upgrade", starts_at=NOW, ends_at=NOW + HOUR, actor="U9", now=NOW)
        with pytest.raises(InvalidValueError, match="end after it starts"):
            add_maintenance(session, title="bad", starts_at=NOW, ends_at=NOW, actor="U9", now=NOW)
    with db.read() as session:
        assert [w.title for w in maintenance_between(session, NOW - HOUR, NOW + HOUR / 2)] == ["upgrade"]
        assert maintenance_between(session, NOW + HOUR, NOW + 2 * HOUR) == []


def test_an_outage_names_the_services_it_hits_and_one_naming_none_hits_every_service(db: Database) -> None:
    with db.write() as session:
        acme = save_customer(session, name="Acme", plan="basic", actor="config", now=NOW).id
        two = start_outage(session, title="search and api", started_at=NOW, services=["search", "api", "search"],
                           actor="U9", now=NOW)  # fmt: skip
        every = start_outage(session, title="everything", started_at=NOW + HOUR, actor="U9", now=NOW)
        start_outage(session, title="billing", started_at=NOW, services=["billing"], actor="U9", now=NOW)
        start_outage(session, title="acme search", started_at=NOW, services=["search"], customer_id=acme,
                     actor="U9", now=NOW)  # fmt: skip
    with db.read() as session:
        search = outages_between(session, NOW, NOW + 2 * HOUR, service="search")
        web = outages_between(session, NOW, NOW + 2 * HOUR, service="web")
        acme_search = outages_between(session, NOW, NOW + 2 * HOUR, customer_id=acme, service="search")
        every_one = outages_between(session, NOW, NOW + 2 * HOUR)
    assert [(o.id, o.title, o.services) for o in search] == [(two, "search and api", ("api", "search")),
                                                             (every, "everything", ())]  # fmt: skip
    assert [o.title for o in web] == ["everything"]
    assert [o.title for o in acme_search] == ["search and api", "acme search", "everything"]
    assert [o.title for o in every_one] == ["search and api", "billing", "everything"]
    assert search[0].hits("api")
    assert not search[0].hits("web")
    assert search[1].hits("web")


def test_the_services_of_an_outage_are_audited(db: Database) -> None:
    with db.write() as session:
        outage = start_outage(session, title="down", started_at=NOW, services=["api"], actor="U9", now=NOW)
        start_outage(session, title="all", started_at=NOW, actor="U9", now=NOW)
    with db.read() as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.action == "outage.started")).all()
    assert [(row.subject, (row.after or {}).get("services")) for row in rows] == [
        (f"outage:{outage}", ["api"]),
        (f"outage:{outage + 1}", None),
    ]


def test_a_maintenance_window_names_the_services_it_takes_down(db: Database) -> None:
    with db.write() as session:
        add_maintenance(session, title="index", starts_at=NOW, ends_at=NOW + HOUR, services=["search"],
                        actor="U9", now=NOW)  # fmt: skip
        add_maintenance(session, title="network", starts_at=NOW, ends_at=NOW + HOUR, actor="U9", now=NOW)
    with db.read() as session:
        api = maintenance_between(session, NOW, NOW + HOUR, service="api")
        search = maintenance_between(session, NOW, NOW + HOUR, service="search")
    assert [(w.title, w.services) for w in api] == [("network", ())]
    assert [(w.title, w.services) for w in search] == [("index", ("search",)), ("network", ())]


def test_the_latest_outage_of_a_ticket_carries_its_services(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW).id
        start_outage(session, title="down", started_at=NOW, ticket_id=ticket, services=["api"], actor="U9", now=NOW)
    with db.read() as session:
        found = outage_of_ticket(session, ticket)
    assert found is not None
    assert found.services == ("api",)
