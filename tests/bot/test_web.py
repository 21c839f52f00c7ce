"""The web server's life: closed with connections still open, its loop ends and nothing of it is left running."""

import http.client

import pytest
from slack_bolt import App

from bot.web import FrontdeskWsgi, WebServer


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
