"""A Bolt app served over HTTP on a loopback port, the way Slack reaches a deployed app, for the companion's tests.

Rules:
- Bolt's WSGI adapter (`slack_bolt.adapter.wsgi.SlackRequestHandler`) on the standard library's WSGI server with
  a thread per request, port 0; `url` is the app's `/slack/events`.
- Stopping shuts the server, joins its request threads and closes its socket (no ResourceWarning).
"""

import threading
from socketserver import ThreadingMixIn
from types import TracebackType
from typing import Any, Self
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = False
    block_on_close = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class BoltServer:
    def __init__(self, app: App) -> None:
        self._server = make_server(
            "127.0.0.1", 0, SlackRequestHandler(app), server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/slack/events"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()
