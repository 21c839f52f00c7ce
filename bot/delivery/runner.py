"""The delivery worker in a thread: delivers whenever something is enqueued, and otherwise every poll interval.

Rules:
- `wake()` (call it after committing an outbox row) sets an Event the thread waits on; without it the thread
  looks again after `poll_interval`, or sooner when the last batch put a row back or retried it earlier than that.
- A full batch is followed by another at once; an empty one waits.
- Errors, waking and stopping are those of bot.runner.Runner.
"""

from datetime import timedelta

from bot.delivery.worker import Deliverer
from bot.runner import Runner


class DeliveryRunner(Runner):
    def __init__(self, deliverer: Deliverer, *, name: str = "delivery") -> None:
        self.deliverer = deliverer
        super().__init__(self._deliver, name=name, poll=deliverer.settings.poll_interval)

    def _deliver(self) -> timedelta:
        deliverer, poll = self.deliverer, self.deliverer.settings.poll_interval
        now = deliverer.clock()
        if deliverer.deliver_once(now) >= deliverer.settings.batch_size:
            return timedelta(0)
        if deliverer.next_due is not None:
            return max(timedelta(0), min(poll, deliverer.next_due - now))
        return poll
