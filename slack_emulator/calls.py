"""The record of every call the emulator answered, and waiting on it without sleeping.

Rules:
- A call is recorded once its answer is decided and before the answer is sent, so a client that has its answer
  finds its call in the log.
- Besides Web API methods, these are recorded under their own names: `UPLOAD` (bytes sent to an upload URL),
  `DOWNLOAD` (a file fetched from its private URL), `RESPONSE_URL` (a post to a response URL, e.g. Bolt's
  `respond()`), `SOCKET_CONNECT` (a Socket Mode connection opened) and `SOCKET_ACK` (an envelope acknowledged).
- `wait_for(predicate, timeout)` re-evaluates `predicate(calls)` each time something is recorded (a
  `threading.Condition`, no polling) and returns its first truthy result, or raises `TimeoutError` that lists the
  calls seen, so a failing test says what did happen.
- Recorded values are snapshots: params and headers are copies, headers with lower-case names.
- A call is in flight from its arrival to its record: `wait_for_in_flight(method, count, where=...)` waits until
  `count` calls of `method` (whose params satisfy `where`) are being answered at once (e.g. every worker thread
  inside a slow look-up).
- `time` is when the answer was decided (after any latency), `received` when the request arrived (before it),
  both on the workspace clock; `received` is None where there is no request (a Socket Mode ack).
"""

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

UPLOAD = "upload"
DOWNLOAD = "download"
RESPONSE_URL = "response_url"
SOCKET_CONNECT = "socket_mode.connect"
SOCKET_ACK = "socket_mode.ack"


@dataclass(frozen=True)
class Call:
    """One request and the answer it got."""

    method: str
    params: Mapping[str, Any]
    headers: Mapping[str, str] = field(repr=False)
    time: float
    status: int
    response: Mapping[str, Any]
    token: str | None = field(default=None, repr=False)
    received: float | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.response.get("ok", True) is True

    @property
    def error(self) -> str | None:
        error = self.response.get("error")
        return None if error is None else str(error)

    def arg(self, name: str) -> Any:
        """An argument, with JSON text (as forms carry `blocks`, `view`, `files`) decoded."""
        value = self.params.get(name)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value


class CallLog:
    def __init__(self) -> None:
        self._calls: list[Call] = []
        self._in_flight: list[tuple[str, dict[str, Any]]] = []
        self._changed = threading.Condition()

    @contextmanager
    def in_flight(self, method: str, params: Mapping[str, Any]) -> Iterator[None]:
        """A call of `method` with `params` is in flight while the block runs (from its arrival to its answer)."""
        entry = (method, dict(params))
        with self._changed:
            self._in_flight.append(entry)
            self._changed.notify_all()
        try:
            yield
        finally:
            with self._changed:
                self._in_flight.remove(entry)
                self._changed.notify_all()

    def wait_for_in_flight(
        self, method: str, count: int, where: Callable[[Mapping[str, Any]], bool] | None, timeout: float
    ) -> None:
        """Waits until at least `count` calls of `method` (whose params satisfy `where`) are in flight at once."""

        def enough() -> bool:
            found = [p for m, p in self._in_flight if m == method and (where is None or where(p))]
            return len(found) >= count

        with self._changed:
            if not self._changed.wait_for(enough, timeout):
                raise TimeoutError(f"{count} {method} calls were never in flight at once within {timeout}s")

    def record(self, call: Call) -> None:
        with self._changed:
            self._calls.append(call)
            self._changed.notify_all()

    def notify(self) -> None:
        """Wake the waiters: something they may be watching changed outside the log."""
        with self._changed:
            self._changed.notify_all()

    def calls(self, method: str | None = None) -> list[Call]:
        with self._changed:
            return [c for c in self._calls if method is None or c.method == method]

    def clear(self) -> None:
        with self._changed:
            self._calls.clear()

    def wait_for(self, predicate: Callable[[list[Call]], T], timeout: float = 5.0) -> T:
        result: list[T] = []

        def satisfied() -> bool:
            value = predicate(list(self._calls))
            if value:
                result.append(value)
            return bool(value)

        with self._changed:
            if self._changed.wait_for(satisfied, timeout):
                return result[-1]
            seen = ", ".join(f"{c.method}({c.error or c.status})" for c in self._calls) or "none"
        raise TimeoutError(f"condition not met within {timeout}s; calls seen: {seen}")

    def wait_for_call(
        self, method: str, where: Callable[[Call], bool] | None = None, *, count: int = 1, timeout: float = 5.0
    ) -> Call:
        """The `count`-th call of `method` (that satisfies `where`), waiting for it if need be."""

        def matching(calls: list[Call]) -> Call | None:
            found = [c for c in calls if c.method == method and (where is None or where(c))]
            return found[count - 1] if len(found) >= count else None

        found = self.wait_for(matching, timeout)
        assert found is not None  # wait_for returns only a truthy result
        return found
