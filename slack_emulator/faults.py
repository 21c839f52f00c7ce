"""Scripted failures per method, and the optional per-channel pacing of chat.postMessage.

Rules:
- A fault answers one call instead of the method: `RateLimited` (HTTP 429, `Retry-After`, `ratelimited`),
  `ServerError` (HTTP 5xx), `Fails` (any Slack error code, HTTP 200 by default), `Drop` (the connection is closed
  without an answer, a network error to the client). `Slow` only delays the call, which is then answered normally.
- Faults are queued per method name (or `ANY_METHOD`) and consumed in order, one per call; `times=None` repeats a
  fault until `clear()`. A method's own queue is used before `ANY_METHOD`'s.
- Latency (`Latencies`) delays every answer, faults included, before it is decided: a default for every call
  and optionally one per name (a method, or `UPLOAD`, `DOWNLOAD`, `RESPONSE_URL`), each either fixed seconds or
  a `(low, high)` range drawn uniformly from a generator seeded at creation, so a run is reproducible. The
  default is 0: no delay.
- Pacing (`ChannelRateLimit`) is a token bucket per channel on the workspace clock: `per_second` tokens a second,
  at most `burst` stored. A post without a token gets 429 with `Retry-After` = whole seconds until the next token
  (at least 1), and is not stored.
"""

import math
import random
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from slack_emulator.ids import Clock

ANY_METHOD = "*"


@dataclass(frozen=True)
class RateLimited:
    retry_after: int = 1


@dataclass(frozen=True)
class ServerError:
    status: int = 500
    error: str = "internal_error"


@dataclass(frozen=True)
class Fails:
    error: str
    status: int = 200
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Drop:
    pass


@dataclass(frozen=True)
class Slow:
    seconds: float


Fault = RateLimited | ServerError | Fails | Drop | Slow


@dataclass
class _Entry:
    fault: Fault
    remaining: int | None


class FaultScript:
    def __init__(self) -> None:
        self._queues: dict[str, deque[_Entry]] = {}
        self._lock = threading.Lock()

    def add(self, method: str, *faults: Fault, times: int | None = 1) -> None:
        """Queue `faults` for `method`, each `times` times (None: for ever)."""
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for ever")
        with self._lock:
            queue = self._queues.setdefault(method, deque())
            queue.extend(_Entry(fault, times) for fault in faults)

    def take(self, method: str) -> Fault | None:
        with self._lock:
            for name in (method, ANY_METHOD):
                queue = self._queues.get(name)
                if queue:
                    entry = queue[0]
                    if entry.remaining is not None:
                        entry.remaining -= 1
                        if entry.remaining == 0:
                            queue.popleft()
                    return entry.fault
            return None

    def pending(self, method: str) -> int | None:
        """How many faults are queued for `method` (None when one repeats for ever)."""
        with self._lock:
            queue = self._queues.get(method, deque())
            if any(entry.remaining is None for entry in queue):
                return None
            return sum(entry.remaining or 0 for entry in queue)

    def clear(self, method: str | None = None) -> None:
        with self._lock:
            if method is None:
                self._queues.clear()
            else:
                self._queues.pop(method, None)


Delay = float | tuple[float, float]  # seconds, or a (low, high) range of seconds


def _checked(delay: Delay) -> Delay:
    low, high = delay if isinstance(delay, tuple) else (delay, delay)
    if not 0 <= low <= high:
        raise ValueError(f"a latency is seconds >= 0, or a (low, high) range with low <= high; got {delay!r}")
    return delay


class Latencies:
    def __init__(self, default: Delay = 0.0, *, seed: int = 0) -> None:
        self._default = _checked(default)
        self._per_name: dict[str, Delay] = {}
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    @property
    def default(self) -> Delay:
        return self._default

    @default.setter
    def default(self, delay: Delay) -> None:
        self._default = _checked(delay)

    def set(self, name: str, delay: Delay | None) -> None:
        """`name`'s own latency (None: back to the default)."""
        with self._lock:
            if delay is None:
                self._per_name.pop(name, None)
            else:
                self._per_name[name] = _checked(delay)

    def draw(self, name: str) -> float:
        """The seconds the next answer to `name` waits."""
        with self._lock:
            delay = self._per_name.get(name, self._default)
            if isinstance(delay, tuple):
                return self._random.uniform(*delay)
            return delay


@dataclass(frozen=True)
class ChannelRateLimit:
    """About one chat.postMessage per second per channel (Slack's documented pace)."""

    per_second: float = 1.0
    burst: int = 1


class ChannelPacer:
    def __init__(self, limit: ChannelRateLimit, clock: Clock) -> None:
        self._limit = limit
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def admit(self, channel: str) -> int | None:
        """None when a post to `channel` may go now; else the seconds to wait (for `Retry-After`)."""
        limit = self._limit
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(channel, (float(limit.burst), now))
            tokens = min(float(limit.burst), tokens + (now - last) * limit.per_second)
            if tokens >= 1.0:
                self._buckets[channel] = (tokens - 1.0, now)
                return None
            self._buckets[channel] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / limit.per_second))
