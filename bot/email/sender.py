"""The email delivery worker: claims outbox rows for email and sends them through SMTP
(docs/architecture.md, "The path of a message", step 5).

Rules:
- `deliver_once(now)` claims one batch of email rows and finishes each before it returns: sent (the result keeps
  the Message-ID), retried later with the delivery settings' backoff, or dead-lettered (visible in `frontdesk
  status` and to agents). One SMTP connection serves a batch.
- Every message carries From (the desk's address and name), To, Subject, Date, a Message-ID (the payload's, or one
  derived from the row's key, so a retry sends the same id and the recipient's client shows one message),
  In-Reply-To and References when it continues a thread, `X-Frontdesk-Key` (our own mail, should it come back, is
  recognised) and, for automated notices, `Auto-Submitted: auto-generated` (RFC 3834). Plain text, with the HTML
  as an alternative part when the payload has one.
- `starttls` requires the server's STARTTLS and a valid certificate, or nothing (no login, no message) is sent;
  a login is never sent unencrypted unless the settings allow it (bot.config.mail_servers). A connection that failed
  is closed.
- An SMTP 5xx answer (the recipient refused, a message refused) is permanent: dead at once. A 4xx answer, a lost
  connection, a timeout or a refused login is retried, and dead after `max_attempts`.
- An invalid payload can never be sent: dead at once.
- Each try is counted for /metrics, method `email`, as sent, retried or dead (bot.monitoring.instruments).
- SMTP has no idempotency: a connection lost after the server took the message but before it answered sends it
  again on retry, with the same Message-ID (mail clients and our own threading treat the two as one).
"""

import hashlib
import logging
import random
import smtplib
import ssl
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from bot.config.email import EmailDesk
from bot.config.mail_servers import SmtpSettings
from bot.delivery.tuning import DeliverySettings
from bot.email.mail_payload import DESTINATION_KIND, EmailPayload, InvalidEmail
from bot.monitoring.instruments import EMAIL, delivered
from storage import outbox
from storage.engine import Database
from storage.errors import LeaseLostError
from storage.kinds import OutboxState
from storage.outbox import OutboxClaim

log = logging.getLogger(__name__)
KEY_HEADER = "X-Frontdesk-Key"


def message_id_for(key: str, domain: str) -> str:
    """The Message-ID of the email stored under outbox key `key`: the same on every try."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def compose(payload: EmailPayload, *, key: str, desk: EmailDesk, now: datetime) -> EmailMessage:
    """The message to send for a stored payload."""
    message = EmailMessage()
    message["From"] = formataddr((desk.name, desk.address or f"frontdesk@{desk.domain}"))
    message["To"] = payload.to
    message["Subject"] = payload.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = payload.message_id or message_id_for(key, desk.domain)
    if payload.in_reply_to:
        message["In-Reply-To"] = payload.in_reply_to
        message["References"] = " ".join(payload.references or (payload.in_reply_to,))
    message[KEY_HEADER] = key
    if payload.automated:
        message["Auto-Submitted"] = "auto-generated"
    message.set_content(payload.text)
    if payload.html:
        message.add_alternative(payload.html, subtype="html")
    return message


class SmtpFailure(Exception):
    def __init__(self, error: str, *, permanent: bool) -> None:
        super().__init__(error)
        self.error, self.permanent = error, permanent


class _Unreachable(Exception):
    def __init__(self, failure: SmtpFailure) -> None:
        super().__init__(failure.error)
        self.failure = failure


class EmailDeliverer:
    """Sends the email rows of the outbox through one SMTP server."""

    def __init__(
        self,
        database: Database,
        smtp: SmtpSettings,
        desk: EmailDesk,
        clock: Callable[[], datetime],
        settings: DeliverySettings | None = None,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self.database, self.smtp, self.desk, self.clock = database, smtp, desk, clock
        self.settings = settings or DeliverySettings()
        self.rng = rng or random.Random()

    def deliver_once(self, now: datetime) -> int:
        """Claims a batch, sends it, records every outcome; how many rows were claimed."""
        claims = outbox.claim_outbox(
            self.database,
            now=now,
            lease_for=self.settings.lease_for,
            limit=self.settings.batch_size,
            destination_kind=DESTINATION_KIND,
        )
        if not claims:
            return 0
        connection: smtplib.SMTP | None = None
        try:
            for index, claim in enumerate(claims):
                try:
                    connection = self._deliver(claim, connection, now)
                except _Unreachable as failure:  # the server is down: the rest of the batch waits, uncounted
                    self._finish(claim, failure.failure, now)
                    self._put_back(claims[index + 1 :], now, failure.failure.error)
                    break
        finally:
            if connection is not None:
                quit_politely(connection)
        return len(claims)

    def _deliver(self, claim: OutboxClaim, connection: smtplib.SMTP | None, now: datetime) -> smtplib.SMTP | None:
        """Sends one row; the connection to go on with (None after a failure that may have broken it)."""
        try:
            payload = EmailPayload.from_json(claim.payload)
        except InvalidEmail as error:
            self._finish(claim, SmtpFailure(f"invalid payload: {error}", permanent=True), now)
            return connection
        message = compose(payload, key=claim.idempotency_key, desk=self.desk, now=now)
        if connection is None:
            try:
                connection = self._connect()
            except SmtpFailure as failure:
                raise _Unreachable(failure) from None
        try:
            _send(connection, message)
        except SmtpFailure as failure:
            self._finish(claim, failure, now)
            if failure.permanent:
                return connection
            quit_politely(connection)  # it may be broken: the next row connects again
            return None
        self._finish(claim, None, now, message_id=str(message["Message-ID"]))
        return connection

    def _put_back(self, claims: list[OutboxClaim], now: datetime, reason: str) -> None:
        later = now + self.settings.backoff(1, self.rng)
        with self.database.write() as session:
            for claim in claims:
                outbox.put_back(session, claim, next_try_at=later, reason=reason)

    def _connect(self) -> smtplib.SMTP:
        return connect(self.smtp)

    def _finish(self, claim: OutboxClaim, failure: SmtpFailure | None, now: datetime, message_id: str = "") -> None:
        result = "sent" if failure is None else "dead" if failure.permanent else "retried"
        try:
            with self.database.write() as session:
                if failure is None:
                    outbox.mark_sent(session, claim, now=now, result={"message_id": message_id})
                elif failure.permanent:
                    outbox.dead_letter(session, claim, error=failure.error)
                else:
                    later = now + self.settings.backoff(claim.attempts, self.rng)
                    state = outbox.retry_later(
                        session, claim, error=failure.error, next_try_at=later, max_attempts=self.settings.max_attempts
                    )
                    if state is OutboxState.DEAD:
                        log.warning("email %s dead after %s tries: %s", claim.id, claim.attempts, failure.error)
                        result = "dead"
            delivered(EMAIL, result)
        except LeaseLostError:
            log.warning("outbox row %s was claimed again by another worker (lease expired)", claim.id)

    def poll(self) -> timedelta:
        """One round for a bot.threads.runner.Runner: at once again after a full batch, else after the poll interval."""
        full = self.deliver_once(self.clock()) >= self.settings.batch_size
        return timedelta(0) if full else self.settings.poll_interval


def connect(smtp: SmtpSettings) -> smtplib.SMTP:
    """A connection to `smtp`, encrypted and logged in as its settings say; SmtpFailure (never permanent) otherwise."""
    try:
        if smtp.tls == "ssl":
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=smtp.timeout, context=ssl.create_default_context()
            )
        else:
            connection = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    except (smtplib.SMTPException, OSError) as error:
        raise SmtpFailure(f"cannot reach SMTP {smtp.host}:{smtp.port}: {_reason(error)}", permanent=False) from None
    try:
        if smtp.tls == "starttls":
            connection.starttls(context=ssl.create_default_context())
        if smtp.user:
            connection.login(smtp.user, smtp.password)
    except smtplib.SMTPAuthenticationError as error:
        connection.close()
        raise SmtpFailure(f"SMTP login as {smtp.user} refused ({error.smtp_code})", permanent=False) from None
    except (smtplib.SMTPException, OSError) as error:  # no STARTTLS offered, a bad certificate: nothing is sent
        connection.close()
        raise SmtpFailure(f"SMTP {smtp.host}:{smtp.port}: {_reason(error)}", permanent=False) from None
    return connection


def _send(connection: smtplib.SMTP, message: EmailMessage) -> None:
    try:
        refused = connection.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        raise SmtpFailure(f"recipient refused ({', '.join(map(str, codes))})", permanent=min(codes) >= 500) from None
    except smtplib.SMTPResponseException as error:
        reason = f"SMTP {error.smtp_code}: {_reason(error)}"
        raise SmtpFailure(reason, permanent=error.smtp_code >= 500) from None
    except (smtplib.SMTPException, OSError) as error:
        raise SmtpFailure(f"SMTP connection lost: {_reason(error)}", permanent=False) from None
    if refused:
        raise SmtpFailure(f"recipient refused: {refused}", permanent=True)


def _reason(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return " ".join(str(text).split())[:200]
    return type(error).__name__ + (f": {error}" if str(error) else "")


def quit_politely(connection: smtplib.SMTP) -> None:
    """QUIT, or a plain close when the server is gone."""
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()
