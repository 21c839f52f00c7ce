"""Outages and maintenance windows, found by the interval they overlap."""

from datetime import timedelta

import pytest

from storage.engine import Database
from storage.errors import InvalidValueError
from storage.people import save_customer
from storage.service_events import add_maintenance, end_outage, maintenance_between, outages_between, start_outage
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
