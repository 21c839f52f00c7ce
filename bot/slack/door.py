"""The door of `POST /slack/events`: what arrives is verified on its raw bytes before anything reads it.

Rules (docs/security.md, "The HTTP door"):
- The signature comes first, on the raw bytes: `X-Slack-Signature` must be `v0=` + hex HMAC-SHA256(signing
  secret, `v0:{timestamp}:{body}`), compared in constant time, and `X-Slack-Request-Timestamp` (digits) within
  `MAX_AGE` seconds of the clock. Missing headers, a wrong signature, a stale or unreadable timestamp: 401, and
  the body is not parsed.
- Slack's SSL check (an unsigned form starting `ssl_check=1`, recognised by its bytes alone) is answered 200 and
  goes no further.
- A body over `MAX_BODY` is 413 (waitress refuses it before; the same limit holds behind any server).
- A signed body is parsed and checked (bot.slack.body): malformed is 400. Bolt then receives the checked object
  as JSON, so Bolt never parses the request's own bytes (its guess by first character and by the word `payload`
  is never involved) and its own signature check is off (bot.slack.receiver).
- Each kind of refusal is logged once (bot.monitoring.log_once), at WARNING and without a traceback.
"""

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt import App

from bot.monitoring.log_once import LogOnce
from bot.slack.body import Malformed, parse_http
from bot.slack.receiver import dispatch

MAX_BODY = 1024 * 1024
MAX_AGE = 300
_SSL_CHECK = b"ssl_check=1"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, headers (besides the length), body."""

    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "text/plain; charset=utf-8"),)


class SlackDoor:
    """Verifies, parses and checks a POST to /slack/events, then hands it to the Bolt app."""

    def __init__(self, app: App, signing_secret: str, clock: Callable[[], float]) -> None:
        self._app, self._secret, self._clock = app, signing_secret.encode("utf-8"), clock
        self._refusals = LogOnce(log)

    def __call__(self, environ: Mapping[str, Any]) -> Answer:
        length = _length(environ)
        if length is None:
            return self._refused(400, "no valid Content-Length")
        if length > MAX_BODY:
            return self._refused(413, "body over 1 MiB")
        raw = environ["wsgi.input"].read(length) if length else b""
        if len(raw) != length:
            return self._refused(400, "body shorter than its Content-Length")
        if _is_ssl_check(environ, raw):
            return Answer(200)
        unsigned = self._unsigned(environ, raw)
        if unsigned:
            return self._refused(401, unsigned)
        try:
            body = parse_http(raw, str(environ.get("CONTENT_TYPE", "")))
        except Malformed as error:
            return self._refused(400, f"signed but malformed: {error.kind}")
        return self._dispatch(environ, body)

    def _unsigned(self, environ: Mapping[str, Any], raw: bytes) -> str | None:
        """Why the request is not signed by Slack with our secret, or None when it is."""
        timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""))
        signature = str(environ.get("HTTP_X_SLACK_SIGNATURE", ""))
        if not timestamp or not signature:
            return "no signature headers"
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
            return "unreadable timestamp"
        if abs(self._clock() - int(timestamp)) > MAX_AGE:
            return "stale timestamp"
        base = b"v0:" + timestamp.encode("ascii") + b":" + raw
        expected = b"v0=" + hmac.new(self._secret, base, hashlib.sha256).hexdigest().encode("ascii")
        if not hmac.compare_digest(expected, signature.encode("latin-1")):  # WSGI header text is latin-1
            return "bad signature"
        return None

    def _dispatch(self, environ: Mapping[str, Any], body: dict[str, Any]) -> Answer:
        headers = {name[5:].replace("_", "-").lower(): str(value) for name, value in environ.items()
                   if name.startswith("HTTP_")}  # fmt: skip
        headers["content-type"] = "application/json"
        response = dispatch(self._app, json.dumps(body), headers)
        kept = tuple((name, value) for name, values in response.headers.items() for value in values
                     if name.lower() != "content-length")  # fmt: skip
        return Answer(response.status, str(response.body or "").encode("utf-8"), kept)

    def _refused(self, status: int, why: str) -> Answer:
        self._refusals.say(why, "refused a request to /slack/events (%d): %s; this kind is not logged again", status,
                           why)  # fmt: skip
        return Answer(status, {400: b"bad request\n", 401: b"unauthorized\n", 413: b"too large\n"}[status])


def _length(environ: Mapping[str, Any]) -> int | None:
    text = str(environ.get("CONTENT_LENGTH") or "0")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def _is_ssl_check(environ: Mapping[str, Any], raw: bytes) -> bool:
    form = str(environ.get("CONTENT_TYPE", "")).startswith("application/x-www-form-urlencoded")
    return form and len(raw) < 512 and (raw == _SSL_CHECK or raw.startswith(_SSL_CHECK + b"&"))
