"""Socket Mode end to end: slack_bolt's SocketModeHandler (slack_sdk's builtin client) on the emulator's WebSocket.

One app stays connected for the whole module (closing slack_sdk's client takes up to a second); each test uses
its own channel or callback so they do not see each other's traffic.
"""

import base64
import json
import os
import socket
from collections.abc import Iterator

import pytest
from slack_bolt import Ack, App, BoltRequest, Say
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient

from slack_emulator import SOCKET_ACK, SOCKET_CONNECT, SlackEmulator, SlackSide, Workspace
from slack_emulator.websocket import Opcode, accept_key, read_frame
from tests.slack_emulator.helpers import Json as Event
from tests.slack_emulator.helpers import client_frame, modal, present


@pytest.fixture(scope="module")
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator(Workspace.example()) as running:
        yield running
    assert running.internal_errors == []


@pytest.fixture(scope="module")
def app(emulator: SlackEmulator) -> Iterator[App]:
    bolt = App(client=emulator.client(), signing_secret=emulator.signing_secret)

    @bolt.event("app_mention")
    def mentioned(event: Event, request: BoltRequest, say: Say) -> None:
        retry = (request.headers.get("x-slack-retry-num") or ["none"])[0]
        say(text=f"mention {event['text']} retry={retry}", thread_ts=str(event["ts"]))

    @bolt.message()
    def heard(message: Event) -> None:
        pass

    @bolt.command("/support")
    def support(ack: Ack, body: Event, client: WebClient) -> None:
        ack(f"Working on: {body['text']}")
        client.views_open(trigger_id=str(body["trigger_id"]), view=modal())

    @bolt.view("intake")
    def submitted(ack: Ack, view: Event) -> None:
        ack(response_action="errors", errors={"what": "More, please"})

    # No auto-reconnect on a server-side close, so that stopping the emulator does not race the client;
    # a `disconnect` message still makes the client reconnect.
    handler = SocketModeHandler(bolt, app_token=emulator.app_token, auto_reconnect_enabled=False)
    handler.connect()  # type: ignore[no-untyped-call]
    emulator.socket_mode.wait_for_connections(1)
    yield bolt
    handler.close()  # type: ignore[no-untyped-call]


@pytest.fixture
def slack(emulator: SlackEmulator, app: App) -> SlackSide:
    return SlackSide.over_socket_mode(emulator)


def test_a_mention_is_delivered_and_acked_over_the_socket(slack: SlackSide, emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    said = slack.user_says("support", "alice", f"<@{ws.app.bot_user_id}> hi")
    assert [d.acked for d in said.deliveries] == [True, True]
    assert all(d.envelope_id and d.elapsed < 3 for d in said.deliveries)
    acked = {c.params["envelope_id"] for c in emulator.calls(SOCKET_ACK)}
    assert {d.envelope_id for d in said.deliveries} <= acked
    reply = emulator.wait_for_call("chat.postMessage", lambda c: c.params["text"].startswith("mention"))
    assert reply.params["text"] == f"mention <@{ws.app.bot_user_id}> hi retry=0"
    assert reply.params["thread_ts"] == said.message.ts


def test_a_retried_envelope_carries_retry_attempt_into_bolts_headers(slack: SlackSide, emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    ws.add_channel("retries", members=[ws.user("alice")])
    first = slack.user_says("retries", "alice", f"<@{ws.app.bot_user_id}> again").deliveries[1]
    again = slack.retry(first, reason="timeout")
    assert again.acked
    emulator.wait_for_call("chat.postMessage", lambda c: c.params["text"].endswith("retry=1"))


def test_a_slash_command_ack_carries_its_response_and_opens_a_modal(slack: SlackSide, emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    delivery = slack.slash_command("/support", "bob", "support", "VPN down")
    assert delivery.ack_payload == {"text": "Working on: VPN down"}
    assert [e.text for e in ws.ephemerals("support", "bob")] == ["Working on: VPN down"]
    emulator.wait_for_call("views.open", lambda c: c.ok)
    (view,) = ws.views("bob")
    submitted = slack.view_submission(view, {"text": "it is down"})
    assert submitted.ack_payload == {"response_action": "errors", "errors": {"what": "More, please"}}
    assert present(ws.view(view.id)).is_open


def test_an_envelope_nobody_handles_is_not_acked(emulator: SlackEmulator, app: App) -> None:
    slack = SlackSide.over_socket_mode(emulator, timeout=0.3)
    delivery = slack.slash_command("/unknown", "alice", "support")
    assert (delivery.acked, delivery.status, delivery.failure) == (False, None, "http_timeout")


def test_a_disconnect_warning_makes_the_client_reconnect_and_events_keep_flowing(
    slack: SlackSide, emulator: SlackEmulator
) -> None:
    hub = emulator.socket_mode
    (before,) = hub.connections
    connects = len(emulator.calls(SOCKET_CONNECT))
    hub.send_disconnect("warning")
    emulator.wait_for_call(SOCKET_CONNECT, count=connects + 1)
    (after,) = hub.wait_for_connections(1, exactly=True)
    assert after.id != before.id
    ws = emulator.workspace
    said = slack.user_says("support", "carol", f"<@{ws.app.bot_user_id}> still there?")
    assert [d.acked for d in said.deliveries] == [True, True]


class RawClient:
    """A bare WebSocket client, to see exactly what the hub sends."""

    def __init__(self, emulator: SlackEmulator, ticket: str) -> None:
        host, port = emulator.root_url.removeprefix("http://").rstrip("/").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=5)
        self.key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET /link/?ticket={ticket} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {self.key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        self.stream = self.sock.makefile("rb")
        self.status_line = self.stream.readline().decode()
        self.headers: dict[str, str] = {}
        while (line := self.stream.readline().decode().strip()) != "":
            name, _, value = line.partition(":")
            self.headers[name.lower()] = value.strip()

    def close(self) -> None:
        self.stream.close()
        self.sock.close()


def test_the_handshake_hello_ping_and_close_follow_rfc_6455(emulator: SlackEmulator) -> None:
    url = WebClient(base_url=emulator.base_url).apps_connections_open(app_token=emulator.app_token)["url"]
    ticket = url.split("ticket=")[1].split("&")[0]
    client = RawClient(emulator, ticket)
    try:
        assert client.status_line.startswith("HTTP/1.1 101")
        assert client.headers["sec-websocket-accept"] == accept_key(client.key)
        hello = read_frame(client.stream)
        assert hello is not None
        assert json.loads(hello.payload)["type"] == "hello"
        client.sock.sendall(client_frame(Opcode.PING, b"are you there"))
        while (frame := read_frame(client.stream)) is not None and frame.opcode == Opcode.PING:
            pass  # the hub's own keep-alive pings
        assert frame is not None
        assert (frame.opcode, frame.payload) == (Opcode.PONG, b"are you there")
        client.sock.sendall(client_frame(Opcode.CLOSE, b"\x03\xe8"))
        while (frame := read_frame(client.stream)) is not None and frame.opcode != Opcode.CLOSE:
            pass
        assert frame is not None
        assert frame.payload == b"\x03\xe8"
    finally:
        client.close()
    again = RawClient(emulator, ticket)  # a ticket works once
    try:
        assert again.status_line.startswith("HTTP/1.0 401")
    finally:
        again.close()
