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
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Self

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
    """waitress serving `app` on host:port (port 0 picks a free one), in a thread, stopped cleanly."""

    def __init__(self, app: FrontdeskWsgi, *, host: str = "127.0.0.1", port: int = 0, threads: int = 8) -> None:
        self._server = create_server(app, host=host, port=port, threads=threads, ident="frontdesk")
        self._thread = threading.Thread(target=self._server.run, name="frontdesk-web", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.effective_port)  # type: ignore[union-attr]

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

    def close(self) -> None:
        """Finish the requests being served, then close the sockets and stop the loop."""
        self._server.task_dispatcher.shutdown(timeout=5)  # type: ignore[union-attr]
        if self._thread.is_alive():
            self._server.trigger.pull_trigger(self._server.close)  # type: ignore[union-attr]  # in the loop's thread
            self._thread.join(timeout=5)
        else:
            self._server.close()
