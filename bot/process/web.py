"""The HTTP side of `frontdesk run --http`: Slack's endpoint, the health check and the status page, on waitress.

Rules (docs/security.md, "The HTTP door"; docs/architecture.md, "HTTP endpoints"):
- `POST /slack/events` goes through the door (bot.slack.door: signature on the raw bytes, size, shape), then to
  the Bolt app. Only POST: any other method is 405 with `Allow: POST`.
- `GET /healthz` answers 200 when the database answers, 503 otherwise; it says nothing secret.
- `GET /status` is the public status page (bot.reports.status_page), never cached; a database that fails answers 503
  with one line, never a traceback. Without a page (`status_page` None) it is 404.
- `GET /metrics` is the Prometheus page (bot.monitoring.scrape), only when the app is built with one (`metrics`):
  `frontdesk run --http` without FRONTDESK_METRICS_PORT; with it, the page is served on that port alone
  (`MetricsWsgi`) and is 404 here (docs/security.md, "Metrics"). Matched on its exact path, like every route.
- Every path under `/api/` goes to the read API (bot.api.door) when the app is built with one (`api`): its own
  exact paths, bearer tokens and JSON answers with `Cache-Control: no-store` (docs/security.md, "The read API").
- Every path under `/integrations/` goes to the trackers' webhook door (bot.integrations.trackers.door) when the
  app is built with one (`trackers`): `POST /integrations/github`, `POST /integrations/jira`, signed by the vendor
  (docs/security.md, "Tracker webhooks").
- `/healthz`, `/status` and `/metrics` take GET and HEAD only (405 with `Allow: GET, HEAD`); HEAD answers the
  headers alone. Anything else is 404.
- Every answer carries `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, `X-Frame-Options:
  DENY` and a Content-Security-Policy that allows nothing (the status page: its inline styles alone).
- waitress is set so slow or stalled clients cannot starve it (`WebServer`): at most `connection_limit`
  connections, polled (no select() limit of 1,024 sockets); a request must arrive whole within `channel_timeout`
  of its first byte, and an idle connection is closed after as long; headers over 32 KiB and bodies over 1 MiB
  are refused. A request is served by a thread only once it has arrived whole, so stalled clients hold no thread.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from slack_bolt import App
from waitress.channel import HTTPChannel
from waitress.server import create_server

from bot.api.door import ReadApi
from bot.integrations.trackers.door import PREFIX as TRACKERS_PREFIX
from bot.integrations.trackers.door import TrackerDoor
from bot.monitoring.scrape import MetricsPage
from bot.slack.door import MAX_BODY, Answer, SlackDoor
from storage.errors import StorageError

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

SLACK_PATH = "/slack/events"
STATUS_PATH = "/status"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
API_PREFIX = "/api/"
_READ = ("GET", "HEAD")
_NO_FRAMING = "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
NOTHING_ALLOWED = f"default-src 'none'; {_NO_FRAMING}"
PAGE_POLICY = f"default-src 'none'; style-src 'unsafe-inline'; {_NO_FRAMING}"  # the page's one <style> block
SECURITY_HEADERS = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
                    ("X-Frame-Options", "DENY"))  # fmt: skip
logger = logging.getLogger(__name__)


class FrontdeskWsgi:
    """Routes a request to Slack's door, the health check, the status page, the metrics or the read API."""

    def __init__(
        self,
        slack_app: App,
        healthy: Callable[[], bool],
        status_page: Callable[[], str] | None = None,
        *,
        signing_secret: str,
        clock: Callable[[], float] = time.time,
        metrics: MetricsPage | None = None,
        api: ReadApi | None = None,
        trackers: TrackerDoor | None = None,
    ) -> None:
        self._slack = SlackDoor(slack_app, signing_secret, clock)
        self._trackers = trackers
        self._healthy = healthy
        self._status_page = status_page
        self._metrics = metrics
        self._api = api

    def __call__(self, environ: "WSGIEnvironment", start_response: "StartResponse") -> Iterable[bytes]:
        return _respond(self._answer(environ), environ, start_response)

    def _answer(self, environ: Mapping[str, Any]) -> Answer:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == SLACK_PATH:
            return self._slack(environ) if method == "POST" else _not_allowed("POST")
        if path == HEALTH_PATH:
            if method not in _READ:
                return _not_allowed("GET, HEAD")
            return _text(200, "ok\n") if self._healthy() else _text(503, "down\n")
        if path == STATUS_PATH and self._status_page is not None:
            return self._page() if method in _READ else _not_allowed("GET, HEAD")
        if path == METRICS_PATH and self._metrics is not None:
            return _metrics(self._metrics) if method in _READ else _not_allowed("GET, HEAD")
        if path.startswith(API_PREFIX) and self._api is not None:
            answer = self._api(environ)
            return Answer(answer.status, answer.body, answer.headers)
        if path.startswith(TRACKERS_PREFIX) and self._trackers is not None:
            received = self._trackers(environ)
            return Answer(received.status, received.body, received.headers)
        return _text(404, "not found\n")

    def _page(self) -> Answer:
        assert self._status_page is not None
        try:
            page = self._status_page()
        except StorageError:
            logger.exception("the status page could not read the database")
            return _text(503, "status unavailable\n")
        html = (("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-cache"),
                ("Content-Security-Policy", PAGE_POLICY))  # fmt: skip
        return Answer(200, page.encode(), html)


class MetricsWsgi:
    """`GET /metrics` alone, for a port of its own (FRONTDESK_METRICS_PORT): anything else is 404."""

    def __init__(self, metrics: MetricsPage) -> None:
        self._metrics = metrics

    def __call__(self, environ: "WSGIEnvironment", start_response: "StartResponse") -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path != METRICS_PATH:
            answer = _text(404, "not found\n")
        else:
            answer = _metrics(self._metrics) if method in _READ else _not_allowed("GET, HEAD")
        return _respond(answer, environ, start_response)


def _respond(answer: Answer, environ: "WSGIEnvironment", start_response: "StartResponse") -> Iterable[bytes]:
    status = f"{answer.status} {HTTPStatus(answer.status).phrase}"
    headers = [*answer.headers, ("Content-Length", str(len(answer.body))), *SECURITY_HEADERS]
    if not any(name == "Content-Security-Policy" for name, _ in answer.headers):
        headers.append(("Content-Security-Policy", NOTHING_ALLOWED))
    start_response(status, headers)
    return [] if environ.get("REQUEST_METHOD") == "HEAD" else [answer.body]


def _metrics(metrics: MetricsPage) -> Answer:
    return Answer(200, metrics(), (("Content-Type", metrics.content_type), ("Cache-Control", "no-cache")))


def _text(status: int, text: str) -> Answer:
    return Answer(status, text.encode())


def _not_allowed(methods: str) -> Answer:
    return Answer(405, b"method not allowed\n", (("Content-Type", "text/plain; charset=utf-8"), ("Allow", methods)))


class _RequestDeadline(HTTPChannel):
    """A connection whose request must arrive whole within the channel timeout of its first byte.

    waitress counts the timeout from the last byte received, so a client sending one byte at a time would keep
    its connection for ever; here, while a request is incomplete, its activity stays at the time it began, and
    waitress's own sweep closes it once that is older than the timeout."""

    _started: float | None = None

    def received(self, data: bytes) -> bool:
        before = self.request
        done = bool(super().received(data))
        if self.request is None:
            self._started = None
        elif self.request is not before or self._started is None:
            self._started = time.time()
        if self._started is not None:
            self.last_activity = self._started
        return done


class WebServer:
    """waitress serving `app` on host:port (port 0 picks a free one), in a thread, stopped cleanly.

    `channel_timeout` (seconds) bounds both the time a request may take to arrive and a connection's idleness;
    `connection_limit` is how many connections are held at once (stalled ones included) before new ones wait.

    `close()` stops accepting, lets the requests in hand finish and their answers reach the client, then closes
    every connection, so the server's loop ends and its thread is joined: nothing of it outlives `close()`.
    """

    def __init__(
        self,
        app: FrontdeskWsgi | MetricsWsgi,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        threads: int = 8,
        channel_timeout: int = 15,
        connection_limit: int = 1000,
    ) -> None:
        self._server: Any = create_server(
            app,
            host=host,
            port=port,
            threads=threads,
            ident="frontdesk",
            connection_limit=connection_limit,
            channel_timeout=channel_timeout,
            cleanup_interval=1,
            asyncore_use_poll=True,
            max_request_header_size=32 * 1024,
            max_request_body_size=MAX_BODY + 1,  # waitress refuses a body of this size or more
            inbuf_overflow=64 * 1024,
        )
        self._server.channel_class = _RequestDeadline
        self._thread = threading.Thread(target=self._server.run, name="frontdesk-web", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve_forever(self) -> None:
        self._server.run()

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self, grace: float = 10.0) -> None:
        """Finish the requests being served (for at most `grace` seconds), then close every socket."""
        deadline = time.monotonic() + grace
        if not self._thread.is_alive():
            self._close_all()
            return
        self._in_loop(self._stop_accepting)
        self._finish_tasks(deadline)
        self._wait_until_flushed(deadline)
        self._in_loop(self._close_all)
        self._thread.join(max(deadline - time.monotonic(), 1.0))

    def _in_loop(self, thunk: Callable[[], None]) -> None:
        """Run `thunk` in the server loop's thread, the only one that may touch its sockets.

        waitress queues the thunk before it writes to the trigger's pipe, so a loop already reading the pipe can
        run it first; when that thunk closed the trigger (`_close_all`), the write finds the pipe closed, and the
        thunk has run: that error is the thunk's success."""
        trigger = self._server.trigger
        try:
            trigger.pull_trigger(thunk)
        except OSError:
            if not trigger._closed:
                raise

    def _stop_accepting(self) -> None:
        self._server.accepting = False
        self._server.del_channel()
        self._server.socket.close()

    def _finish_tasks(self, deadline: float) -> None:
        """Wait until no request is queued or being served, then end the task threads."""
        dispatcher = self._server.task_dispatcher
        with dispatcher.lock:
            while (dispatcher.queue or dispatcher.active_count) and time.monotonic() < deadline:
                dispatcher.thread_exit_cv.wait(0.05)
        dispatcher.shutdown(timeout=max(deadline - time.monotonic(), 0.1))

    def _wait_until_flushed(self, deadline: float) -> None:
        """Wait until every answer written by a task has been sent by the loop."""
        while time.monotonic() < deadline and any(
            getattr(channel, "total_outbufs_len", 0) for channel in list(self._server._map.values())
        ):
            time.sleep(0.02)

    def _close_all(self) -> None:
        """Close every connection, the listening socket and the loop's trigger: the loop has nothing left to
        wait on, so it returns."""
        for channel in list(self._server._map.values()):
            if channel is not self._server.trigger:
                channel.close()
        self._server.trigger.close()
