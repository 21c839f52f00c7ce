"""A worker thread: runs a step whenever woken, or when the step's own wait runs out; stops cleanly.

Rules:
- `step()` does one round of work and returns how long to wait before the next round (zero: at once).
- `wake()` (call it after committing work for the step) ends the wait early.
- An error in a step is logged and the thread goes on after `poll`: a database outage does not kill it.
- `stop()` sets the stop flag, wakes the thread and joins it; the round in flight is finished first.
"""

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

log = logging.getLogger(__name__)


class Runner:
    def __init__(self, step: Callable[[], timedelta], *, name: str, poll: timedelta) -> None:
        self._step, self._poll = step, poll
        self._woken = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> "Runner":
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
        while not self._stopping.is_set():
            self._woken.clear()
            try:
                wait = self._step()
            except Exception:
                log.exception("a %s round failed; trying again in %s", self._thread.name, self._poll)
                wait = self._poll
            if wait > timedelta(0):
                self._woken.wait(wait.total_seconds())
