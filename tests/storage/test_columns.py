"""Instants are stored in UTC and read back aware, on both databases."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import StatementError
from sqlmodel import col, select

from sla.timeline import NaiveInstantError
from storage.columns import to_utc
from storage.engine import Database
from storage.tables import Customer


def test_to_utc_keeps_the_instant_and_refuses_a_naive_datetime() -> None:
    paris = datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert to_utc(paris) == paris
    assert to_utc(paris).tzinfo is UTC
    with pytest.raises(NaiveInstantError, match="no UTC offset"):
        to_utc(datetime(2026, 3, 29, 3, 30))


def test_instants_come_back_aware_in_utc_and_compare_as_instants(db: Database) -> None:
    given = [
        datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("America/Toronto")),  # 14:00 UTC
        datetime(2026, 11, 23, 13, 0, tzinfo=UTC),
        datetime(2026, 11, 24, 1, 30, tzinfo=timezone(timedelta(hours=12))),  # 13:30 UTC
    ]
    with db.write() as session:
        for number, instant in enumerate(given):
            session.add(Customer(name=f"c{number}", plan="basic", created_at=instant))
    with db.read() as session:
        rows = list(session.exec(select(Customer).order_by(col(Customer.created_at))))
        before_14 = list(
            session.exec(select(Customer.name).where(col(Customer.created_at) < datetime(2026, 11, 23, 14, tzinfo=UTC)))
        )
    assert [row.name for row in rows] == ["c1", "c2", "c0"]
    assert [row.created_at for row in rows] == sorted(given)
    assert all(row.created_at.tzinfo is UTC for row in rows)
    assert sorted(before_14) == ["c1", "c2"]


def test_a_naive_datetime_is_refused_before_it_reaches_the_database(db: Database) -> None:
    def store_naive() -> None:
        with db.write() as session:
            session.add(Customer(name="c", plan="basic", created_at=datetime(2026, 11, 23, 9, 0)))

    with pytest.raises(StatementError) as raised:
        store_naive()
    assert isinstance(raised.value.orig, NaiveInstantError)
