"""The delivery worker: claims outbox rows for Slack, sends each payload once it may, and records what came of it.

Rules:
- `deliver_once(now)` claims one batch (`storage.outbox.claim_outbox`, urgent rows first, leased until now +
  `lease_for` and renewed by a heartbeat while it is sent), sends its rows at once on `threads` threads (a claim
  holds one row per thread or channel, bot.threads.pool) and, before each row that is not urgent, sends the urgent rows
  stored since (views, answers to clicks: their trigger lives 3 s). `deliver_urgent(now)` sends only those, for
  a thread of their own that no slow batch holds up; with one (`urgent_elsewhere`), a batch does not look for
  them before each row (that look is a write transaction, and with many threads they queue for the database).
  It finishes every claimed row before it returns: sent (with Slack's `result_of`), put back unsent, retried
  later, or dead-lettered. What came of a call is dated by the injected `clock`, read when the answer arrived (never
  before the batch's `now`): a batch of slow calls does not shorten a `Retry-After` by the time already spent.
  Tests inject both, so they drive it with fixed instants.
- Before a row is sent: its references must be sent (else it is put back, or dead-lettered when one is dead or
  missing); its method must not be blocked by a 429 (else put back until the block ends); chat.postMessage,
  chat.update and file shares take a token of their channel's pace (else put back until the next token), at
  the clock's instant just before the call. None of these counts an attempt. Blocks and paces are shared by
  every worker process on the database (`pacing`), so N workers together keep one channel's pace.
- A sent row that `anchors` a thread gives it to its ticket in the same transaction.
- After the call (see `outcomes`): 429 blocks the method for `Retry-After`, counted from the instant the answer
  arrived, and retries the row then; 5xx and network errors retry with jittered exponential backoff; other Slack
  errors dead-letter at once; a row whose tries reach `max_attempts` is dead-lettered.
- A row for a channel the bot is not in (`NotInChannel`) is parked, not dead (storage.channel_waits), and the
  rows behind it in its thread wait with it; the first row parked for a channel calls `on_parked` in that
  transaction (the app tells the agents there, once per channel). A message posted in a channel releases what
  is parked for it (the fallback probe got through); so does the bot joining it (bot.slack.membership).
- Nothing is posted twice: every chat.postMessage carries its row's idempotency key in the message metadata,
  and a row tried before (its answer lost to a timeout, a 5xx, or a worker that died after Slack took it) is
  first looked for in its thread or channel (conversations.replies / history since the row was stored); when
  found, it is recorded as sent with that message. A late worker's `mark_sent` fails with LeaseLostError
  instead of recording a row twice. (Updates, views and reactions are idempotent by nature.)
- Each try is counted for /metrics by method and result (bot.monitoring.instruments): sent, rate_limited, retried,
  parked or dead; a row put back unsent (its reference, pace or block not ready) is not a try. Each row's log
  records carry the SR number of the request it anchors (bot.monitoring.logs).
- The client must not retry by itself: slack_sdk's RateLimitErrorRetryHandler (and ConnectionErrorRetryHandler)
  sleep in the calling thread; `delivery_client` builds one without retry handlers, and the worker refuses a
  client with a rate-limit handler.
"""

import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.actor import ACTOR
from bot.delivery.call_results import (
    NETWORK_ERRORS,
    NotInChannel,
    Outcome,
    Permanent,
    RateLimited,
    Sent,
    Transient,
    from_api_error,
    from_network_error,
    retry_after_seconds,
)
from bot.delivery.pacing import Pacing
from bot.delivery.rows import OutboxRows
from bot.delivery.slack_payload import (
    DESTINATION_KIND,
    FILE_UPLOAD,
    RESPONSE_URL,
    InvalidPayload,
    SlackPayload,
    Unresolvable,
    result_of,
)
from bot.delivery.tuning import DeliverySettings
from bot.monitoring.instruments import MeteredWebClient, delivered
from bot.monitoring.logs import log_scope
from bot.threads.heartbeat import Heartbeat
from bot.threads.pool import Pool
from storage import channel_waits, outbox, tickets
from storage.channel_waits import ChannelWaiting
from storage.engine import Database, Session
from storage.errors import LeaseLostError
from storage.kinds import OutboxState
from storage.outbox import OutboxClaim

log = logging.getLogger(__name__)
PACED_METHODS = frozenset({"chat.postMessage", "chat.update", FILE_UPLOAD})
POSTING_METHODS = PACED_METHODS | {"chat.postEphemeral"}  # a success proves the bot is in the channel
MARK = "frontdesk_outbox"  # the metadata event type that names a message's outbox row
Clock = Callable[[], datetime]
OnParked = Callable[[Session, ChannelWaiting, datetime], None]


def delivery_client(token: str, base_url: str, *, timeout: int = 10) -> WebClient:
    """A WebClient for the worker: no retry handlers, so no call ever sleeps in the worker's thread; its calls are
    timed for /metrics."""
    return MeteredWebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=[])


class _Unsendable(Exception):
    """The row can never be sent (bad payload, a reference dead or missing): dead-letter it."""


class _NotYet(Exception):
    """The row may not be sent now: put it back until `until` without counting an attempt."""

    def __init__(self, until: datetime, reason: str) -> None:
        super().__init__(reason)
        self.until = until
        self.reason = reason


class Deliverer:
    def __init__(
        self,
        database: Database,
        client: WebClient,
        clock: Clock,
        settings: DeliverySettings | None = None,
        *,
        rng: random.Random | None = None,
        on_parked: OnParked | None = None,
        threads: int = 1,
        urgent_elsewhere: bool = False,
    ) -> None:
        self.database = database
        self.client = client
        self.clock = clock
        self.settings = settings or DeliverySettings()
        self.rng = rng or random.Random()
        self.on_parked = on_parked
        if any(isinstance(handler, RateLimitErrorRetryHandler) for handler in client.retry_handlers):
            raise ValueError("the delivery client must not retry 429s itself: it would sleep in the worker")
        self.pacing = Pacing(database, self.settings.channel_pace)
        self.rows = OutboxRows(database, self.settings.max_attempts)  # rows not got through (bot.delivery.rows)
        self._pool = Pool(threads, name="delivery")
        self._urgent_elsewhere = urgent_elsewhere  # a thread of the app's sends urgent rows: no look before each row

    def deliver_once(self, now: datetime) -> int:
        """Claims a batch, sends what may be sent (the rows at once on the worker's threads), records every
        outcome; returns how many rows were claimed."""
        self.rows.start()
        claims = self._claim(now, urgent_only=False)
        with Heartbeat(lambda elapsed: self._renew(claims, now + elapsed)):
            self._pool.each(claims, lambda claim: self._urgent_then(claim, now))
        return len(claims)

    @property
    def next_due(self) -> datetime | None:
        """The earliest retry or put-back the last batch set (bot.delivery.rows)."""
        return self.rows.next_due

    def round(self) -> timedelta:
        """One round for a thread (bot.threads.runner.Runner) at the clock's instant: how long to wait before the next,
        zero after a full batch, else until the earliest retry the batch set or `poll_interval`, whichever is
        sooner."""
        now, poll = self.clock(), self.settings.poll_interval
        if self.deliver_once(now) >= self.settings.batch_size:
            return timedelta(0)
        return self.rows.wait(now, poll)

    def deliver_urgent(self, now: datetime) -> int:
        """Sends only views and answers to clicks (their trigger lives 3 s); how many rows were claimed."""
        return self._send_urgent(now)

    def close(self) -> None:
        """Ends the worker's threads once the rows in hand are sent."""
        self._pool.close()

    def _urgent_then(self, claim: OutboxClaim, now: datetime) -> None:
        if not claim.urgent and not self._urgent_elsewhere:
            self._send_urgent(now)
        self._send(claim, now)

    def _claim(self, now: datetime, *, urgent_only: bool) -> list[OutboxClaim]:
        lease, size = self.settings.lease_for, self.settings.batch_size
        return outbox.claim_outbox(self.database, now=now, lease_for=lease, limit=size,
                                   destination_kind=DESTINATION_KIND, urgent_only=urgent_only)  # fmt: skip

    def _send_urgent(self, now: datetime) -> int:
        """Views and answers to clicks stored since the batch was claimed go before its next row."""
        sent = 0
        while urgent := self._claim(now, urgent_only=True):
            with Heartbeat(lambda elapsed: self._renew(urgent, now + elapsed)):
                for claim in urgent:
                    self._send(claim, now)
            sent += len(urgent)
        return sent

    def _renew(self, claims: list[OutboxClaim], now: datetime) -> None:
        outbox.renew_outbox(self.database, claims, until=now + self.settings.lease_for)

    def _send(self, claim: OutboxClaim, now: datetime) -> None:
        try:
            with log_scope():
                self._deliver(claim, now)
        except LeaseLostError:
            log.warning("outbox row %s was claimed again by another worker (lease expired)", claim.id)

    def _deliver(self, claim: OutboxClaim, now: datetime) -> None:
        try:
            payload, args = self._prepare(claim, now)
        except _Unsendable as error:
            self.rows.dead(claim, str(error))
            delivered(str(claim.payload.get("method") or "unknown"), "dead")
            return
        except _NotYet as later:
            self.rows.put_back(claim, later.until, later.reason)
            return
        if payload.method == "chat.postMessage":
            args = {**args, "metadata": {"event_type": MARK, "event_payload": {"key": claim.idempotency_key}}}
            posted = self._posted_before(claim, args) if claim.attempts > 1 else None
            if posted is not None:
                self._record(claim, payload, args, Sent(posted), self._moment(now))
                return
        outcome = self._call(payload.method, args)
        self._record(claim, payload, args, outcome, self._moment(now))

    def _moment(self, now: datetime) -> datetime:
        """The instant of an answer: the clock's, never before the batch began at `now`."""
        return max(now, self.clock())

    def _prepare(self, claim: OutboxClaim, now: datetime) -> tuple[SlackPayload, dict[str, Any]]:
        try:
            payload = SlackPayload.from_json(claim.payload)
        except InvalidPayload as error:
            raise _Unsendable(f"invalid payload: {error}") from None
        results = self._referenced_results(payload, now)
        try:
            args = payload.resolved_args(results)
        except Unresolvable as error:
            raise _Unsendable(str(error)) from None
        channel = str(args.get("channel") or "") if payload.method in PACED_METHODS else None
        held = self.pacing.admit(payload.method, channel, self._moment(now))
        if held is not None:
            raise _NotYet(held.until, held.reason)
        return payload, args

    def _referenced_results(self, payload: SlackPayload, now: datetime) -> dict[str, dict[str, Any]]:
        results: dict[str, dict[str, Any]] = {}
        with self.database.read() as session:
            entries = {key: outbox.outbox_entry(session, key) for key in payload.references}
        for key, entry in entries.items():
            if entry is None:
                raise _Unsendable(f"refers to {key}, which is not in the outbox")
            if entry.state in (OutboxState.DEAD, OutboxState.DISMISSED):
                raise _Unsendable(f"refers to {key}, which was dead-lettered ({entry.last_error})")
            if entry.state is not OutboxState.SENT:
                raise _NotYet(now + self.settings.reference_wait, f"waiting for {key}")
            results[key] = entry.result or {}
        return results

    def _call(self, method: str, args: dict[str, Any]) -> Outcome:
        try:
            if method == RESPONSE_URL:
                return self._respond(args)
            response = self._upload(args) if method == FILE_UPLOAD else self.client.api_call(method, json=args)
        except FileNotFoundError as error:
            return Permanent(f"the file to share is gone: {error.filename}")
        except SlackApiError as error:
            return from_api_error(error)
        except NETWORK_ERRORS as error:
            return from_network_error(error)
        data = response.data
        return Sent(data if isinstance(data, dict) else {})

    def _posted_before(self, claim: OutboxClaim, args: dict[str, Any]) -> dict[str, Any] | None:
        """A message an earlier try posted (its answer lost: a timeout, a worker killed), found by the row's key
        in the messages' metadata; None when there is none, or when Slack cannot tell now (then it is posted)."""
        channel, thread = str(args.get("channel") or ""), args.get("thread_ts")
        since = f"{claim.created_at.timestamp() - 1:.6f}"
        try:
            if thread:
                found = self.client.conversations_replies(channel=channel, ts=thread, oldest=since,
                                                          include_all_metadata=True, limit=200)  # fmt: skip
            else:
                found = self.client.conversations_history(channel=channel, oldest=since, include_all_metadata=True,
                                                          limit=200)  # fmt: skip
        except (SlackApiError, *NETWORK_ERRORS):
            return None
        for message in found.get("messages") or []:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("key") == claim.idempotency_key:
                return {"channel": channel, "ts": message.get("ts")}
        return None

    def _respond(self, args: dict[str, Any]) -> Outcome:
        """A message POSTed to a response_url: 2xx sent, 429 and 5xx retried, anything else (an expired or used-up
        URL answers 404 or 410) dead."""
        body = {name: value for name, value in args.items() if name != "url"}
        body.setdefault("response_type", "ephemeral")
        webhook = WebhookClient(str(args["url"]), timeout=self.client.timeout, retry_handlers=[])
        answer = webhook.send_dict(body)
        host = urlsplit(str(args["url"])).netloc
        if 200 <= answer.status_code < 300:
            return Sent({})
        if answer.status_code == 429:
            seconds = retry_after_seconds(answer.headers)
            return RateLimited(seconds, f"HTTP 429 from {host}, Retry-After {seconds:g}s")
        if answer.status_code >= 500:
            return Transient(f"HTTP {answer.status_code} from {host}")
        return Permanent(f"HTTP {answer.status_code} from {host}: {str(answer.body)[:100]}")

    def _upload(self, args: dict[str, Any]) -> Any:
        """A stored file shared in a channel (and thread) by the two-step external upload."""
        with open(str(args["path"]), "rb") as file:
            return self.client.files_upload_v2(
                channel=args.get("channel"),
                thread_ts=args.get("thread_ts"),
                file=file.read(),
                filename=str(args["filename"]),
                title=str(args.get("title") or args["filename"]),
            )

    def _record(
        self, claim: OutboxClaim, payload: SlackPayload, args: dict[str, Any], outcome: Outcome, now: datetime
    ) -> None:
        """What came of the call, at `now`, the instant its answer arrived (a 429's Retry-After counts from it)."""
        delivered(payload.method, self._recorded(claim, payload, args, outcome, now))

    def _recorded(
        self, claim: OutboxClaim, payload: SlackPayload, args: dict[str, Any], outcome: Outcome, now: datetime
    ) -> str:
        """Records `outcome`; the try's result, as /metrics counts it."""
        match outcome:
            case Sent(answer=answer):
                result = result_of(payload.method, answer, args)
                with self.database.write() as session:
                    outbox.mark_sent(session, claim, now=now, result=result)
                    if payload.anchors is not None and claim.ticket_id is not None:
                        _anchor(session, claim.ticket_id, payload.anchors, result, now)
                    released = _release(session, payload.method, str(args.get("channel") or ""), now)
                if released:
                    log.info("posted in channel %s again: %s waiting messages released", args["channel"], released)
                return "sent"
            case RateLimited(retry_after=seconds, error=error):
                until = now + timedelta(seconds=seconds)
                self.pacing.block(payload.method, until)
                return self.rows.retry(claim, error, until) or "rate_limited"
            case Transient(error=error):
                return self.rows.retry(claim, error, now + self.settings.backoff(claim.attempts, self.rng)) or "retried"
            case NotInChannel(error=error) if args.get("channel"):
                self._park(claim, str(args["channel"]), error, now)
                return "parked"
            case Permanent(error=error):  # NotInChannel too, where no channel is named
                self.rows.dead(claim, error)
        return "dead"

    def _park(self, claim: OutboxClaim, channel: str, error: str, now: datetime) -> None:
        with self.database.write() as session:
            waiting = channel_waits.park(session, claim, channel=channel, reason=error, now=now)
            if waiting is not None and self.on_parked is not None:
                self.on_parked(session, waiting, now)
        if waiting is not None:
            log.warning("messages for channel %s wait until the bot is invited to it (%s)", channel, error)


def _release(session: Session, method: str, channel: str, now: datetime) -> int:
    """A post got through to `channel`: what was parked for it goes out (how many rows)."""
    return channel_waits.release(session, channel, now=now) if channel and method in POSTING_METHODS else 0


def _anchor(session: Any, ticket_id: int, anchors: str, result: dict[str, Any], now: datetime) -> None:
    """The sent message becomes the ticket's requester thread, or its card's thread in the agents channel."""
    if anchors == "requester":
        thread = {"slack_channel": result.get("channel"), "slack_thread_ts": result.get("ts")}
    else:
        thread = {"agents_thread_ts": result.get("ts")}
    tickets.change_ticket(session, ticket_id, thread, actor=ACTOR, now=now)
