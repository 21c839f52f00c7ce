"""The outgoing HTTP channel: calls to other services (trackers, paging, webhook endpoints) stored in the outbox in
the transaction that decided them, then sent by a worker (docs/integrations.md, "The outgoing HTTP channel").

Rules:
- `call_later` stores an `HttpCall` as an outbox row (DestinationKind.HTTP) in the caller's transaction; the same
  key twice is stored once. Rows with one `ordering_key` are sent in order; a row `waits_for` another is sent once
  that one is sent, and its Caller then gets that call's answer. A call's headers never hold a secret (a header
  that carries credentials is refused here): credentials and signatures are added at send time by its `Caller`.
- The `HttpSender` (in the app and in `frontdesk worker`) claims HTTP rows with a short lease renewed by a heartbeat
  (bot.threads.heartbeat) and picks each row's Caller by the service's prefix (`webhook:ops` -> "webhook"). Before
  a try: the service must not be blocked and must have a token of its pace (storage.pace, shared by every process;
  "http:<service>" and "http-pace:<service>"), and the call it waits for must be sent (else the row is put back,
  no try counted); a row whose awaited call is dead, or whose service has no Caller, is dead.
- A row tried before (attempts > 1: the earlier answer was lost to a timeout, a dropped connection, a 5xx or a
  worker that died) asks `caller.already_done` first; what it finds is recorded as sent (result "found"), and when
  it cannot tell the row is retried later, never sent blind.
- After the call: 2xx is sent (the answer kept as the row's result, `caller.on_sent` in the transaction that marks
  it); 429, and 403 naming a block, block the service until `Retry-After` / `x-ratelimit-reset`
  (bot.integrations.rate_limits) and retry the row then; any answer with an exhausted quota blocks too; 5xx, 408,
  network errors and timeouts retry with jittered exponential backoff (bot.delivery.tuning); every other answer
  (other 4xx, a redirect) is dead at once; a row out of tries is dead. Dead rows are the outbox's dead letters:
  `frontdesk status` lists them and the dead-letter sweep tells the agents (bot.process.schedule).
- HTTP is the standard library's http.client (no dependency, and it lets the connect and read timeouts differ):
  every call has both timeouts, an answer is read up to `answer_cap` bytes, a redirect is followed only to the same
  scheme, host and port (307 and 308, which keep the method and body), never elsewhere. TLS certificates are
  verified. No proxy is used.
- The body is `body_of(call)`: compact JSON, UTF-8; a Caller that signs the body signs exactly these bytes.
- Errors and logs name the service, method, host and status, never a header or a credential. Each try is counted
  for /metrics by service (the Caller's name) and result, and its latency observed (bot.monitoring.instruments).
"""

import http.client
import json
import logging
import random
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

from bot.delivery.pacing import Pace
from bot.delivery.rows import OutboxRows
from bot.delivery.tuning import DeliverySettings
from bot.integrations import rate_limits
from bot.monitoring.instruments import http_call, http_tried
from bot.threads.heartbeat import Heartbeat
from bot.threads.pool import Pool
from storage import outbox, pace
from storage.engine import Database, Session
from storage.errors import LeaseLostError
from storage.kinds import DestinationKind, OutboxState
from storage.outbox import OutboxClaim

log = logging.getLogger(__name__)
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})
KEPT_HEADERS_DROPPED = frozenset({"set-cookie"})  # never stored in a row's result
USER_AGENT = "Frontdesk"
MAX_REDIRECTS = 3
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class HttpCall:
    service: str  # "github", "jira", "pagerduty", "opsgenie", "webhook:<name>": which Caller sends it
    method: str  # GET POST PUT PATCH DELETE
    url: str
    json: Any = None  # the body, as JSON (None: no body)
    headers: tuple[tuple[str, str], ...] = ()  # NEVER a secret: credentials are added at send time by the Caller

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"{self.method!r} is not an HTTP method the channel sends ({', '.join(sorted(METHODS))})")
        if urlsplit(self.url).scheme not in ("http", "https") or not urlsplit(self.url).hostname:
            raise ValueError(f"{self.url!r} is not an http(s) URL")
        if not self.service:
            raise ValueError("a call needs its service")

    @property
    def caller_name(self) -> str:
        """The name of the Caller that sends it: the service before any ':'."""
        return self.service.split(":", 1)[0]

    def with_headers(self, *headers: tuple[str, str]) -> "HttpCall":
        """The same call with `headers` added (for a Caller's `prepare`: credentials, signatures)."""
        return HttpCall(self.service, self.method, self.url, self.json, (*self.headers, *headers))

    def to_json(self) -> dict[str, Any]:
        return {"service": self.service, "method": self.method, "url": self.url, "json": self.json,
                "headers": [list(pair) for pair in self.headers]}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "HttpCall":
        headers = tuple((str(name), str(value)) for name, value in data.get("headers") or ())
        return cls(str(data["service"]), str(data["method"]), str(data["url"]), data.get("json"), headers)


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    headers: Mapping[str, str]  # lower-case names
    json: Any  # parsed body or None

    def to_json(self) -> dict[str, Any]:
        kept = {name: value for name, value in self.headers.items() if name not in KEPT_HEADERS_DROPPED}
        return {"status": self.status, "headers": kept, "json": self.json}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "HttpAnswer":
        headers = {str(name).lower(): str(value) for name, value in (data.get("headers") or {}).items()}
        return cls(int(data.get("status") or 0), headers, data.get("json"))


class Caller(Protocol):  # one per service; the HttpSender picks it by HttpCall.service (prefix before ':')
    def prepare(self, call: HttpCall, *, now: datetime, earlier: Mapping[str, HttpAnswer]) -> HttpCall:
        """The call as sent: credentials and signatures added at send time, ids from the answers of the calls
        it waited for (by key)."""
        ...

    def already_done(self, call: HttpCall, *, key: str) -> HttpAnswer | None:
        """On a retry after a try whose answer was lost: look whether the vendor already acted (e.g. search the
        tracker for the issue carrying this key); the answer to record as sent, or None to send again."""
        ...

    def on_sent(
        self, session: Session, call: HttpCall, answer: HttpAnswer, *, key: str, ticket_id: int | None, now: datetime
    ) -> None:
        """In the transaction that marks the row sent: record what came of it (e.g. the defect's link)."""
        ...


def call_later(
    session: Session,
    call: HttpCall,
    *,
    key: str,
    now: datetime,
    ticket_id: int | None = None,
    ordering_key: str | None = None,
    waits_for: str | None = None,
) -> None:
    """Stores the call as an outbox row (DestinationKind.HTTP) in the caller's transaction; the same key twice is
    stored once. ordering_key: calls with the same key are sent in order (e.g. "github:SR-000123").
    waits_for: the key of a call that must be sent first (its result is then available to the Caller)."""
    secret = [name for name, _ in call.headers if name.lower() in SECRET_HEADERS]
    if secret:
        raise ValueError(f"a stored call must not carry {', '.join(secret)}: its Caller adds credentials when sending")
    outbox.enqueue(
        session,
        key=key,
        destination_kind=DestinationKind.HTTP.value,
        destination=destination_of(call),
        payload={**call.to_json(), "waits_for": waits_for},
        now=now,
        ticket_id=ticket_id,
        ordering_key=ordering_key,
        waits_for=waits_for,
    )


def destination_of(call: HttpCall) -> str:
    """What `frontdesk status` and the agents' dead-letter alert show as the row's destination: the service, the
    method and the host (never the path or query, where some webhook URLs keep a token)."""
    return f"{call.service} {call.method} {urlsplit(call.url).hostname}"[:320]


def body_of(call: HttpCall) -> bytes | None:
    """The bytes sent as the call's body: compact JSON in UTF-8, or None without a body."""
    if call.json is None:
        return None
    return json.dumps(call.json, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class Timeouts:
    connect: float = 5.0  # seconds to open the connection (and the TLS handshake)
    read: float = 15.0  # seconds of silence allowed while waiting for and reading the answer
    answer_cap: int = 1 << 20  # bytes of an answer read at most; a longer one is cut (its JSON is then None)


class CallFailed(Exception):
    """No answer: `sent` tells whether the request may have reached the service (a timeout or a dropped connection
    after sending: the service may have acted) or surely did not (the connection could not be opened);
    `permanent`, that the call itself cannot be sent (a header value with a line break, a body that cannot be
    encoded), so trying again is pointless."""

    def __init__(self, error: str, *, sent: bool, permanent: bool = False) -> None:
        super().__init__(error)
        self.error, self.sent, self.permanent = error, sent, permanent


def send_now(call: HttpCall, timeouts: Timeouts = Timeouts()) -> HttpAnswer:
    """Makes the call at once and returns the answer, whatever its status; CallFailed when there is none. A Caller
    uses it for its own look-ups (`already_done`)."""
    url = call.url
    for _ in range(MAX_REDIRECTS + 1):
        answer = _exchange(call, url, timeouts)
        location = answer.headers.get("location", "")
        if answer.status not in (307, 308) or not location or not _same_origin(url, urljoin(url, location)):
            return answer
        url = urljoin(url, location)
    return answer


def _exchange(call: HttpCall, url: str, timeouts: Timeouts) -> HttpAnswer:
    parts = urlsplit(url)
    host = parts.hostname or ""
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        context = ssl.create_default_context()
        connection = http.client.HTTPSConnection(host, parts.port, timeout=timeouts.connect, context=context)
    else:
        connection = http.client.HTTPConnection(host, parts.port, timeout=timeouts.connect)
    try:
        try:
            connection.connect()
        except OSError as error:
            raise CallFailed(f"cannot connect to {host}: {_reason(error)}", sent=False) from None
        if connection.sock is not None:
            connection.sock.settimeout(timeouts.read)
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **dict(call.headers)}
        body = body_of(call)
        if body is not None:
            headers.setdefault("Content-Type", "application/json")
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if body is not None or call.method in ("POST", "PUT", "PATCH"):
            headers["Content-Length"] = str(len(body or b""))
        _put_headers(connection, call.method, target, headers, host)
        try:
            connection.endheaders(body)
            response = connection.getresponse()
            raw = response.read(timeouts.answer_cap + 1)
        except (OSError, http.client.HTTPException) as error:
            raise CallFailed(f"no answer from {host}: {_reason(error)}", sent=True) from None
        names = {name.lower(): value for name, value in response.getheaders()}
        return HttpAnswer(response.status, names, _parsed(raw, timeouts.answer_cap))
    finally:
        connection.close()


def _put_headers(
    connection: http.client.HTTPConnection, method: str, target: str, headers: Mapping[str, str], host: str
) -> None:
    """The request line and headers; a permanent CallFailed naming the header that cannot be sent (never its
    value, which may be a credential)."""
    try:
        connection.putrequest(method, target)
    except (ValueError, UnicodeError, http.client.InvalidURL):
        raise CallFailed(f"the call to {host} cannot be sent: invalid path", sent=False, permanent=True) from None
    for name, value in headers.items():
        try:
            connection.putheader(name, value)
        except (ValueError, UnicodeError):
            raise CallFailed(f"the call to {host} cannot be sent: header {name!r} is invalid", sent=False,
                             permanent=True) from None  # fmt: skip


def _parsed(raw: bytes, cap: int) -> Any:
    if not raw or len(raw) > cap:
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


def _same_origin(first: str, second: str) -> bool:
    one, two = urlsplit(first), urlsplit(second)
    return (one.scheme, one.hostname, one.port) == (two.scheme, two.hostname, two.port)


def _reason(error: BaseException) -> str:
    return type(error).__name__ + (f": {error}" if str(error) else "")


@dataclass(frozen=True)
class HttpSettings:
    """The HTTP sender's settings: the outbox's (batch, lease, tries, backoff, poll: bot.delivery.tuning), the
    timeouts, each service's pace (`paces`, by service name or Caller name, else `pace`), and how long a 429 without
    a header blocks its service."""

    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    timeouts: Timeouts = field(default_factory=Timeouts)
    pace: Pace = field(default_factory=lambda: Pace(per_second=5.0, burst=10))
    paces: Mapping[str, Pace] = field(default_factory=dict)
    rate_limit_default: timedelta = timedelta(seconds=60)
    awaited_wait: timedelta = timedelta(seconds=1)  # how soon to look again at a row waiting for another

    def pace_of(self, service: str) -> Pace:
        return self.paces.get(service) or self.paces.get(service.split(":", 1)[0]) or self.pace


def block_name(service: str) -> str:
    """The storage.pace row that blocks `service` (a 429, an exhausted quota), shared by every process."""
    return f"http:{service}"


def pace_name(service: str) -> str:
    return f"http-pace:{service}"


class _Dead(Exception):
    """The row can never be sent: dead-letter it."""


class _NotYet(Exception):
    """The row may not be tried now: put it back until `until`, no try counted."""

    def __init__(self, until: datetime, reason: str) -> None:
        super().__init__(reason)
        self.until, self.reason = until, reason


@dataclass(frozen=True)
class _Row:
    claim: OutboxClaim
    call: HttpCall
    caller: Caller
    earlier: Mapping[str, HttpAnswer]


class HttpSender:
    """Sends the outbox's HTTP rows through their services' Callers; see the module's rules."""

    def __init__(
        self,
        database: Database,
        callers: Mapping[str, Caller],
        clock: Clock,
        settings: HttpSettings | None = None,
        *,
        rng: random.Random | None = None,
        threads: int = 1,
    ) -> None:
        self.database, self.callers, self.clock = database, dict(callers), clock
        self.settings = settings or HttpSettings()
        self.rng = rng or random.Random()
        self.rows = OutboxRows(database, self.settings.delivery.max_attempts)  # unsent rows (bot.delivery.rows)
        self._pool = Pool(threads, name="http")

    def send_once(self, now: datetime, *, key: str | None = None) -> int:
        """Claims a batch (only the row stored under `key` with it), tries what may be tried (on the sender's
        threads), records every outcome; how many rows were claimed."""
        self.rows.start()
        delivery = self.settings.delivery
        claims = outbox.claim_outbox(self.database, now=now, lease_for=delivery.lease_for, limit=delivery.batch_size,
                                     destination_kind=DestinationKind.HTTP.value, key=key)  # fmt: skip
        if not claims:
            return 0
        renew = lambda elapsed: outbox.renew_outbox(self.database, claims, until=now + elapsed + delivery.lease_for)  # noqa: E731
        with Heartbeat(renew):
            self._pool.each(claims, lambda claim: self._send(claim, now))
        return len(claims)

    @property
    def next_due(self) -> datetime | None:
        """The earliest retry or put-back the last batch set (bot.delivery.rows)."""
        return self.rows.next_due

    def round(self) -> timedelta:
        """One round for a bot.threads.runner.Runner: at once again after a full batch, else at the earliest instant
        the batch set or after the poll interval, whichever is sooner."""
        now, poll = self.clock(), self.settings.delivery.poll_interval
        if self.send_once(now) >= self.settings.delivery.batch_size:
            return timedelta(0)
        return self.rows.wait(now, poll)

    def close(self) -> None:
        self._pool.close()

    def _send(self, claim: OutboxClaim, now: datetime) -> None:
        service = str(claim.payload.get("service") or "unknown").split(":", 1)[0]
        try:
            http_tried(service, self._try(claim, now))
        except LeaseLostError:
            log.warning("outbox row %s was claimed again by another worker (lease expired)", claim.id)

    def _try(self, claim: OutboxClaim, now: datetime) -> str | None:
        """One try of the row; its result for /metrics, or None when it was put back untried."""
        try:
            row = self._row(claim, now)
            self._admit(row.call, self._moment(now))
        except _Dead as error:
            return self.rows.dead(claim, str(error))
        except _NotYet as later:
            self.rows.put_back(claim, later.until, later.reason)
            return None
        if claim.attempts > 1:
            try:
                found = row.caller.already_done(row.call, key=claim.idempotency_key)
            except Exception as error:  # a look-up that failed: the vendor may have acted, so nothing is sent blind
                reason = f"could not tell whether an earlier try went through: {_reason(error)}"[:500]
                return self._transient(claim, reason, self._moment(now))
            if found is not None:
                self._sent(row, found, self._moment(now))
                return "found"
        try:
            prepared = row.caller.prepare(row.call, now=self._moment(now), earlier=row.earlier)
        except Exception as error:  # a Caller that cannot make the call (a credential missing): never retried blind
            return self.rows.dead(claim, f"{row.call.service} could not prepare the call: {_reason(error)}")
        with http_call(row.call.caller_name):
            try:
                answer: HttpAnswer | CallFailed = send_now(prepared, self.settings.timeouts)
            except CallFailed as failure:
                answer = failure
        return self._record(row, answer, self._moment(now))

    def _moment(self, now: datetime) -> datetime:
        """The instant of an answer: the clock's, never before the batch began at `now`."""
        return max(now, self.clock())

    def _row(self, claim: OutboxClaim, now: datetime) -> _Row:
        try:
            call = HttpCall.from_json(claim.payload)
        except (KeyError, TypeError, ValueError) as error:
            raise _Dead(f"invalid stored call: {error}") from None
        caller = self.callers.get(call.caller_name)
        if caller is None:
            raise _Dead(f"no integration is configured for {call.service}")
        awaited = claim.payload.get("waits_for")
        return _Row(claim, call, caller, self._earlier(str(awaited), now) if awaited else {})

    def _earlier(self, key: str, now: datetime) -> dict[str, HttpAnswer]:
        with self.database.read() as session:
            entry = outbox.outbox_entry(session, key)
        if entry is None:
            raise _Dead(f"waits for {key}, which is not in the outbox")
        if entry.state in (OutboxState.DEAD, OutboxState.DISMISSED):
            raise _Dead(f"waits for {key}, which was dead-lettered ({entry.last_error})")
        if entry.state is not OutboxState.SENT:
            raise _NotYet(now + self.settings.awaited_wait, f"waiting for {key}")
        return {key: HttpAnswer.from_json(entry.result or {})}

    def _admit(self, call: HttpCall, now: datetime) -> None:
        """Raises _NotYet while the service is blocked or has no token of its pace at `now`."""
        rate = self.settings.pace_of(call.service)
        with self.database.write() as session:
            blocked = pace.blocked_until(session, block_name(call.service), now=now)
            if blocked is None and call.caller_name != call.service:
                blocked = pace.blocked_until(session, block_name(call.caller_name), now=now)
            if blocked is not None:
                raise _NotYet(blocked, f"{call.service} rate limited")
            next_token = pace.take(session, pace_name(call.service), now=now, interval=rate.interval, burst=rate.burst)
        if next_token is not None:
            raise _NotYet(next_token, f"paced: {call.service}")

    def _record(self, row: _Row, answer: "HttpAnswer | CallFailed", now: datetime) -> str:
        """What came of the call, at `now`, the instant its answer arrived; the try's result for /metrics."""
        call, claim = row.call, row.claim
        if isinstance(answer, CallFailed) and answer.permanent:
            return self.rows.dead(claim, f"{call.service} {call.method}: {answer.error}")
        if isinstance(answer, CallFailed):
            return self._transient(claim, f"{call.service} {call.method}: {answer.error}", now)
        host = urlsplit(call.url).hostname
        what = f"HTTP {answer.status} from {call.service} {call.method} {host}"
        until = rate_limits.blocked_until(answer.status, answer.headers, now=now,
                                          default=self.settings.rate_limit_default)  # fmt: skip
        if until is not None:
            self._block(call.service, until)
        if 200 <= answer.status < 300:
            self._sent(row, answer, now)
            return "sent"
        if rate_limits.is_rate_limited(answer.status, answer.headers, now=now):
            later = until or now + self.settings.delivery.backoff(claim.attempts, self.rng)
            return self.rows.retry(claim, f"{what}, rate limited until {later.isoformat()}", later) or "rate_limited"
        if answer.status >= 500 or answer.status == 408:
            return self._transient(claim, what, now)
        return self.rows.dead(claim, f"{what}: {_summary(answer)}")

    def _sent(self, row: _Row, answer: HttpAnswer, now: datetime) -> None:
        claim = row.claim
        with self.database.write() as session:
            outbox.mark_sent(session, claim, now=now, result=answer.to_json())
            row.caller.on_sent(session, row.call, answer, key=claim.idempotency_key, ticket_id=claim.ticket_id, now=now)

    def _block(self, service: str, until: datetime) -> None:
        with self.database.write() as session:
            pace.block(session, block_name(service), until=until)
        log.info("%s blocked until %s (rate limit)", service, until.isoformat())

    def _transient(self, claim: OutboxClaim, error: str, now: datetime) -> str:
        return (
            self.rows.retry(claim, error, now + self.settings.delivery.backoff(claim.attempts, self.rng)) or "retried"
        )


def _summary(answer: HttpAnswer) -> str:
    """A short account of a refusal's body for the dead letter (the vendor's message, not the whole body)."""
    body = answer.json
    if isinstance(body, Mapping):
        for name in ("message", "errorMessages", "error", "errors", "status"):
            if body.get(name):
                return " ".join(str(body[name]).split())[:300]
    return "no readable message" if body is None else " ".join(json.dumps(body).split())[:300]
