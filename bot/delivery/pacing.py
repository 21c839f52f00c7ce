"""Pacing: how fast one channel may be posted to, and which methods Slack has told us to leave alone.

Rules:
- `ChannelPace` is a token bucket per channel on the instants it is given (an injected clock, never its own):
  `per_second` tokens a second, at most `burst` stored, one token per message. `take(channel, now)` spends a
  token and says None, or spends nothing and says the instant the next token comes.
- `MethodBlocks` keeps, per Web API method, the instant a 429's `Retry-After` ends; a blocked method blocks only
  itself (Slack limits per method and workspace).
- Both live in one worker process. Several workers pace independently, so together they may go faster than
  one; Slack's 429s then slow them down (each worker honours them).
"""

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Pace:
    per_second: float = 1.0
    burst: int = 3

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError("a pace needs per_second > 0 and burst >= 1")


class ChannelPace:
    def __init__(self, pace: Pace) -> None:
        self.pace = pace
        self._buckets: dict[str, tuple[float, datetime]] = {}
        self._lock = threading.Lock()

    def take(self, channel: str, now: datetime) -> datetime | None:
        """Spends one token of `channel` and returns None, or returns when the next token comes."""
        pace = self.pace
        with self._lock:
            tokens, last = self._buckets.get(channel, (float(pace.burst), now))
            elapsed = max(0.0, (now - last).total_seconds())
            tokens = min(float(pace.burst), tokens + elapsed * pace.per_second)
            if tokens >= 1.0:
                self._buckets[channel] = (tokens - 1.0, now)
                return None
            self._buckets[channel] = (tokens, now)
            return now + timedelta(seconds=(1.0 - tokens) / pace.per_second)


class MethodBlocks:
    def __init__(self) -> None:
        self._until: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def block(self, method: str, until: datetime) -> None:
        with self._lock:
            self._until[method] = max(until, self._until.get(method, until))

    def blocked_until(self, method: str, now: datetime) -> datetime | None:
        """The instant `method` may be called again, or None when it may be called now."""
        with self._lock:
            until = self._until.get(method)
            return until if until is not None and until > now else None
