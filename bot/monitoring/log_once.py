"""One log line per kind of refusal, not one per request: a flood of bad requests cannot flood the log.

Rules:
- `say(kind, message, *args)` logs the first time `kind` is seen and never again for the process's life.
- At most `limit` kinds are remembered; past that one last line says that further kinds are not logged.
"""

import logging
import threading
from typing import Any


class LogOnce:
    """Logs each kind once, at `level`, on `logger`."""

    def __init__(self, logger: logging.Logger, level: int = logging.WARNING, *, limit: int = 1000) -> None:
        self._logger, self._level, self._limit = logger, level, limit
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def say(self, kind: str, message: str, *args: Any) -> None:
        with self._lock:
            if kind in self._seen or len(self._seen) > self._limit:
                return
            self._seen.add(kind)
            full = len(self._seen) > self._limit
        if full:
            self._logger.log(self._level, "more than %d kinds of refusal; the others are not logged", self._limit)
        else:
            self._logger.log(self._level, message, *args)
