"""Socket Mode: the WebSocket side of Slack that apps.connections.open points a client at.

Rules:
- apps.connections.open issues a one-time URL `ws://127.0.0.1:<port>/link/?ticket=<secret>&app_id=<app>` (plain
  ws on loopback: slack_sdk's builtin client speaks TLS only on port 443). An unknown or used ticket gets 401.
- On connect the hub sends `hello` (with `num_connections`, `debug_info`, `connection_info.app_id`), answers pings
  with pongs and a close with a close.
- `deliver` sends one envelope (`envelope_id`, `type` = `events_api` | `slash_commands` | `interactive`, `payload`,
  `accepts_response_payload`, and for events `retry_attempt`/`retry_reason`) to one connection (round robin, as
  Slack spreads payloads over up to 10 connections) and waits for the ack `{"envelope_id", "payload"?}`. No ack
  within the timeout is `acked=False`, as Slack would count it (and retry an event).
- `send_disconnect(reason)` sends Slack's `disconnect` message (`warning`, `refresh_requested`, `link_disabled`);
  slack_sdk's client then opens a new connection.
- Like Slack, the hub pings every connection regularly (`ping_interval`, 0.1 s by default). Besides keeping the
  link alive, this wakes slack_sdk's builtin client from its 3-second socket read, so closing the app's handler
  (do it before stopping the emulator) takes a fraction of a second.
- Connections and acks are recorded in the call log (`SOCKET_CONNECT`, `SOCKET_ACK`). `close_all` ends every
  connection at once (the emulator does it on stop).
"""

import contextlib
import json
import socket
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from slack_emulator.calls import SOCKET_ACK, SOCKET_CONNECT, Call, CallLog
from slack_emulator.ids import url_secret
from slack_emulator.websocket import ByteReader, ByteWriter, Opcode, ProtocolError, encode_frame, read_message
from slack_emulator.workspace import Workspace


@dataclass(frozen=True)
class ConnectionInfo:
    id: str
    opened_at: float


@dataclass(frozen=True)
class SocketAck:
    """What came back for one envelope."""

    envelope_id: str
    acked: bool
    payload: Mapping[str, Any] | None
    elapsed: float
    connection_id: str | None = field(default=None, repr=False)


class _Connection:
    def __init__(self, connection_id: str, opened_at: float, sock: socket.socket, writer: ByteWriter) -> None:
        self.info = ConnectionInfo(connection_id, opened_at)
        self._sock = sock
        self._writer = writer
        self._send_lock = threading.Lock()

    def send(self, opcode: int, payload: bytes) -> None:
        """Send one frame; a connection that has gone raises `ConnectionError`."""
        with self._send_lock:
            try:
                self._writer.write(encode_frame(opcode, payload))
                self._writer.flush()
            except ValueError as closed:  # the handler has closed its stream
                raise ConnectionError("the Socket Mode connection is closed") from closed

    def send_json(self, message: Mapping[str, Any]) -> None:
        self.send(Opcode.TEXT, json.dumps(message).encode("utf-8"))

    def shut(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)


class SocketModeHub:
    def __init__(self, workspace: Workspace, log: CallLog, *, ping_interval: float = 0.1) -> None:
        self._workspace = workspace
        self._ping_interval = ping_interval
        self._stopping = threading.Event()
        self._pinger: threading.Thread | None = None
        self._log = log
        self._changed = threading.Condition()
        self._tickets: set[str] = set()
        self._connections: dict[str, _Connection] = {}
        self._acks: dict[str, Mapping[str, Any]] = {}
        self._turn = 0
        self.ws_root = ""

    # -- life ------------------------------------------------------------------------------------------------

    def start(self) -> None:
        self._stopping.clear()
        self._pinger = threading.Thread(target=self._ping_forever, name="slack-emulator-pings", daemon=True)
        self._pinger.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._pinger is not None:
            self._pinger.join()
            self._pinger = None
        self.close_all()

    def _ping_forever(self) -> None:
        while not self._stopping.wait(self._ping_interval):
            with self._changed:
                connections = list(self._connections.values())
            for connection in connections:
                try:
                    connection.send(Opcode.PING, b"emulator")
                except OSError:
                    connection.shut()

    # -- connecting ------------------------------------------------------------------------------------------

    def issue_url(self) -> str:
        ticket = url_secret()
        with self._changed:
            self._tickets.add(ticket)
        return f"{self.ws_root}link/?ticket={ticket}&app_id={self._workspace.app.app_id}"

    def admit(self, ticket: str) -> bool:
        with self._changed:
            if ticket in self._tickets:
                self._tickets.discard(ticket)
                return True
            return False

    def serve(self, sock: socket.socket, reader: ByteReader, writer: ByteWriter) -> None:
        """Run one connection until it closes (on the HTTP handler's thread, after the handshake)."""
        connection = _Connection(uuid.uuid4().hex, self._workspace.now(), sock, writer)
        with self._changed:
            self._connections[connection.info.id] = connection
            count = len(self._connections)
            self._changed.notify_all()
        self._record(SOCKET_CONNECT, {"connection_id": connection.info.id})
        try:
            connection.send_json(self._hello(count))
            self._receive(connection, reader)
        except (OSError, ProtocolError, ValueError):
            pass
        finally:
            with self._changed:
                self._connections.pop(connection.info.id, None)
                self._changed.notify_all()

    def _hello(self, count: int) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": count,
            "debug_info": {"host": "applink-emulator", "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": self._workspace.app.app_id},
        }

    def _receive(self, connection: _Connection, reader: ByteReader) -> None:
        while True:
            frame = read_message(reader)
            if frame is None:
                return
            if frame.opcode == Opcode.PING:
                connection.send(Opcode.PONG, frame.payload)
            elif frame.opcode == Opcode.CLOSE:
                connection.send(Opcode.CLOSE, frame.payload[:2])
                return
            elif frame.opcode == Opcode.TEXT:
                self._on_text(frame.payload)

    def _on_text(self, payload: bytes) -> None:
        message = json.loads(payload.decode("utf-8"))
        if not isinstance(message, dict) or not message.get("envelope_id"):
            return
        with self._changed:
            self._acks[str(message["envelope_id"])] = message
            self._changed.notify_all()
        self._record(SOCKET_ACK, message)

    def _record(self, method: str, params: Mapping[str, Any]) -> None:
        self._log.record(Call(method, dict(params), {}, self._workspace.now(), 200, {}))

    # -- observing and driving -------------------------------------------------------------------------------

    @property
    def connections(self) -> list[ConnectionInfo]:
        with self._changed:
            return [c.info for c in self._connections.values()]

    def wait_for_connections(
        self, count: int = 1, *, exactly: bool = False, timeout: float = 5.0
    ) -> list[ConnectionInfo]:
        """The open connections once there are at least (or `exactly`) `count` of them."""

        def enough() -> bool:
            open_now = len(self._connections)
            return open_now == count if exactly else open_now >= count

        with self._changed:
            if not self._changed.wait_for(enough, timeout):
                raise TimeoutError(f"{len(self._connections)} Socket Mode connection(s) after {timeout}s, not {count}")
            return [c.info for c in self._connections.values()]

    def deliver(
        self,
        envelope_type: str,
        payload: Mapping[str, Any],
        *,
        accepts_response_payload: bool = False,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
        timeout: float = 3.0,
    ) -> SocketAck:
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "payload": dict(payload),
            "type": envelope_type,
            "accepts_response_payload": accepts_response_payload,
        }
        if retry_attempt is not None:
            envelope.update({"retry_attempt": retry_attempt, "retry_reason": retry_reason or ""})
        started = time.perf_counter()
        connection = self._send_somewhere(envelope, timeout)
        with self._changed:
            acked = self._changed.wait_for(lambda: envelope_id in self._acks, timeout)
            ack = self._acks.pop(envelope_id, None)
        payload_back = ack.get("payload") if ack else None
        return SocketAck(
            envelope_id=envelope_id,
            acked=acked,
            payload=payload_back if isinstance(payload_back, dict) else None,
            elapsed=time.perf_counter() - started,
            connection_id=connection.info.id,
        )

    def _send_somewhere(self, message: Mapping[str, Any], timeout: float) -> _Connection:
        """Send to the next open connection in turn, skipping any that has just gone."""
        while True:
            with self._changed:
                if not self._changed.wait_for(lambda: self._connections, timeout):
                    raise RuntimeError("no Socket Mode connection: start the app's Socket Mode handler first")
                connections = list(self._connections.values())
                self._turn += 1
                connection = connections[self._turn % len(connections)]
            try:
                connection.send_json(message)
                return connection
            except OSError:
                connection.shut()
                with self._changed:
                    self._connections.pop(connection.info.id, None)

    def send_disconnect(self, reason: str = "warning") -> None:
        """Slack's notice that connections will be refreshed; clients reconnect on it."""
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-emulator"}}
        with self._changed:
            connections = list(self._connections.values())
        for connection in connections:
            try:
                connection.send_json(message)
            except OSError:
                connection.shut()

    def close_all(self) -> None:
        with self._changed:
            connections = list(self._connections.values())
        for connection in connections:
            connection.shut()
