"""A heartbeat that keeps the leases of the rows a worker is working on while it works.

Rules (docs/operations.md, "Recovery"):
- Leases are short (seconds), so the rows of a worker that died are taken again within seconds; a live worker
  renews them every `every` seconds for as long as it holds them, however long its Slack calls take.
- `renew(elapsed)` is given the time elapsed since the heartbeat started (monotonic), so a worker on an injected
  clock renews relative to its own `now`. A renewal that fails (the database is away) is logged and tried at the
  next beat; the lease then runs out, which is what a database outage should do.
- Used as a context manager: it beats from entry to exit, and exit waits for a beat in progress.
"""

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from types import TracebackType

log = logging.getLogger(__name__)
EVERY = 1.0


class Heartbeat:
    def __init__(self, renew: Callable[[timedelta], object], every: float = EVERY) -> None:
        self._renew, self._every = renew, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="lease-heartbeat", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self._every):
            try:
                self._renew(timedelta(seconds=time.monotonic() - self._started))
            except Exception:  # the database is away: the next beat tries again, or the lease runs out
                log.warning("leases could not be renewed", exc_info=True)
