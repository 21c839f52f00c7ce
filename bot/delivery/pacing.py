"""Pacing: how fast one channel may be posted to, and which methods Slack has told us to leave alone, kept in the
database (storage.pace) so that every delivery process on it keeps one pace together.

Rules:
- `Pace` is a channel's rate: `per_second` messages a second, after a burst of at most `burst` (Slack allows
  about one chat.postMessage a second per channel, with short bursts).
- `Pacing.admit(method, channel, now)` is None when the call may be made at `now` (a paced method, one with a
  channel, spends one token of that channel), else a `Held` with the instant to try again: the method is blocked
  by a 429, or the channel has no token before then. It is one short transaction before the call.
- `Pacing.block(method, until)` records a 429's end for every process; a blocked method blocks only itself
  (Slack limits per method and workspace), and a shorter block never shortens a longer one.
- The instants are the caller's (an injected clock), never read here.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import pace
from storage.engine import Database


@dataclass(frozen=True)
class Pace:
    per_second: float = 1.0
    burst: int = 3

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError("a pace needs per_second > 0 and burst >= 1")

    @property
    def interval(self) -> timedelta:
        return timedelta(seconds=1 / self.per_second)


@dataclass(frozen=True)
class Held:
    """A call that may not be made yet: try again at `until`."""

    until: datetime
    reason: str


class Pacing:
    def __init__(self, database: Database, channel_pace: Pace) -> None:
        self.database = database
        self.channel_pace = channel_pace

    def admit(self, method: str, channel: str | None, now: datetime) -> Held | None:
        """None when `method` may be called now (spending a token of `channel` if given), else when to try again."""
        if channel is None:
            with self.database.read() as session:
                blocked = pace.blocked_until(session, _method(method), now=now)
            return None if blocked is None else Held(blocked, f"{method} rate limited")
        with self.database.write() as session:
            blocked = pace.blocked_until(session, _method(method), now=now)
            if blocked is not None:
                return Held(blocked, f"{method} rate limited")
            rate = self.channel_pace
            next_token = pace.take(session, f"channel:{channel}", now=now, interval=rate.interval, burst=rate.burst)
        return None if next_token is None else Held(next_token, f"paced: channel {channel}")

    def block(self, method: str, until: datetime) -> None:
        with self.database.write() as session:
            pace.block(session, _method(method), until=until)


def _method(method: str) -> str:
    return f"method:{method}"
