"""Services for outages (downtime) and maintenance windows, the inputs of availability reports.

Rules: intervals are [start, end) in UTC; an outage still going on has no end. A row without a customer
applies to every customer, so the intervals of one customer include the global ones. An interval names the
services it hits (the desk config's ids); one naming none hits every service, so the intervals of one service
include those. Every change is audited.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, or_
from sqlmodel import Session, col, select

from storage import audit
from storage.columns import to_utc
from storage.errors import InvalidValueError, NotFoundError
from storage.tables import MaintenanceService, MaintenanceWindow, Outage, OutageService


@dataclass(frozen=True)
class Interval:
    id: int
    customer_id: int | None
    title: str
    start: datetime
    end: datetime | None  # None: still going on
    services: tuple[str, ...] = ()  # the services it hits, in id order; none: every service

    def hits(self, service: str) -> bool:
        """Whether this interval counts for `service`."""
        return not self.services or service in self.services


def start_outage(
    session: Session,
    *,
    title: str,
    started_at: datetime,
    actor: str,
    now: datetime,
    customer_id: int | None = None,
    ticket_id: int | None = None,
    services: Iterable[str] = (),
) -> int:
    """A new outage of `services` (none: every service); its id."""
    outage = Outage(customer_id=customer_id, ticket_id=ticket_id, title=title, started_at=to_utc(started_at))
    session.add(outage)
    session.flush()
    assert outage.id is not None
    named = _distinct(services)
    session.add_all(OutageService(outage_id=outage.id, service=service) for service in named)
    after: dict[str, Any] = {"title": title, "started_at": started_at, "customer_id": customer_id}
    if named:
        after["services"] = list(named)
    audit.record(
        session,
        actor=actor,
        action="outage.started",
        at=now,
        ticket_id=ticket_id,
        subject=f"outage:{outage.id}",
        after=after,
    )
    assert outage.id is not None
    return outage.id


def end_outage(session: Session, outage_id: int, *, ended_at: datetime, actor: str, now: datetime) -> None:
    outage = session.get(Outage, outage_id, with_for_update=True)
    if outage is None:
        raise NotFoundError(f"no outage with id {outage_id}")
    if to_utc(ended_at) < outage.started_at:
        raise InvalidValueError(f"outage {outage_id} cannot end before it started ({outage.started_at.isoformat()})")
    before = {"ended_at": outage.ended_at}
    outage.ended_at = to_utc(ended_at)
    session.add(outage)
    audit.record(
        session,
        actor=actor,
        action="outage.ended",
        at=now,
        ticket_id=outage.ticket_id,
        subject=f"outage:{outage_id}",
        before=before,
        after={"ended_at": ended_at},
    )


def add_maintenance(
    session: Session,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    actor: str,
    now: datetime,
    customer_id: int | None = None,
    planned: bool = True,
    services: Iterable[str] = (),
) -> int:
    """A new maintenance window of `services` (none: every service); its id."""
    if to_utc(ends_at) <= to_utc(starts_at):
        raise InvalidValueError("a maintenance window must end after it starts")
    window = MaintenanceWindow(
        customer_id=customer_id,
        title=title,
        starts_at=to_utc(starts_at),
        ends_at=to_utc(ends_at),
        planned=planned,
        declared_at=to_utc(now),
    )
    session.add(window)
    session.flush()
    assert window.id is not None
    named = _distinct(services)
    session.add_all(MaintenanceService(maintenance_id=window.id, service=service) for service in named)
    after: dict[str, Any] = {
        "title": title, "starts_at": starts_at, "ends_at": ends_at, "customer_id": customer_id, "planned": planned
    }  # fmt: skip
    if named:
        after["services"] = list(named)
    audit.record(
        session, actor=actor, action="maintenance.added", at=now, subject=f"maintenance:{window.id}", after=after
    )
    assert window.id is not None
    return window.id


def outages_between(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    customer_id: int | None = None,
    service: str | None = None,
) -> list[Interval]:
    """Outages overlapping [start, end) for a customer (with the global ones), or only global ones; of one
    service (with those naming none) when `service` is given, else of any."""
    statement = select(Outage).where(
        col(Outage.started_at) < to_utc(end),
        or_(col(Outage.ended_at).is_(None), col(Outage.ended_at) > to_utc(start)),
        or_(col(Outage.customer_id).is_(None), col(Outage.customer_id) == customer_id),
    )
    if service is not None:
        statement = statement.where(_hits(OutageService, col(OutageService.outage_id) == Outage.id, service))
    rows = list(session.exec(statement.order_by(col(Outage.started_at), col(Outage.id))))
    named = _services_of(session, OutageService, [row.id for row in rows if row.id is not None])
    return [
        Interval(row.id, row.customer_id, row.title, row.started_at, row.ended_at, named.get(row.id, ()))  # type: ignore[arg-type]
        for row in rows
    ]


def maintenance_between(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    customer_id: int | None = None,
    service: str | None = None,
) -> list[Interval]:
    """Maintenance windows overlapping [start, end) for a customer (with the global ones); of one service (with
    those naming none) when `service` is given, else of any."""
    statement = select(MaintenanceWindow).where(
        col(MaintenanceWindow.starts_at) < to_utc(end),
        col(MaintenanceWindow.ends_at) > to_utc(start),
        or_(col(MaintenanceWindow.customer_id).is_(None), col(MaintenanceWindow.customer_id) == customer_id),
    )
    if service is not None:
        link = col(MaintenanceService.maintenance_id) == MaintenanceWindow.id
        statement = statement.where(_hits(MaintenanceService, link, service))
    rows = list(session.exec(statement.order_by(col(MaintenanceWindow.starts_at), col(MaintenanceWindow.id))))
    named = _services_of(session, MaintenanceService, [row.id for row in rows if row.id is not None])
    return [
        Interval(row.id, row.customer_id, row.title, row.starts_at, row.ends_at, named.get(row.id, ()))  # type: ignore[arg-type]
        for row in rows
    ]


def _hits(
    table: type[OutageService] | type[MaintenanceService], link: ColumnElement[bool], service: str
) -> ColumnElement[bool]:
    """SQL: the interval names no service, or names `service`."""
    return or_(~exists().where(link), exists().where(link, col(table.service) == service))


def _services_of(
    session: Session, table: type[OutageService] | type[MaintenanceService], ids: list[int]
) -> dict[int, tuple[str, ...]]:
    """The services each interval of `ids` names, in id order."""
    if not ids:
        return {}
    owner = col(OutageService.outage_id) if table is OutageService else col(MaintenanceService.maintenance_id)
    found: dict[int, list[str]] = {}
    for interval_id, service in session.exec(select(owner, col(table.service)).where(owner.in_(ids))):
        found.setdefault(interval_id, []).append(service)
    return {interval_id: tuple(sorted(services)) for interval_id, services in found.items()}


def _distinct(services: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(services)))


def outage_of_ticket(session: Session, ticket_id: int) -> Interval | None:
    """The latest outage declared for a ticket, if any (still going on when its end is None)."""
    statement = select(Outage).where(col(Outage.ticket_id) == ticket_id).order_by(col(Outage.id).desc()).limit(1)
    row = session.exec(statement).first()
    if row is None or row.id is None:
        return None
    named = _services_of(session, OutageService, [row.id])
    return Interval(row.id, row.customer_id, row.title, row.started_at, row.ended_at, named.get(row.id, ()))


@dataclass(frozen=True)
class MaintenanceRecord:
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    planned: bool
    declared_at: datetime | None
    services: tuple[str, ...] = ()  # the services it takes down, in id order; none: every service


def maintenance_to_announce(session: Session, *, now: datetime, ahead: timedelta) -> list[MaintenanceRecord]:
    """The windows a notice may be due for at `now`: starting within `ahead`, going on, or ended in the last
    day (so an end missed while the bot was down is still said)."""
    statement = select(MaintenanceWindow).where(
        col(MaintenanceWindow.starts_at) <= to_utc(now + ahead),
        col(MaintenanceWindow.ends_at) > to_utc(now - timedelta(days=1)),
    )
    rows = session.exec(statement.order_by(col(MaintenanceWindow.starts_at), col(MaintenanceWindow.id)))
    return [_maintenance(row) for row in rows]


def find_maintenance(session: Session, *, title: str, starts_at: datetime, ends_at: datetime) -> int | None:
    """The id of the window with this title and interval, if one was added."""
    statement = select(MaintenanceWindow.id).where(
        col(MaintenanceWindow.title) == title,
        col(MaintenanceWindow.starts_at) == to_utc(starts_at),
        col(MaintenanceWindow.ends_at) == to_utc(ends_at),
    )
    return session.exec(statement).first()


def maintenance_since(session: Session, since: datetime) -> list[MaintenanceRecord]:
    """The windows ending after `since`, by start."""
    statement = select(MaintenanceWindow).where(col(MaintenanceWindow.ends_at) > to_utc(since))
    rows = list(session.exec(statement.order_by(col(MaintenanceWindow.starts_at), col(MaintenanceWindow.id))))
    named = _services_of(session, MaintenanceService, [row.id for row in rows if row.id is not None])
    return [replace(_maintenance(row), services=named.get(row.id or 0, ())) for row in rows]


def _maintenance(row: MaintenanceWindow) -> MaintenanceRecord:
    assert row.id is not None
    return MaintenanceRecord(row.id, row.title, row.starts_at, row.ends_at, row.planned, row.declared_at)
