"""The delivery worker's settings, and the backoff between tries of a row that failed for a passing reason.

Rules:
- `max_attempts` counts tries that reached Slack (or the network): a row put back unsent (its channel over its
  pace, a method blocked by a 429 before the try, a row it needs not sent yet) does not spend one.
- Backoff after the n-th failed try: `backoff_base * 2**(n-1)`, at most `backoff_cap`, with "equal jitter"
  (half of it fixed, half drawn from the injected random), so workers that failed together do not retry together.
- Leases are short (`lease_for`, 8 s) and renewed by a heartbeat (bot.threads.heartbeat) while the batch is being sent,
  so a slow batch is never claimed again while it is being sent, and a crashed worker's rows go within seconds.
"""

import random
from dataclasses import dataclass, field
from datetime import timedelta

from bot.delivery.pacing import Pace


@dataclass(frozen=True)
class DeliverySettings:
    batch_size: int = 20
    lease_for: timedelta = timedelta(seconds=8)  # renewed every second while sending: a crash frees rows in 8 s
    max_attempts: int = 8
    backoff_base: timedelta = timedelta(seconds=2)
    backoff_cap: timedelta = timedelta(minutes=10)
    channel_pace: Pace = field(default_factory=Pace)  # chat.postMessage and chat.update, per channel
    reference_wait: timedelta = timedelta(seconds=1)  # how soon to look again at a row waiting for another
    poll_interval: timedelta = timedelta(seconds=1)  # how often the runner looks when not woken

    def __post_init__(self) -> None:
        if self.batch_size < 1 or self.max_attempts < 1:
            raise ValueError("batch_size and max_attempts must be at least 1")
        if self.backoff_base <= timedelta(0) or self.backoff_cap < self.backoff_base:
            raise ValueError("backoff needs 0 < backoff_base <= backoff_cap")

    def backoff(self, failed_tries: int, rng: random.Random) -> timedelta:
        """How long to wait after the `failed_tries`-th failed try (1 for the first)."""
        exponent = min(max(failed_tries, 1) - 1, 32)
        full = min(self.backoff_cap, self.backoff_base * (1 << exponent))
        return full / 2 + full / 2 * rng.random()
