"""A database that does not answer: the read API says 503 `unavailable` in JSON, logs the error once per request
and never shows a traceback; the document, which reads nothing, is still served (docs/operations.md, "Read API")."""

import http.client
import json
import logging
from datetime import UTC, datetime
from pathlib import Path

from slack_bolt import App

from bot.api.door import ReadApi
from bot.api.tokens import new_token
from bot.process.web import FrontdeskWsgi, WebServer
from storage.engine import Database


def test_a_database_that_cannot_be_opened_is_503_unavailable(tmp_path: Path, caplog) -> None:
    gone = Database.from_url(f"sqlite:///{tmp_path / 'no-such-folder' / 'frontdesk.db'}")
    slack = App(signing_secret="secret", token="xoxb-unused", token_verification_enabled=False)
    api = ReadApi(gone, ["P1", "P2"], lambda: datetime(2026, 12, 1, tzinfo=UTC))
    with WebServer(FrontdeskWsgi(slack, healthy=lambda: False, signing_secret="secret", api=api)) as server:
        answers = {}
        for path in ("/api/v1/requests", "/api/v1/requests/SR-000001", "/api/v1/openapi.json"):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            connection.request("GET", path, headers={"Authorization": f"Bearer {new_token()}"})
            reply = connection.getresponse()
            answers[path] = (reply.status, reply.getheader("Cache-Control"), json.loads(reply.read()))
            connection.close()
    gone.dispose()
    for path in ("/api/v1/requests", "/api/v1/requests/SR-000001"):
        status, cache, body = answers[path]
        assert (status, cache, body["error"]) == (503, "no-store", "unavailable")
        assert "Traceback" not in json.dumps(body)
    assert answers["/api/v1/openapi.json"][0] == 200
    failures = [r for r in caplog.records if r.name == "bot.api.door" and r.levelno == logging.ERROR]
    assert [r.getMessage() for r in failures] == ["the read API could not read the database"] * 2
