"""What /metrics and the logs give away (docs/security.md, "Metrics" and "Escaping and secrets"), tried from
outside on a running `frontdesk run --http`: with FRONTDESK_METRICS_PORT the Slack port answers 404 for /metrics
and the page is on the metrics port alone, on loopback; after a request was opened the page names no request,
person, channel or secret; and the log lines, at debug, carry no token or signing secret."""

import http.client
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from slack_emulator import SlackEmulator, SlackSide, Workspace
from tests.bot.bot_process import BotProcess
from tests.storage.postgres import free_port


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator(Workspace.example()) as running:
        yield running


def _get(netloc: str, path: str) -> tuple[int, str]:
    host, port = netloc.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", path)
    answer = connection.getresponse()
    body = answer.read().decode()
    connection.close()
    return answer.status, body


def test_the_metrics_port_alone_serves_the_page_which_names_nothing_of_the_desk(
    emulator: SlackEmulator, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = emulator.workspace
    alice = ws.add_user("alice", real_name="Alice Martin", email="alice@customer.example")
    port = free_port()
    monkeypatch.setenv("FRONTDESK_METRICS_PORT", str(port))
    monkeypatch.setenv("FRONTDESK_LOG_LEVEL", "debug")
    with BotProcess.start(
        emulator, "run", "--http", "--host", "127.0.0.1", "--port", "0", database_url=database_url, folder=tmp_path
    ) as bot:
        assert bot.url is not None
        web = urlsplit(bot.url).netloc
        SlackSide.over_http(emulator, bot.url).dm(alice, "The dashboard is blank")
        question = emulator.wait_for_call("chat.postMessage", lambda call: call.params.get("channel") != "", timeout=15)
        assert _get(web, "/metrics")[0] == 404
        status, page = _get(f"127.0.0.1:{port}", "/metrics")
        assert _get(f"127.0.0.1:{port}", "/slack/events")[0] == 404
        assert bot.stop() == 0
    assert status == 200
    assert "frontdesk_requests_open{" in page  # the request is counted ...
    named = [alice.id, "alice", "Alice", question.params["channel"], ws.channel("support").id, "SR-0", "dashboard"]
    assert [text for text in named if text in page] == []  # ... and nothing names it
    for secret in (emulator.bot_token, emulator.signing_secret):
        assert secret not in page
        assert secret not in "".join(bot.said)
