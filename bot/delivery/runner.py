"""The delivery worker in a thread: delivers whenever something is enqueued, and otherwise every poll interval.

Rules:
- `wake()` (call it after committing an outbox row) sets an Event the thread waits on; without it the thread
  looks again after `poll_interval`, or sooner when the last batch put a row back or retried it earlier than that.
- A full batch is followed by another at once; an empty one waits.
- An error in a batch is logged and the thread goes on after the poll interval: a database outage does not kill
  delivery. `stop()` sets the stop flag, wakes the thread and joins it; the batch in flight is finished first.
"""

import logging
import threading
from datetime import timedelta

from bot.delivery.worker import Deliverer

log = logging.getLogger(__name__)


class DeliveryRunner:
    def __init__(self, deliverer: Deliverer, *, name: str = "delivery") -> None:
        self.deliverer = deliverer
        self._woken = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> "DeliveryRunner":
        self._thread.start()
        return self

    def wake(self) -> None:
        self._woken.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stopping.set()
        self._woken.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        deliverer = self.deliverer
        poll = deliverer.settings.poll_interval
        while not self._stopping.is_set():
            self._woken.clear()
            wait = poll
            try:
                now = deliverer.clock()
                if deliverer.deliver_once(now) >= deliverer.settings.batch_size:
                    continue
                if deliverer.next_due is not None:
                    wait = max(timedelta(0), min(poll, deliverer.next_due - now))
            except Exception:
                log.exception("a delivery batch failed; trying again in %s", poll)
            self._woken.wait(wait.total_seconds())
