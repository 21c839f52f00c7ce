"""A scriptable loopback HTTP server: the body of every vendor stand-in.

Rules:
- `StandIn(routes, check=...)` binds a ThreadingHTTPServer to 127.0.0.1 on a free port when started (`start()` or
  `with`); `url` is `http://127.0.0.1:<port>` (no trailing slash). `stop()` ends waits and waits for every request
  in hand to be answered, so no socket is left open; a handler still busy after `STOP_WAIT` seconds (a stand-in
  that deadlocked) makes `stop()` raise instead of hanging the suite.
- `routes` maps `(METHOD, template)` to a handler; templates are OpenAPI-style paths (`/repos/{owner}/{repo}/issues`),
  a `{name}` matching one path segment. The handler gets a `Received` (method, path, query, lower-case headers, raw
  body, parsed JSON, the template's parameters) and returns an `Answer` (status, JSON body, headers). No route:
  404. An exception in a handler answers 500 and is kept in `internal_errors`, so a test can tell a stand-in bug
  from a bot bug.
- `check(received)` (e.g. `openapi.Description.problems`) runs before the handler: a request it finds problems
  with is answered 400 and its problems are kept in `problems`; tests assert `problems == []` (the stand-in is at
  least as strict as the vendor).
- Faults are scripted per route, consumed in order by the requests that match (`fault(method, template, *faults)`):
  `Status(code, headers, json)` answers that instead of the handler (429 with Retry-After, 5xx);
  `Lost(act=True)` runs the handler (the vendor acted) or not, then closes the connection without an answer;
  `Slow(seconds)` waits that long (ended at once by `stop()`) before answering normally.
- A vendor's stand-in holds its StandIn as `server` and takes `Served` for `with`, `url` and `problems`.
- `received` lists every request in arrival order (recorded before it is answered); `wait_for(predicate, timeout)`
  waits on a condition over that list and returns the predicate's first true value.
"""

import json
import re
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import parse_qs, urlsplit

T = TypeVar("T")
STOP_WAIT = 10.0


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    template: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass(frozen=True)
class Answer:
    status: int = 200
    json: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Status:
    """Answer this instead of the handler."""

    code: int
    headers: Mapping[str, str] = field(default_factory=dict)
    json: Any = None


@dataclass(frozen=True)
class Lost:
    """Close the connection without an answer, after running the handler (`act`) or not."""

    act: bool = True


@dataclass(frozen=True)
class Slow:
    """Wait `seconds` before answering normally."""

    seconds: float


Fault = Status | Lost | Slow
Handler = Callable[[Received], Answer]
Check = Callable[[Received], list[str]]


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", template)
    regex = "".join(f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part) for part in parts)
    return re.compile(f"^{regex}$")


class StandIn:
    """One vendor's loopback server; see the module's rules."""

    def __init__(self, routes: Mapping[tuple[str, str], Handler], *, check: Check | None = None) -> None:
        self._routes = [
            (method, template, _pattern(template), handler) for (method, template), handler in routes.items()
        ]
        self._check = check
        self._faults: dict[tuple[str, str], deque[Fault]] = {}
        self._lock = threading.Condition()
        self._stopping = threading.Event()
        self.received: list[Received] = []
        self.problems: list[str] = []
        self.internal_errors: list[BaseException] = []
        self._in_hand = 0  # requests being answered
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start the stand-in first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> Self:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        server.daemon_threads = True  # stop() waits for the requests in hand itself, with a bound
        server.block_on_close = False
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if not self._lock.wait_for(lambda: self._in_hand == 0, STOP_WAIT):
                raise RuntimeError(
                    f"{self._in_hand} request(s) still in hand {STOP_WAIT} s after stop: a stuck handler"
                )

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def fault(self, method: str, template: str, *faults: Fault) -> None:
        """The next requests matching (method, template) meet these faults, one each, in order."""
        with self._lock:
            self._faults.setdefault((method, template), deque()).extend(faults)

    def wait_for(self, predicate: Callable[[list[Received]], T], timeout: float = 5.0) -> T:
        with self._lock:
            result = predicate(list(self.received))
            if not result and not self._lock.wait_for(lambda: predicate(list(self.received)), timeout):
                raise TimeoutError(f"the stand-in did not receive what was awaited within {timeout} s")
            return predicate(list(self.received))

    def calls(self, method: str, template: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.method == method and r.template == template]

    def _route(self, method: str, path: str) -> tuple[str | None, Handler | None, dict[str, str]]:
        for route_method, template, pattern, handler in self._routes:
            if route_method == method and (match := pattern.match(path)):
                return template, handler, match.groupdict()
        return None, None, {}

    def _next_fault(self, method: str, template: str | None) -> Fault | None:
        with self._lock:
            queue = self._faults.get((method, template or ""))
            return queue.popleft() if queue else None

    def _record(self, received: Received, problems: list[str]) -> None:
        with self._lock:
            self.received.append(received)
            self.problems.extend(f"{received.method} {received.path}: {problem}" for problem in problems)
            self._lock.notify_all()

    def serve(self, received: Received) -> Answer | Lost:
        """What to answer `received` (called by the request handler)."""
        template, handler, params = self._route(received.method, received.path)
        received = Received(
            received.method, received.path, received.query, received.headers, received.body, template, params
        )
        problems = self._check(received) if self._check is not None and template is not None else []
        self._record(received, problems)
        if handler is None:
            return Answer(404, {"message": "Not Found"})
        if problems:
            return Answer(400, {"message": "; ".join(problems)})
        fault = self._next_fault(received.method, template)
        if isinstance(fault, Slow):
            self._stopping.wait(fault.seconds)
        if isinstance(fault, Status):
            return Answer(fault.code, fault.json, fault.headers)
        if isinstance(fault, Lost) and not fault.act:
            return fault
        try:
            answer = handler(received)
        except Exception as error:  # a stand-in bug: kept for the test to see
            self.internal_errors.append(error)
            return Answer(500, {"message": f"stand-in error: {error}"})
        return fault if isinstance(fault, Lost) else answer


def _handler_class(stand_in: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _any(self) -> None:
            with stand_in._lock:
                stand_in._in_hand += 1
            try:
                self._answer()
            finally:
                with stand_in._lock:
                    stand_in._in_hand -= 1
                    stand_in._lock.notify_all()

        def _answer(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            received = Received(self.command, split.path, parse_qs(split.query), headers, body)
            answer = stand_in.serve(received)
            if isinstance(answer, Lost):
                self.close_connection = True
                self.connection.close()
                return
            payload = b"" if answer.json is None else json.dumps(answer.json).encode()
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if payload:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            try:
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (a timeout)
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

    return Handler


class Served:
    """What every vendor stand-in that holds a StandIn as `server` offers: `with`, `url`, `problems`."""

    server: StandIn

    def __enter__(self) -> Self:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def problems(self) -> list[str]:
        return self.server.problems
