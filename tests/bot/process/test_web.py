"""The web server's life: closed with connections still open, its loop ends and nothing of it is left running."""

import http.client
import socket

import pytest
from slack_bolt import App

from bot.process.web import FrontdeskWsgi, WebServer


@pytest.fixture
def wsgi() -> FrontdeskWsgi:
    slack = App(signing_secret="secret", token="xoxb-unused", token_verification_enabled=False)
    return FrontdeskWsgi(slack, healthy=lambda: True, signing_secret="secret")


def test_closing_with_a_keep_alive_connection_open_ends_the_server_thread(wsgi):
    server = WebServer(wsgi).__enter__()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("GET", "/healthz")
    assert connection.getresponse().read() == b"ok\n"  # the connection stays open (HTTP/1.1 keep-alive)
    server.close()
    connection.close()
    assert not server._thread.is_alive()


def test_a_server_never_started_closes_its_sockets(wsgi):
    server = WebServer(wsgi)
    server.close()
    assert server._server.trigger._closed


def test_closing_with_stalled_half_requests_cuts_them_and_ends_the_server_thread(wsgi):
    server = WebServer(wsgi).__enter__()
    stalled = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(50)]
    for connection in stalled:
        connection.sendall(b"POST /slack/events HTTP/1.1\r\nContent-Le")
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("GET", "/healthz")
    assert connection.getresponse().read() == b"ok\n"  # every stalled one was accepted before this one
    server.close()
    assert [half.recv(1024) for half in stalled] == [b""] * 50  # each one closed by the server
    for half in stalled:
        half.close()
    connection.close()
    assert not server._thread.is_alive()
