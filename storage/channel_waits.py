"""Outbox rows parked while the bot is not in their Slack channel, and the channels that wait for the bot.

Rules (docs/operations.md, "Channels the bot is not in"):
- `park` sets a claimed row aside (state parked, its attempt given back, its `destination` the channel it is
  for) and records that the channel waits. It returns the new `ChannelWaiting` when the channel was not waiting
  yet, so that the caller tells someone once per channel until the channel is released: the channel is the key
  of `channel_wait`, so of two concurrent parkers one inserts it and the other finds it.
- A parked row holds back the rows behind it in its thread and the rows waiting for it (storage.outbox counts it
  as active for ordering): they stay pending, unclaimed, and nothing is dead.
- `release` ends a channel's wait: its parked rows are pending again, due at `now`, and go out in id order per
  thread; it returns how many. Called when the bot joined the channel, and when a message was posted in it.
- `probe` makes the oldest parked row of each waiting channel pending again, so one call tells whether the bot is
  in it now (the fallback for a missed member_joined_channel event); it returns how many.
- `waiting` lists the waiting channels, oldest first, with how many rows are parked for each.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, update
from sqlmodel import Session, col, select

from storage.columns import to_utc
from storage.kinds import OutboxState
from storage.leases import finish_row
from storage.outbox import OutboxClaim
from storage.tables import ChannelWait, OutboxItem
from storage.upsert import insert_unless_present

PARKED = OutboxState.PARKED.value


@dataclass(frozen=True)
class ChannelWaiting:
    channel: str
    since: datetime
    parked: int = 0  # how many rows are parked for it (counted by `waiting`)


def park(session: Session, claim: OutboxClaim, *, channel: str, reason: str, now: datetime) -> ChannelWaiting | None:
    """Parks a claimed row until the bot is in `channel`; the channel's new wait, or None when it waited already."""
    values = {"state": PARKED, "destination": channel, "attempts": claim.attempts - 1, "last_error": reason[:2000]}
    finish_row(session, OutboxItem, claim.id, claim.lease, values)
    since = to_utc(now)
    if not insert_unless_present(session, ChannelWait, {"channel": channel, "since": since}, ["channel"]):
        return None
    return ChannelWaiting(channel, since)


def release(session: Session, channel: str, *, now: datetime) -> int:
    """The bot is in `channel`: its parked rows are pending again, due at `now`; how many."""
    session.exec(delete(ChannelWait).where(col(ChannelWait.channel) == channel))
    rows = update(OutboxItem).where(col(OutboxItem.state) == PARKED, col(OutboxItem.destination) == channel)
    return int(session.exec(rows.values(state=OutboxState.PENDING.value, next_try_at=to_utc(now))).rowcount)


def probe(session: Session, *, now: datetime) -> int:
    """The oldest parked row of each waiting channel is pending again, due at `now`; how many."""
    oldest = select(func.min(OutboxItem.id)).where(col(OutboxItem.state) == PARKED)
    rows = update(OutboxItem).where(col(OutboxItem.id).in_(oldest.group_by(col(OutboxItem.destination))))
    return int(session.exec(rows.values(state=OutboxState.PENDING.value, next_try_at=to_utc(now))).rowcount)


def waiting(session: Session) -> list[ChannelWaiting]:
    """The channels waiting for the bot, oldest first, with how many rows are parked for each."""
    parked = and_(col(OutboxItem.destination) == col(ChannelWait.channel), col(OutboxItem.state) == PARKED)
    statement = (
        select(ChannelWait.channel, ChannelWait.since, func.count(col(OutboxItem.id)))
        .outerjoin(OutboxItem, parked)
        .group_by(col(ChannelWait.channel), col(ChannelWait.since))
        .order_by(col(ChannelWait.since), col(ChannelWait.channel))
    )
    return [ChannelWaiting(channel, since, count) for channel, since, count in session.exec(statement)]
