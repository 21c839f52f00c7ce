"""The receiver: every genuine request stored once and acknowledged; forged ones refused; no Web API call first."""

import http.client
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from slack_bolt.authorization import AuthorizeResult

from bot.process.web import FrontdeskWsgi, WebServer
from bot.slack.installation import Installation
from bot.slack.receiver import build_receiver
from slack_emulator import Signing, SlackEmulator, SlackSide, Workspace
from slack_emulator.slack_side import Said
from storage import inbox
from storage.engine import Database
from tests.bot.slack.conftest import NOW, receiving


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


def _key(said: Said) -> str:
    return f"message:{said.message.channel}:{said.message.ts}"


def test_concurrent_deliveries_and_their_retries_are_acknowledged_and_stored_once(desk):
    people = ("alice", "bob", "carol", "dave")

    def send_and_retry(number: int) -> tuple[str, list[int | None]]:
        said = desk.slack.dm(people[number % len(people)], f"Concurrent request {number}")
        (delivery,) = said.deliveries
        return _key(said), [delivery.status, desk.slack.retry(delivery).status]

    with ThreadPoolExecutor(max_workers=16) as pool:
        sent = list(pool.map(send_and_retry, range(48)))
    assert all(statuses == [200, 200] for _, statuses in sent)
    assert sorted(row.key for row in desk.stored()) == sorted(key for key, _ in sent)
    assert len(desk.woken) == 48  # once per new row, never for a retry


def test_when_the_inbox_cannot_be_written_concurrent_requests_all_answer_500(empty_database_url):
    database = Database.from_url(empty_database_url)  # no tables: every write fails
    woken: list[int] = []
    with (
        SlackEmulator(Workspace.example()) as emulator,
        receiving(emulator, database, lambda: woken.append(1)) as (_, slack, _),
        ThreadPoolExecutor(max_workers=8) as pool,
    ):
        statuses = list(pool.map(lambda number: slack.dm("alice", f"lost {number}").deliveries[0].status, range(16)))
    database.dispose()
    assert statuses == [500] * 16
    assert woken == []


def test_stopping_the_server_answers_the_requests_waiting_for_a_commit_once_they_are_stored(db):
    """Eight requests (one per server thread) wait in the group commit behind a write lock held here; the server
    is told to stop, the lock is let go: each is stored and answered, none is cut off or answered unstored."""
    arrived: list[int] = []
    all_arrived = threading.Condition()

    def clock() -> datetime:  # the receiver reads the time once per request, right before handing its row over
        with all_arrived:
            arrived.append(1)
            all_arrived.notify_all()
        return NOW

    lock_holder = db.engine.raw_connection()
    lock_holder.cursor().execute("BEGIN IMMEDIATE")  # SQLite's write lock: the group commit's leader waits for it
    with SlackEmulator(Workspace.example()) as emulator, ThreadPoolExecutor(max_workers=8) as senders:
        client = emulator.client()
        auth = client.auth_test()
        identity = AuthorizeResult.from_auth_test_response(bot_token=emulator.bot_token, auth_test_response=auth)
        ours = Installation.from_auth_test(auth)
        app = build_receiver(client=client, identity=identity, installation=ours, database=db, clock=clock)
        door = FrontdeskWsgi(app, healthy=lambda: True, signing_secret=emulator.signing_secret)
        server = WebServer(door, threads=8).__enter__()
        slack = SlackSide.over_http(emulator, f"{server.url}/slack/events", timeout=15.0)
        people = ("alice", "bob", "carol", "dave")
        sent = [senders.submit(slack.dm, people[number % 4], f"waiting {number}") for number in range(8)]
        with all_arrived:
            assert all_arrived.wait_for(lambda: len(arrived) == 8, timeout=10)
        closing = threading.Thread(target=server.close)
        closing.start()  # waits for the requests in hand
        lock_holder.commit()
        closing.join(15)
        said = [future.result(15) for future in sent]
    lock_holder.close()
    assert [s.deliveries[0].status for s in said] == [200] * 8
    with db.read() as session:
        stored = [row.key for row in inbox.inbox_rows(session, limit=100)]
    assert sorted(stored) == sorted(_key(s) for s in said)


def test_an_event_with_an_empty_channel_or_ts_is_acknowledged_dropped_and_logged_once(desk, caplog):
    alice = desk.emulator.workspace.user("alice").id
    channel = desk.emulator.workspace.channel("support").id
    for event in (
        {"type": "message", "channel": "", "ts": "1.1", "user": alice, "text": "help"},
        {"type": "message", "channel": channel, "ts": "", "user": alice, "text": "help"},
        {"type": "reaction_added", "user": alice, "reaction": "ticket", "item": {"type": "message", "channel": ""}},
    ):
        with caplog.at_level("WARNING", logger="bot.slack.receiver"):
            caplog.clear()
            assert desk.slack.event(event).status == 200
        (line,) = [r for r in caplog.records if r.name == "bot.slack.receiver"]
        assert line.levelname == "WARNING"
        assert "is empty or not a string" in line.getMessage()
    assert desk.pending() == 0
    assert desk.woken == []
