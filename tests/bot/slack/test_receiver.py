"""The receiver: every genuine request stored once and acknowledged; forged ones refused; no Web API call first."""

import http.client

from bot.slack_emulator import Signing, SlackEmulator, Workspace
from storage.engine import Database
from tests.bot.slack.conftest import receiving


def test_a_dm_is_stored_and_acknowledged(desk):
    said = desk.slack.dm("alice", "The export button does nothing")
    (delivery,) = said.deliveries
    assert (delivery.status, delivery.acked) == (200, True)
    (row,) = desk.stored()
    assert row.key == f"message:{said.message.channel}:{said.message.ts}"
    assert row.conversation == f"{said.message.channel}:{said.message.ts}"
    assert row.payload["event"]["text"] == "The export button does nothing"
    assert desk.woken == [1]


def test_no_web_api_call_happens_while_receiving(desk):
    before = len(desk.emulator.calls())
    desk.slack.dm("alice", "hello")
    desk.slack.slash_command("/support", "alice", "support")
    assert len(desk.emulator.calls()) == before


def test_a_slack_retry_is_acknowledged_and_dropped(desk):
    (delivery,) = desk.slack.dm("alice", "hello").deliveries
    retried = desk.slack.retry(delivery, reason="http_timeout")
    assert retried.status == 200
    assert desk.pending() == 1
    assert desk.woken == [1]


def test_a_mention_arriving_as_message_and_app_mention_is_one_row(desk):
    bot = desk.emulator.workspace.app.bot_user_id
    said = desk.slack.user_says("support", "alice", f"<@{bot}> the dashboard is blank")
    assert [d.payload["event"]["type"] for d in said.deliveries] == ["message", "app_mention"]
    assert all(d.status == 200 for d in said.deliveries)
    assert desk.pending() == 1


def test_forged_requests_are_refused_and_nothing_is_stored(desk):
    for signing in (Signing.BAD_SIGNATURE, Signing.STALE_TIMESTAMP, Signing.NO_HEADERS):
        (delivery,) = desk.slack.user_says("support", "alice", "let me in", signing=signing).deliveries
        assert delivery.status == 401
    assert desk.pending() == 0
    assert desk.woken == []


def test_url_verification_is_answered(desk):
    delivery = desk.slack.url_verification("challenge-123")
    assert delivery.status == 200
    assert "challenge-123" in delivery.body.decode()
    assert desk.pending() == 0


def test_commands_shortcuts_and_reactions_are_stored_by_their_keys(desk):
    command = desk.slack.slash_command("/support", "alice", "support")
    shortcut = desk.slack.shortcut("support_request", "alice")
    message = desk.slack.user_says("support", "alice", "slow page").message
    desk.slack.reaction_added("bob", "ticket", "support", message.ts)
    assert (command.status, shortcut.status) == (200, 200)
    keys = [row.key.split(":")[0] for row in desk.stored()]
    assert keys == ["command", "shortcut", "message", "reaction"]


def test_edits_and_bot_messages_are_acknowledged_but_not_stored(desk):
    channel = desk.emulator.workspace.channel("support").id
    for event in (
        {"type": "message", "subtype": "message_changed", "channel": channel, "ts": "1.1"},
        {"type": "message", "bot_id": "B1", "channel": channel, "ts": "1.2", "text": "beep"},
    ):
        assert desk.slack.event(event).status == 200
    assert desk.pending() == 0


def test_health_and_unknown_paths(desk):
    connection = http.client.HTTPConnection("127.0.0.1", desk.server.port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        health = connection.getresponse()
        assert (health.status, health.read()) == (200, b"ok\n")
        connection.request("GET", "/nope")
        missing = connection.getresponse()
        assert (missing.status, missing.read()) == (404, b"not found\n")
    finally:
        connection.close()


def test_an_inbox_that_cannot_be_written_answers_500_so_slack_retries(empty_database_url):
    database = Database.from_url(empty_database_url)  # no tables: every write fails
    with SlackEmulator(Workspace.example()) as emulator, receiving(emulator, database) as (_, slack, _):
        (delivery,) = slack.dm("alice", "hello").deliveries
    database.dispose()
    assert delivery.status == 500
