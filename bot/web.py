"""The HTTP side of `frontdesk run --http`: Slack's endpoint and the health check, on a production server.

Rules (DESIGN.md, "Contracts"):
- `POST /slack/events` takes events, commands, interactivity and options (Bolt's WSGI adapter).
- `GET /healthz` answers 200 when the database answers, 503 otherwise; it says nothing secret.
- `GET /status` is the public status page (bot.status_page), never cached; a database that fails answers 503
  with one line, never a traceback. Without a page (`status_page` None) it is 404.
- Anything else is 404. The server is waitress (threads, no Bolt development server).
"""

import logging
import threading
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import create_server

from storage.errors import StorageError

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

SLACK_PATH = "/slack/events"
STATUS_PATH = "/status"
logger = logging.getLogger(__name__)


class FrontdeskWsgi:
    """Routes a request to Slack's handler or the health check."""

    def __init__(
        self, slack_app: App, healthy: Callable[[], bool], status_page: Callable[[], str] | None = None
    ) -> None:
        self._slack = SlackRequestHandler(slack_app, path=SLACK_PATH)
        self._healthy = healthy
        self._status_page = status_page

    def __call__(self, environ: "WSGIEnvironment", start_response: "StartResponse") -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == SLACK_PATH:
            return self._slack(environ, start_response)
        if path == "/healthz" and method in ("GET", "HEAD"):
            ok = self._healthy()
            return _text(start_response, "200 OK" if ok else "503 Service Unavailable", "ok\n" if ok else "down\n")
        if path == STATUS_PATH and method in ("GET", "HEAD") and self._status_page is not None:
            return self._page(start_response)
        return _text(start_response, "404 Not Found", "not found\n")

    def _page(self, start_response: "StartResponse") -> list[bytes]:
        assert self._status_page is not None
        try:
            page = self._status_page()
        except StorageError:
            logger.exception("the status page could not read the database")
            return _text(start_response, "503 Service Unavailable", "status unavailable\n")
        return _text(start_response, "200 OK", page, "text/html", [("Cache-Control", "no-cache")])


def _text(
    start_response: "StartResponse",
    status: str,
    text: str,
    kind: str = "text/plain",
    extra: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    body = text.encode()
    headers = [("Content-Type", f"{kind}; charset=utf-8"), ("Content-Length", str(len(body))), *(extra or [])]
    start_response(status, headers)
    return [body]


class WebServer:
    """waitress serving `app` on host:port (port 0 picks a free one), in a thread, stopped cleanly.

    `close()` stops accepting, lets the requests in hand finish and their answers reach the client, then closes
    every connection, so the server's loop ends and its thread is joined: nothing of it outlives `close()`.
    """

    def __init__(self, app: FrontdeskWsgi, *, host: str = "127.0.0.1", port: int = 0, threads: int = 8) -> None:
        self._server: Any = create_server(app, host=host, port=port, threads=threads, ident="frontdesk")
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
