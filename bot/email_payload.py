"""The payload of an outbox row for email (destination_kind "email"), and storing one.

Contract (frozen: the email delivery worker of issue 7 reads it):
    {"to": "a@b.c", "subject": "...", "text": "..."}
and optionally `"in_reply_to": "<message-id>"` to keep a thread. Until that worker exists the rows wait in the
outbox, nothing is lost. Store one with
    enqueue_email(session, key=..., to=..., subject=..., text=..., now=..., ticket_id=...)
which checks it first and returns False when `key` was stored already (the outbox's idempotency).

Rules:
- `to` is one address, checked with email-validator (syntax only, no DNS look-up) and normalised; anything else
  (a list, a display name, a line break) is refused with InvalidEmail.
- The subject is one line: every line break, control character and whitespace run (the way headers are
  injected) is folded into one space, and it is cut at MAX_SUBJECT characters; an empty subject is refused.
  `in_reply_to` is folded the same way. The text is the plain-text body and must have words.
- This layer writes no words: they come from templates/email/ through the services.
"""

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email

from storage import outbox

DESTINATION_KIND = "email"
MAX_SUBJECT = 200


class InvalidEmail(ValueError):
    """An email that breaks the contract; it can never be sent."""


@dataclass(frozen=True)
class EmailPayload:
    to: str
    subject: str
    text: str
    in_reply_to: str | None = None

    @classmethod
    def checked(cls, to: str, subject: str, text: str, in_reply_to: str | None = None) -> "EmailPayload":
        """The payload, checked and normalised; InvalidEmail says what is wrong."""
        line = _one_line(subject)[:MAX_SUBJECT].rstrip()
        if not line:
            raise InvalidEmail("an email needs a subject")
        if not text.strip():
            raise InvalidEmail("an email needs a text")
        return cls(_address(to), line, text, _one_line(in_reply_to or "") or None)

    def to_json(self) -> dict[str, Any]:
        value = {"to": self.to, "subject": self.subject, "text": self.text}
        return value | ({"in_reply_to": self.in_reply_to} if self.in_reply_to else {})


def enqueue_email(
    session: Any,
    *,
    key: str,
    to: str,
    subject: str,
    text: str,
    now: datetime,
    ticket_id: int | None = None,
    in_reply_to: str | None = None,
) -> bool:
    """Checks the email and stores it in the outbox under idempotency key `key`; False when the key was already
    stored. InvalidEmail (nothing stored) when it breaks the contract."""
    payload = EmailPayload.checked(to, subject, text, in_reply_to)
    return enqueue_payload(session, key=key, payload=payload, now=now, ticket_id=ticket_id)


def enqueue_payload(
    session: Any, *, key: str, payload: EmailPayload, now: datetime, ticket_id: int | None = None
) -> bool:
    """Stores an already checked `payload` in the outbox under `key`; False when the key was already stored."""
    return outbox.enqueue(
        session,
        key=key,
        destination_kind=DESTINATION_KIND,
        destination=payload.to,
        payload=payload.to_json(),
        now=now,
        ticket_id=ticket_id,
    )


def _one_line(value: str) -> str:
    """Control characters and whitespace runs (line breaks included) become one space."""
    return " ".join("".join(" " if unicodedata.category(char) == "Cc" else char for char in value).split())


def _address(to: str) -> str:
    if not isinstance(to, str) or to != to.strip() or any(char.isspace() for char in to):
        raise InvalidEmail(f"not one email address: {to!r}")
    try:
        return str(validate_email(to, check_deliverability=False).normalized)
    except EmailNotValidError as error:
        raise InvalidEmail(f"not an email address: {to!r}") from error
