"""Defect links: the tracker issue each request's defect lives in, the tracker changes applied to it, and how far
the reconciliation poll has read (storage/tables/trackers.py; docs/integrations.md, "Defect trackers").

Rules:
- `link` sets a request's link in the caller's transaction with its audit (`ticket.defect_linked`, before and
  after); linking the issue it already links changes nothing and audits nothing. `replace=False` keeps an
  existing link (the issue filed for a defect an agent linked by hand meanwhile) and returns it.
- `set_state` and `set_release` change what the tracker said of the issue, with the vendor's instant `at` as
  `changed_at`, audited at `now` (actor: the tracker); the same values again change and audit nothing.
- `record_change` adds an applied change's key once: it returns False when (tracker, change_key) was applied
  already, so the caller applies nothing. The ticket is locked first, so two workers applying the same change
  take turns and the second finds the first's row; a key is at most 300 characters.
- `polled_until`/`set_polled` keep the poll's cursor per (tracker, scope); the cursor never moves back.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from storage import audit
from storage.columns import to_utc
from storage.errors import InvalidValueError
from storage.tables import AppliedChange, DefectLink, TrackerPoll
from storage.tickets import lock_ticket

LINKED = "ticket.defect_linked"
ISSUE_CHANGED = "ticket.defect_issue_changed"
MAX_CHANGE_KEY = 300
OPEN, CLOSED = "open", "closed"


@dataclass(frozen=True)
class Issue:
    """An issue as stored: its tracker, its key there ("owner/repo#12", "PROJ-123") and its URL."""

    tracker: str
    key: str
    url: str


@dataclass(frozen=True)
class DefectLinkRecord:
    ticket_id: int
    issue: Issue
    state: str  # OPEN or CLOSED
    release_name: str | None
    release_at: datetime | None
    linked_at: datetime
    changed_at: datetime | None


def link(
    session: Session, ticket_id: int, issue: Issue, *, actor: str, now: datetime, replace: bool = True
) -> DefectLinkRecord:
    """The request's defect lives in `issue` (the module's rules)."""
    lock_ticket(session, ticket_id)
    row = _row(session, ticket_id)
    if row is not None and (not replace or _issue(row) == issue):
        return _record(row)
    before = None if row is None else {"tracker": row.tracker, "issue": row.issue_ref, "url": row.url}
    if row is None:
        row = DefectLink(ticket_id=ticket_id, tracker=issue.tracker, issue_ref=issue.key, url=issue.url, state=OPEN,
                         linked_at=to_utc(now))  # fmt: skip
    else:
        row.tracker, row.issue_ref, row.url, row.state = issue.tracker, issue.key, issue.url, OPEN
        row.release_name = row.release_at = row.changed_at = None
        row.linked_at = to_utc(now)
    session.add(row)
    session.flush()
    after = {"tracker": issue.tracker, "issue": issue.key, "url": issue.url}
    audit.record(session, actor=actor, action=LINKED, at=now, ticket_id=ticket_id, before=before, after=after)
    return _record(row)


def link_of(session: Session, ticket_id: int) -> DefectLinkRecord | None:
    row = _row(session, ticket_id)
    return None if row is None else _record(row)


def links_to(session: Session, tracker: str, key: str) -> list[DefectLinkRecord]:
    """Every request linking the issue `key` of `tracker`, oldest link first."""
    statement = (
        select(DefectLink)
        .where(col(DefectLink.tracker) == tracker, col(DefectLink.issue_ref) == key)
        .order_by(col(DefectLink.id))
    )
    return [_record(row) for row in session.exec(statement)]


def any_link(session: Session, tracker: str) -> bool:
    """Whether some request links an issue of `tracker`."""
    return session.exec(select(DefectLink.id).where(col(DefectLink.tracker) == tracker).limit(1)).first() is not None


def set_state(session: Session, ticket_id: int, state: str, *, at: datetime, now: datetime, actor: str) -> bool:
    """The issue is now `state` (OPEN or CLOSED) since the vendor's instant `at`; whether that changed anything."""
    if state not in (OPEN, CLOSED):
        raise InvalidValueError(f"an issue's state is {OPEN!r} or {CLOSED!r}, not {state!r}")
    return _change(session, ticket_id, {"state": state}, at=at, now=now, actor=actor)


def set_release(
    session: Session,
    ticket_id: int,
    name: str | None,
    release_at: datetime | None,
    *,
    at: datetime,
    now: datetime,
    actor: str,
) -> bool:
    """The issue is planned for the release `name` (due `release_at`, when the tracker has a date)."""
    when = None if release_at is None else to_utc(release_at)
    return _change(session, ticket_id, {"release_name": name, "release_at": when}, at=at, now=now, actor=actor)


def record_change(
    session: Session, ticket_id: int, tracker: str, change_key: str, kind: str, *, at: datetime, now: datetime,
    detail: str | None = None,
) -> bool:  # fmt: skip
    """Records a change as applied; False when it was applied already (then nothing is added)."""
    if not change_key or len(change_key) > MAX_CHANGE_KEY:
        raise InvalidValueError(f"a change key has 1 to {MAX_CHANGE_KEY} characters")
    lock_ticket(session, ticket_id)
    statement = select(AppliedChange.id).where(
        col(AppliedChange.tracker) == tracker, col(AppliedChange.change_key) == change_key
    )
    if session.exec(statement).first() is not None:
        return False
    row = AppliedChange(ticket_id=ticket_id, tracker=tracker, change_key=change_key, kind=kind, at=to_utc(at),
                        applied_at=to_utc(now), detail=detail)  # fmt: skip
    session.add(row)
    session.flush()
    return True


def polled_until(session: Session, tracker: str, scope: str) -> datetime | None:
    row = session.get(TrackerPoll, (tracker, scope))
    return None if row is None else row.polled_until


def set_polled(session: Session, tracker: str, scope: str, until: datetime) -> None:
    """The poll of (tracker, scope) has read every change before `until` (a later cursor is kept)."""
    row = session.get(TrackerPoll, (tracker, scope), with_for_update=True)
    if row is None:
        session.add(TrackerPoll(tracker=tracker, scope=scope, polled_until=to_utc(until)))
    elif to_utc(until) > to_utc(row.polled_until):
        row.polled_until = to_utc(until)
        session.add(row)
    session.flush()


def _change(
    session: Session, ticket_id: int, values: dict[str, object], *, at: datetime, now: datetime, actor: str
) -> bool:
    lock_ticket(session, ticket_id)
    row = _row(session, ticket_id)
    if row is None:
        raise InvalidValueError(f"ticket {ticket_id} links no defect issue")
    before = {name: getattr(row, name) for name in values}
    if before == values:
        return False
    for name, value in values.items():
        setattr(row, name, value)
    row.changed_at = to_utc(at)
    session.add(row)
    session.flush()
    after = {"issue": row.issue_ref, **values, "changed_at": at}
    audit.record(session, actor=actor, action=ISSUE_CHANGED, at=now, ticket_id=ticket_id, before=before, after=after)
    return True


def _row(session: Session, ticket_id: int) -> DefectLink | None:
    return session.exec(select(DefectLink).where(col(DefectLink.ticket_id) == ticket_id)).first()


def _issue(row: DefectLink) -> Issue:
    return Issue(row.tracker, row.issue_ref, row.url)


def _record(row: DefectLink) -> DefectLinkRecord:
    return DefectLinkRecord(
        row.ticket_id, _issue(row), row.state, row.release_name, row.release_at, row.linked_at, row.changed_at
    )
