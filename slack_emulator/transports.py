"""How a payload reaches the app: signed HTTP POSTs to its events URL, or Socket Mode envelopes; and what came back.

Rules:
- Over HTTP, events go as JSON, slash commands as a form, interactions as a form with `payload=<json>`, with
  Slack's `User-Agent`, the signing headers (see `signing`) and, for a retry, `X-Slack-Retry-Num` and
  `X-Slack-Retry-Reason`. The connection is closed after each request.
- Over Socket Mode, the same payloads travel in envelopes (`events_api`, `slash_commands`, `interactive`);
  `accepts_response_payload` is set for commands, view submissions and block suggestions; events carry
  `retry_attempt` (0 the first time) and `retry_reason` ("" the first time).
- Either way the answer is awaited for `Attempt.timeout` seconds (Slack's 3 s). A `Delivery` is the outcome:
  `status` (None when nothing came back), body, headers, elapsed time and `failure` in Slack's retry vocabulary:
  `http_timeout`, `http_error` (a non-2xx answer), `connection_failed`.
"""

import http.client
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from slack_emulator.ids import Clock
from slack_emulator.server import SlackEmulator
from slack_emulator.signing import Signing, signing_headers

EVENTS = "events_api"
COMMANDS = "slash_commands"
INTERACTIVE = "interactive"
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"


@dataclass(frozen=True)
class Delivery:
    """One request to the app and what came back."""

    kind: str
    payload: Mapping[str, Any] = field(repr=False)
    status: int | None
    body: bytes
    headers: Mapping[str, str] = field(repr=False)
    elapsed: float
    retry_num: int = 0
    failure: str | None = None
    envelope_id: str | None = None

    @property
    def acked(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def timed_out(self) -> bool:
        return self.failure == "http_timeout"

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def ack_payload(self) -> Mapping[str, Any] | None:
        """The response body as Slack reads it: JSON, or plain text taken as `{"text": ...}`."""
        if not self.acked or not self.body:
            return None
        if self.headers.get("content-type", "application/json").startswith("application/json"):
            decoded = self.json()
            return decoded if isinstance(decoded, dict) else None
        return {"text": self.text}


@dataclass(frozen=True)
class Attempt:
    """How one delivery goes out: its retry number and reason (0 and None the first time), signing, patience."""

    retry_num: int = 0
    retry_reason: str | None = None
    signing: Signing = Signing.VALID
    timeout: float = 3.0


@dataclass(frozen=True)
class HttpTransport:
    url: str
    signing_secret: str = field(repr=False)
    clock: Clock

    def send(self, kind: str, payload: Mapping[str, Any], attempt: Attempt) -> Delivery:
        if kind == EVENTS:
            body, content_type = json.dumps(payload).encode("utf-8"), "application/json"
        else:
            form = payload if kind == COMMANDS else {"payload": json.dumps(payload)}
            body, content_type = urlencode(form).encode("utf-8"), "application/x-www-form-urlencoded"
        headers = {"Content-Type": content_type, "User-Agent": USER_AGENT, "Accept": "*/*"}
        headers.update(signing_headers(self.signing_secret, body, now=self.clock(), signing=attempt.signing))
        if attempt.retry_num:
            reason = attempt.retry_reason or "http_timeout"
            headers.update({"X-Slack-Retry-Num": str(attempt.retry_num), "X-Slack-Retry-Reason": reason})
        started = time.perf_counter()
        status, answer, answer_headers, failure = self._post(body, headers, attempt.timeout)
        elapsed = time.perf_counter() - started
        return Delivery(kind, payload, status, answer, answer_headers, elapsed, attempt.retry_num, failure)

    def _post(
        self, body: bytes, headers: dict[str, str], timeout: float
    ) -> tuple[int | None, bytes, dict[str, str], str | None]:
        parts = urlsplit(self.url)
        connection_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        connection = connection_type(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
        try:
            connection.request("POST", parts.path + (f"?{parts.query}" if parts.query else ""), body, headers)
            response = connection.getresponse()
            status, answer = response.status, response.read()
            answer_headers = {name.lower(): value for name, value in response.getheaders()}
            return status, answer, answer_headers, None if 200 <= status < 300 else "http_error"
        except TimeoutError:
            return None, b"", {}, "http_timeout"
        except OSError:
            return None, b"", {}, "connection_failed"
        finally:
            connection.close()


@dataclass(frozen=True)
class SocketModeTransport:
    emulator: SlackEmulator

    def send(self, kind: str, payload: Mapping[str, Any], attempt: Attempt) -> Delivery:
        event = kind == EVENTS
        accepts = kind == COMMANDS or payload.get("type") in ("view_submission", "block_suggestion")
        ack = self.emulator.socket_mode.deliver(
            kind,
            payload,
            accepts_response_payload=accepts,
            retry_attempt=attempt.retry_num if event else None,
            retry_reason=(attempt.retry_reason or "") if event else None,
            timeout=attempt.timeout,
        )
        body = json.dumps(ack.payload).encode("utf-8") if ack.payload is not None else b""
        status, failure = (200, None) if ack.acked else (None, "http_timeout")
        return Delivery(kind, payload, status, body, {}, ack.elapsed, attempt.retry_num, failure, ack.envelope_id)


Transport = HttpTransport | SocketModeTransport
