"""Identifiers, trigger ids and message timestamps, shaped as Slack shapes them.

Rules:
- An id is a type prefix (`C` channel, `D` IM, `G` group IM, `U` user, `B` bot, `A` app, `F` file, `S` user group,
  `V` view, `T` team, `Ev` event) and eight upper-case base-36 digits from a counter per prefix, so runs are
  deterministic: the first channel made is `C00000001`. An id already taken (seeded by hand) is skipped.
- A message timestamp (`ts`) is "seconds.microseconds" with six digits, from the injected clock, and strictly
  increasing: two messages in the same microsecond, or under a frozen clock, still get distinct, ordered ts.
- Trigger ids and URL secrets are unguessable (`secrets`), as Slack's are.
- Every factory is safe to use from several threads.
"""

import secrets
import threading
from collections.abc import Callable, Container

Clock = Callable[[], float]
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MICROS = 1_000_000


def base36(number: int, width: int = 8) -> str:
    """`number` in upper-case base 36, left-padded with zeros to `width`."""
    digits = ""
    while number:
        number, digit = divmod(number, 36)
        digits = _DIGITS[digit] + digits
    return digits.rjust(width, "0")


def ts_from_micros(micros: int) -> str:
    return f"{micros // _MICROS}.{micros % _MICROS:06d}"


def ts_to_micros(ts: str) -> int:
    seconds, _, fraction = ts.partition(".")
    return int(seconds) * _MICROS + int(fraction.ljust(6, "0")[:6])


class IdFactory:
    """Deterministic ids per prefix."""

    def __init__(self) -> None:
        self._counters: dict[str, int] = {}
        self._lock = threading.Lock()

    def next(self, prefix: str, taken: Container[str] = ()) -> str:
        with self._lock:
            while True:
                number = self._counters.get(prefix, 0) + 1
                self._counters[prefix] = number
                candidate = prefix + base36(number)
                if candidate not in taken:
                    return candidate


class TsFactory:
    """Strictly increasing message timestamps from a clock."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            self._last = max(round(self._clock() * _MICROS), self._last + 1)
            return ts_from_micros(self._last)


def trigger_id(counter: int) -> str:
    """A trigger id like Slack's: `<digits>.<digits>.<hex>`."""
    return f"{counter}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"


def url_secret() -> str:
    return secrets.token_urlsafe(18)
