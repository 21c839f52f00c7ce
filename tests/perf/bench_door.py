"""The HTTP door under attack: `python tests/perf/bench_door.py`.

Serves the receiver on loopback with `frontdesk run --http`'s settings (waitress, 8 threads, channel timeout
15 s, 1,000 connections) over a SQLite inbox, then measures:
- `/healthz` (median and worst of 20) while 300 and then 900 half-open connections are held, and how many
  connections the server holds;
- how long a client trickling its headers one byte every 0.5 s keeps its connection;
- what 1,000 signed malformed bodies get (statuses: 400, or 200 for a well-typed body naming another team), and
  that a genuine event is still stored after them.
"""

import http.client
import json
import logging
import random
import selectors
import socket
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from slack_bolt.authorization import AuthorizeResult

from bot.process.web import FrontdeskWsgi, WebServer
from bot.slack.installation import Installation
from bot.slack.receiver import build_receiver
from slack_emulator import SlackEmulator, Workspace, payloads
from slack_emulator.signing import signature
from storage import inbox
from storage.engine import Database
from storage.migrate import upgrade


def healthz(port: int) -> float:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/healthz")
    assert connection.getresponse().read() == b"ok\n"
    connection.close()
    return time.perf_counter() - started


def half_open(port: int, count: int) -> list[socket.socket]:
    held = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port), timeout=30)
        connection.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Le")
        held.append(connection)
    return held


def trickle(port: int) -> float:
    """Seconds until the server cuts a client sending one header byte every 0.5 s."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=60)
    selector = selectors.DefaultSelector()
    selector.register(connection, selectors.EVENT_READ)
    started = time.monotonic()
    connection.send(b"POST /slack/events HTTP/1.1\r\nX-Slow: ")
    while not selector.select(timeout=0.5) and time.monotonic() - started < 120:
        connection.send(b"a")
    connection.close()
    return time.monotonic() - started


def malformed(emulator: SlackEmulator, rng: random.Random) -> tuple[bytes, str]:
    ws = emulator.workspace
    event = payloads.envelope({"type": "message", "user": "U1", "channel": "D1", "ts": "1.1"}, app=ws.app,
                              team=ws.team, event_id="Ev1", event_time=1)  # fmt: skip
    wrong: list[object] = [[], 5, "x", None, {"id": 5}, [5], 1e308, 2**70, ["id"]]
    field = rng.choice(["event", "authorizations", "team", "enterprise", "user", "actions", "view", "container",
                        "response_urls", "team_id", "event_time"])  # fmt: skip
    body = {**event, field: rng.choice(wrong)}
    shapes = [
        (json.dumps(body).encode(), "application/json"),
        (urlencode({"payload": json.dumps(body)}).encode(), "application/x-www-form-urlencoded"),
        (b"{" * rng.randint(1, 100_000), "application/json"),
        (bytes(rng.randrange(256) for _ in range(rng.randint(0, 300))), rng.choice(["application/json", "text/plain"])),
        (json.dumps(body).encode().replace(b'"Ev1"', b'"\\ud800"'), "application/json"),
    ]
    return rng.choice(shapes)


def post(port: int, secret: str, body: bytes, content_type: str) -> int:
    timestamp = str(int(time.time()))
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
               "X-Slack-Signature": signature(secret, timestamp, body)}  # fmt: skip
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", "/slack/events", body, headers)
    status = connection.getresponse().status
    connection.close()
    return status


def main() -> None:
    logging.disable(logging.WARNING)  # the door's one line per kind of refusal
    folder = Path(tempfile.mkdtemp())
    database = Database.from_url(f"sqlite:///{folder / 'frontdesk.db'}")
    upgrade(database)
    with SlackEmulator(Workspace.example()) as emulator:
        client = emulator.client()
        auth = client.auth_test()
        identity = AuthorizeResult.from_auth_test_response(bot_token=emulator.bot_token, auth_test_response=auth)
        app = build_receiver(client=client, identity=identity, installation=Installation.from_auth_test(auth),
                             database=database, clock=lambda: datetime.now(UTC))  # fmt: skip

        def healthy() -> bool:  # as the running app's: the database answers
            database.check()
            return True

        wsgi = FrontdeskWsgi(app, healthy=healthy, signing_secret=emulator.signing_secret)
        with WebServer(wsgi) as server:
            port, held = server.port, []
            print(f"idle: /healthz {healthz(port) * 1000:.1f} ms")
            for count in (300, 900):
                held += half_open(port, count - len(held))
                times = [healthz(port) for _ in range(20)]
                connections = len(server._server._map) - 2  # less the listening socket and the loop's trigger
                print(f"{count} half-open: /healthz median {statistics.median(times) * 1000:.1f} ms, worst "
                      f"{max(times) * 1000:.1f} ms; connections held by the server: {connections}")  # fmt: skip
            for connection in held:
                connection.close()
            print(f"a client trickling one byte every 0.5 s is cut after {trickle(port):.1f} s")
            rng = random.Random(7)
            statuses = Counter(post(port, emulator.signing_secret, *malformed(emulator, rng)) for _ in range(1000))
            print(f"1,000 signed malformed bodies: {dict(sorted(statuses.items()))}")
            ws = emulator.workspace
            event = {"type": "message", "user": ws.user("alice").id, "text": "hi", "ts": "2.2",
                     "channel": ws.open_im("alice").id, "channel_type": "im", "event_ts": "2.2"}  # fmt: skip
            body = payloads.envelope(event, app=ws.app, team=ws.team, event_id="Ev2", event_time=int(time.time()))
            status = post(port, emulator.signing_secret, json.dumps(body).encode(), "application/json")
            with database.read() as session:
                stored = len(inbox.inbox_rows(session, limit=10))
            print(f"then a genuine event: {status}, rows stored: {stored}")
    database.dispose()


if __name__ == "__main__":
    main()
