"""The door of the trackers' webhooks: `POST /integrations/github` and `POST /integrations/jira` (docs/security.md,
"Tracker webhooks"; docs/integrations.md, "Defect trackers").

Rules:
- The path names the tracker (`/integrations/<name>`); a tracker the desk does not configure is 404, any method but
  POST 405 with `Allow: POST`.
- A body over MAX_BODY is 413, read no further. Then the signature, on the raw bytes, before anything parses them
  (the tracker's `verify`: GitHub's `X-Hub-Signature-256`, Jira's `X-Hub-Signature`, keyed with the webhook secret
  from the environment, compared in constant time): missing or wrong is 401 and nothing is stored. A tracker
  without a webhook secret accepts no webhook (401): the reconciliation poll still catches its changes.
- A signed delivery without the vendor's delivery id (GitHub's `X-GitHub-Delivery`, Jira's
  `X-Atlassian-Webhook-Identifier`) or whose body is not a JSON object is 400.
- A good delivery is stored as an inbox row (source: the tracker's name; key "<name>:<delivery id>", so a
  replayed delivery is stored once; one conversation per tracker, so deliveries are applied in the order they
  came) with the event's name (GitHub's `X-GitHub-Event`, else the body's `webhookEvent`) and the body, and only
  then answered 202; a replay is answered 200 and changes nothing. A database that fails is 503 (the vendor
  sends again). The inbox worker applies the row later like any other (bot.desk.defects.apply_webhook).
- Each kind of refusal is logged once per tracker at WARNING (bot.monitoring.log_once: a flood of bad deliveries
  cannot flood the log; never the body or a header's value), and every delivery counted for /metrics by tracker
  and result, so a flood shows there (bot.monitoring.instruments.TRACKER_WEBHOOKS).
"""

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.integrations.trackers.tracker import Tracker
from bot.monitoring.instruments import TRACKER_WEBHOOKS
from bot.monitoring.log_once import LogOnce
from storage import inbox
from storage.engine import Database
from storage.errors import StorageError

PREFIX = "/integrations/"
MAX_BODY = 1024 * 1024  # GitHub's issue and comment deliveries are far smaller; waitress refuses more anyway
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    """The door's HTTP answer (bot.process.web writes it): status, headers besides the length, body."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


class TrackerDoor:
    """Receives the configured trackers' webhooks into the inbox; see the module's rules."""

    def __init__(
        self,
        database: Database,
        trackers: tuple[Tracker, ...],
        clock: Callable[[], datetime],
        on_stored: Callable[[], None] = lambda: None,
    ) -> None:
        self._database, self._clock, self._on_stored = database, clock, on_stored
        self._trackers = {tracker.name: tracker for tracker in trackers}
        self._refusals = LogOnce(log)

    def __call__(self, environ: Mapping[str, Any]) -> Answer:
        name = str(environ.get("PATH_INFO", ""))[len(PREFIX) :]
        tracker = self._trackers.get(name)
        if tracker is None:
            return _text(404, "not found\n")
        if environ.get("REQUEST_METHOD") != "POST":
            return Answer(405, b"method not allowed\n", (("Allow", "POST"),))
        answer, result = self._receive(tracker, environ)
        TRACKER_WEBHOOKS.labels(tracker.name, result).inc()
        return answer

    def _receive(self, tracker: Tracker, environ: Mapping[str, Any]) -> tuple[Answer, str]:
        length = _length(environ)
        if length is None or length > MAX_BODY:
            self._refusals.say(f"{tracker.name}:size", "%s webhook refused: no length, or over %s bytes", tracker.name,
                               MAX_BODY)  # fmt: skip
            return _text(413, "too large\n"), "too_large"
        body = environ["wsgi.input"].read(length) if length else b""
        headers = _headers(environ)
        if not tracker.verify(headers, body):
            self._refusals.say(
                f"{tracker.name}:signature", "%s webhook refused: missing or bad signature", tracker.name
            )
            return _text(401, "bad signature\n"), "bad_signature"
        delivery = tracker.delivery_id(headers)
        payload = _json_object(body)
        if delivery is None or payload is None:
            self._refusals.say(f"{tracker.name}:shape", "%s webhook refused: no delivery id, or not a JSON object",
                               tracker.name)  # fmt: skip
            return _text(400, "malformed\n"), "malformed"
        event = headers.get("x-github-event") or str(payload.get("webhookEvent") or "")
        row = {"tracker": tracker.name, "event": event[:100], "body": payload}
        try:
            with self._database.write() as session:
                new = inbox.receive(session, key=f"{tracker.name}:{delivery}", source=tracker.name,
                                    conversation=tracker.name, payload=row, now=self._clock())  # fmt: skip
        except StorageError:
            log.exception("a %s webhook could not be stored; answered 503 so it is sent again", tracker.name)
            return _text(503, "unavailable\n"), "unavailable"
        if not new:
            return _text(200, "already received\n"), "replayed"
        self._on_stored()
        return _text(202, "accepted\n"), "stored"


def _length(environ: Mapping[str, Any]) -> int | None:
    text = str(environ.get("CONTENT_LENGTH") or "0").strip()
    return int(text) if text.isdigit() else None


def _headers(environ: Mapping[str, Any]) -> dict[str, str]:
    """The request's headers, by lower-case name (`X-Hub-Signature-256` is `x-hub-signature-256`)."""
    found = {key[5:].replace("_", "-").lower(): str(value) for key, value in environ.items() if key.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        found["content-type"] = str(environ["CONTENT_TYPE"])
    return found


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return parsed if isinstance(parsed, dict) else None


def _text(status: int, text: str) -> Answer:
    return Answer(status, text.encode(), (("Content-Type", "text/plain; charset=utf-8"),))
