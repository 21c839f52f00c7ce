"""The emulator: a local HTTP server that answers the Slack Web API, and the handle tests and the demo hold.

Rules:
- `SlackEmulator(workspace)` binds a `ThreadingHTTPServer` to 127.0.0.1 on a free port when started (`start()` or
  `with`), serves with `serve_forever(poll_interval=0.05)` and stops promptly: `stop()` ends slow answers, open
  connections and Socket Mode links, then joins every handler thread, so no socket is left open.
- `base_url` ends with a slash (`http://127.0.0.1:<port>/api/`), as slack_sdk's `urljoin` needs:
  `WebClient(token=emulator.bot_token, base_url=emulator.base_url)`, or `emulator.client()`.
- Every call goes: latency -> scripted fault (see `faults`) -> reading the request -> token -> method.
  `emulator.latency = 0.25` (or a `(0.1, 0.3)` range) delays every HTTP answer; `set_latency(name, delay)` one
  method's (or `UPLOAD`'s, ...); the default is 0. A stop ends the wait at once. Its answer is recorded
  (see `calls`) before it is sent. Paths: `/api/<method>`, `/upload/v1/<secret>`, `/files-pri/...`,
  `/response/<secret>`, `/link/` (Socket Mode WebSocket).
- A bot-token call's answer carries the token's scopes (`x-oauth-scopes`), and a method the token holds no
  scope for is `missing_scope` (slack_emulator.scopes; `workspace.grant_scopes(...)` sets them).
- An exception inside the emulator answers 500 `fatal_error` and is kept in `internal_errors`, so a test can
  tell an emulator bug from a bot bug.
"""

import contextlib
import logging
import socket
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import parse_qs, urlsplit

from slack_sdk import WebClient

from slack_emulator.calls import DOWNLOAD, RESPONSE_URL, SOCKET_CONNECT, UPLOAD, Call, CallLog
from slack_emulator.endpoints import Answer, download, respond, response_payload, upload
from slack_emulator.errors import ApiError, rate_limited
from slack_emulator.faults import (
    ChannelPacer,
    ChannelRateLimit,
    Delay,
    Drop,
    Fails,
    Fault,
    FaultScript,
    Latencies,
    RateLimited,
    ServerError,
    Slow,
)
from slack_emulator.methods import Context, check_token, find_method
from slack_emulator.request import ApiRequest, parse_request
from slack_emulator.scopes import check_scopes, scope_headers
from slack_emulator.socket_mode import SocketModeHub
from slack_emulator.websocket import handshake_response
from slack_emulator.workspace import ChannelRef, UserRef, Workspace

log = logging.getLogger(__name__)
T = TypeVar("T")


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        self.server.emulator._handle(self)

    do_POST = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True

    def __init__(self, emulator: "SlackEmulator", host: str, port: int) -> None:
        self.emulator = emulator
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__((host, port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("connection from %s ended with an error", client_address, exc_info=True)


class SlackEmulator:
    """A local Slack: Web API, upload and response URLs, Socket Mode, all on one loopback port."""

    def __init__(
        self,
        workspace: Workspace | None = None,
        *,
        rate_limit: ChannelRateLimit | None = None,
        latency: Delay = 0.0,
        latency_seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.workspace = workspace or Workspace.example()
        self.log = CallLog()
        self.socket_mode = SocketModeHub(self.workspace, self.log)
        self.internal_errors: list[BaseException] = []
        self._faults = FaultScript()
        self._latencies = Latencies(latency, seed=latency_seed)
        self._pacer = ChannelPacer(rate_limit, self.workspace.clock) if rate_limit else None
        self._address = (host, port)
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._context: Context | None = None
        self._root_url: str | None = None

    # -- life ------------------------------------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        self._stopping.clear()
        server = _Server(self, *self._address)
        self._server = server
        host, port = self._address[0], server.server_port
        self._root_url = f"http://{host}:{port}/"
        self.socket_mode.ws_root = f"ws://{host}:{port}/"
        self._context = Context(self.workspace, self._root_url, self._pacer, self.socket_mode.issue_url)
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="slack-emulator", daemon=True
        )
        self._thread.start()
        self.socket_mode.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._stopping.set()
        self.socket_mode.stop()
        server.shutdown()
        thread.join()
        with server.sockets_lock:
            still_open = list(server.open_sockets)
        for sock in still_open:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        server.server_close()
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    # -- what a test or the demo uses ------------------------------------------------------------------------

    @property
    def root_url(self) -> str:
        """`http://127.0.0.1:<port>/`, known once the emulator has started."""
        if self._root_url is None:
            raise RuntimeError("the emulator has no address until it is started")
        return self._root_url

    @property
    def base_url(self) -> str:
        """The Web API base URL for slack_sdk (and `SLACK_API_URL`), with its trailing slash."""
        return f"{self.root_url}api/"

    @property
    def bot_token(self) -> str:
        return self.workspace.app.bot_token

    @property
    def app_token(self) -> str:
        return self.workspace.app.app_token

    @property
    def signing_secret(self) -> str:
        return self.workspace.app.signing_secret

    def client(self, **options: Any) -> WebClient:
        """A slack_sdk WebClient with the bot token, pointed at the emulator."""
        return WebClient(token=self.bot_token, base_url=self.base_url, **options)

    def calls(self, method: str | None = None) -> list[Call]:
        return self.log.calls(method)

    def wait_for(self, predicate: Callable[[list[Call]], T], timeout: float = 5.0) -> T:
        return self.log.wait_for(predicate, timeout)

    def wait_for_call(
        self, method: str, where: Callable[[Call], bool] | None = None, *, count: int = 1, timeout: float = 5.0
    ) -> Call:
        return self.log.wait_for_call(method, where, count=count, timeout=timeout)

    def wait_for_in_flight(
        self,
        method: str,
        count: int = 1,
        *,
        where: Callable[[Mapping[str, Any]], bool] | None = None,
        timeout: float = 5.0,
    ) -> None:
        """Waits until `count` calls of `method` (whose params satisfy `where`) are being answered at once."""
        self.log.wait_for_in_flight(method, count, where, timeout)

    def fail(self, method: str, *faults: Fault, times: int | None = 1) -> None:
        """Answer the next calls of `method` (or `ANY_METHOD`) with `faults`, in order, each `times` times."""
        self._faults.add(method, *faults, times=times)

    def clear_faults(self, method: str | None = None) -> None:
        self._faults.clear(method)

    def pending_faults(self, method: str) -> int | None:
        """Faults still queued for `method` (None: one repeats for ever); waiters wake when one is used."""
        return self._faults.pending(method)

    @property
    def latency(self) -> Delay:
        """How long every answer waits (seconds, or a (low, high) range), unless its method has its own."""
        return self._latencies.default

    @latency.setter
    def latency(self, delay: Delay) -> None:
        self._latencies.default = delay

    def set_latency(self, name: str, delay: Delay | None) -> None:
        """`name`'s own latency (a method, or `UPLOAD`, `DOWNLOAD`, `RESPONSE_URL`); None: the default again."""
        self._latencies.set(name, delay)

    def response_url(self, channel: ChannelRef, user: UserRef, message_ts: str | None = None) -> str:
        """A fresh response URL for an interaction by `user` in `channel` (on `message_ts`)."""
        return f"{self.root_url}response/{self.workspace.issue_response_url(channel, user, message_ts)}"

    # -- serving ---------------------------------------------------------------------------------------------

    def _handle(self, handler: _Handler) -> None:
        url = urlsplit(handler.path)
        path = url.path
        headers = {name.lower(): value for name, value in handler.headers.items()}
        length = int(headers.get("content-length") or 0)
        body = handler.rfile.read(length) if length else b""
        ws = self.workspace
        if path.startswith("/api/"):
            self._api(handler, path.removeprefix("/api/"), url.query, headers, body)
        elif path.startswith("/upload/v1/") and handler.command == "POST":
            secret = path.removeprefix("/upload/v1/")
            params = {"upload": secret, "length": len(body)}
            self._serve(handler, UPLOAD, params, headers, lambda: upload(ws, secret, headers, body))
        elif path.startswith("/files-pri/"):
            rest = path.removeprefix("/files-pri/")
            self._serve(handler, DOWNLOAD, {"path": rest}, headers, lambda: download(ws, rest, headers))
        elif path.startswith("/response/") and handler.command == "POST":
            self._response_url(handler, path.removeprefix("/response/"), headers, body)
        elif path.rstrip("/") == "/link" and headers.get("upgrade", "").lower() == "websocket":
            self._socket_mode(handler, url.query, headers)
        else:
            self._write(handler, Answer.text(404, "not_found"))

    def _api(self, handler: _Handler, method: str, query: str, headers: dict[str, str], body: bytes) -> None:
        request: ApiRequest | None = None
        refusal: ApiError | None = None
        try:
            request = parse_request(method, query, headers, body)
        except ApiError as error:
            refusal = error

        def headers_of(scopes: tuple[str, ...]) -> dict[str, str]:
            return scope_headers(scopes, method)

        def answer() -> Answer:
            if refusal is not None or request is None:
                raise refusal or ApiError("invalid_form_data")
            found = find_method(method)
            check_token(request.token, self.workspace.app, app_token=found.app_token)
            assert self._context is not None
            if found.app_token:
                return Answer(200, {"ok": True, **found.handler(self._context, request)})
            scopes = self.workspace.scopes
            try:
                check_scopes(scopes, method, self._kind_named(request))
                return Answer(200, {"ok": True, **found.handler(self._context, request)}, headers=headers_of(scopes))
            except ApiError as error:
                error.headers = {**headers_of(scopes), **error.headers}
                raise

        params = dict(request.params) if request else {}
        self._serve(handler, method, params, headers, answer, token=request.token if request else None)

    def _kind_named(self, request: ApiRequest) -> str | None:
        """The kind (Slack's channel_type) of the conversation a call names, when the workspace knows it."""
        ref = request.text("channel")
        channel = self.workspace.resolve_channel(ref) if ref else None
        return None if channel is None else str(channel.kind)

    def _response_url(self, handler: _Handler, secret: str, headers: dict[str, str], body: bytes) -> None:
        try:
            payload = response_payload(body)
        except ApiError as error:
            refusal = Answer.refused(error)
            self._serve(handler, RESPONSE_URL, {}, headers, lambda: refusal)
            return
        self._serve(handler, RESPONSE_URL, payload, headers, lambda: respond(self.workspace, secret, payload, headers))

    def _socket_mode(self, handler: _Handler, query: str, headers: dict[str, str]) -> None:
        handler.close_connection = True
        ticket = parse_qs(query).get("ticket", [""])[0]
        fault = self._take_fault(SOCKET_CONNECT)
        key = headers.get("sec-websocket-key", "")
        if fault is not None and not isinstance(fault, Slow):
            self._write(handler, _fault_answer(fault) or Answer.text(503, "unavailable"))
        elif not key or headers.get("sec-websocket-version") != "13":
            self._write(handler, Answer.text(400, "bad websocket handshake"))
        elif not self.socket_mode.admit(ticket):
            self._write(handler, Answer.text(401, "invalid_ticket"))
        else:
            handler.wfile.write(handshake_response(key))
            handler.wfile.flush()
            self.socket_mode.serve(handler.connection, handler.rfile, handler.wfile)

    def _take_fault(self, name: str) -> Fault | None:
        fault = self._faults.take(name)
        if fault is not None:
            self.log.notify()
        if isinstance(fault, Slow):
            self._stopping.wait(fault.seconds)
        return fault

    def _serve(
        self,
        handler: _Handler,
        name: str,
        params: Mapping[str, Any],
        headers: Mapping[str, str],
        compute: Callable[[], Answer],
        *,
        token: str | None = None,
    ) -> None:
        with self.log.in_flight(name, params):
            received = self.workspace.now()
            delay = self._latencies.draw(name)
            if delay > 0:
                self._stopping.wait(delay)
            fault = self._take_fault(name)
            if isinstance(fault, Drop):
                handler.close_connection = True
                dropped = {"error": "connection_dropped"}
                self.log.record(Call(name, params, headers, self.workspace.now(), 0, dropped, token, received))
                return
            answer = _fault_answer(fault) if fault is not None else None
            if answer is None:
                answer = self._computed(name, compute)
            now = self.workspace.now()
            self.log.record(Call(name, params, headers, now, answer.status, answer.recorded(), token, received))
            self._write(handler, answer)

    def _computed(self, name: str, compute: Callable[[], Answer]) -> Answer:
        try:
            return compute()
        except ApiError as error:
            return Answer.refused(error)
        except Exception as error:
            log.exception("the Slack emulator failed on %s", name)
            self.internal_errors.append(error)
            return Answer(500, {"ok": False, "error": "fatal_error"})

    def _write(self, handler: _Handler, answer: Answer) -> None:
        body = answer.body()
        try:
            handler.send_response(answer.status)
            for name, value in answer.headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Type", answer.content_type)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            log.debug("the client left before its answer")


def _fault_answer(fault: Fault | None) -> Answer | None:
    match fault:
        case RateLimited(retry_after=seconds):
            return Answer.refused(rate_limited(seconds))
        case ServerError(status=status, error=error):
            return Answer(status, {"ok": False, "error": error})
        case Fails(error=error, status=status, extra=extra):
            return Answer(status, {"ok": False, "error": error, **extra})
        case _:
            return None
