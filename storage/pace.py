"""Paces shared by every delivery process: when a Slack channel may be posted to next, and until when Slack has
blocked a Web API method (a 429), kept in `slack_pace` so that N processes together keep one pace.

Rules:
- A pace is a row named by its caller (`channel:<id>`, `method:<name>`) holding one instant, `next_at`.
- `take` keeps a channel's rate as a token bucket stored in one instant (the "generic cell rate algorithm"):
  `next_at` is when the channel's next message would be due at exactly one per `interval`; a message may go
  while that is at most `burst - 1` intervals ahead of now, and each message moves it one interval on. The
  row is read FOR UPDATE, so on PostgreSQL a concurrent taker waits for this transaction and then reads what it
  wrote; on SQLite write transactions run one at a time (BEGIN IMMEDIATE). No token is ever spent twice.
- `block` records the end of a method's block and never shortens one; `blocked_until` reads it.
- Callers use a short transaction of their own, before the Slack call and never around it.
"""

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.columns import to_utc
from storage.tables import SlackPace
from storage.upsert import insert_unless_present


def take(session: Session, name: str, *, now: datetime, interval: timedelta, burst: int) -> datetime | None:
    """Spends one token of pace `name` and returns None, or spends nothing and returns when the next token comes."""
    instant = to_utc(now)
    if insert_unless_present(session, SlackPace, {"name": name, "next_at": instant + interval}, ["name"]):
        return None
    statement = select(SlackPace.next_at).where(col(SlackPace.name) == name).with_for_update()
    next_at = session.exec(statement).one()
    allowed_at = next_at - interval * (burst - 1)
    if allowed_at > instant:
        return allowed_at
    moved = max(next_at, instant) + interval
    session.exec(update(SlackPace).where(col(SlackPace.name) == name).values(next_at=moved))
    return None


def block(session: Session, name: str, *, until: datetime) -> None:
    """Blocks `name` until `until`, unless it is blocked longer already."""
    instant = to_utc(until)
    if insert_unless_present(session, SlackPace, {"name": name, "next_at": instant}, ["name"]):
        return
    statement = update(SlackPace).where(col(SlackPace.name) == name, col(SlackPace.next_at) < instant)
    session.exec(statement.values(next_at=instant))


def blocked_until(session: Session, name: str, *, now: datetime) -> datetime | None:
    """The instant `name` is blocked until, or None when it is not blocked at `now`."""
    until = session.exec(select(SlackPace.next_at).where(col(SlackPace.name) == name)).first()
    return until if until is not None and until > to_utc(now) else None
