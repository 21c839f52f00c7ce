"""The payload of an outbox row for email (destination_kind "email"), and storing one.

Contract: `{"to": "a@b.c", "subject": "...", "text": "..."}`, optionally `"in_reply_to": "<message-id>"` to keep
a thread. The email delivery worker (issue 7) sends it; until then rows wait in the outbox, nothing is lost.

Rules:
- `to` is one address, checked with email-validator (no DNS look-up) and normalised.
- The subject is one line: line breaks (the way headers are injected) are folded into spaces, and it is cut at
  MAX_SUBJECT characters; an empty subject is refused. The text may be empty of markup but not of words.
- This layer writes no words: they come from templates/email/ through the services.
"""

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
        try:
            address = str(validate_email(to, check_deliverability=False).normalized)
        except EmailNotValidError as error:
            raise InvalidEmail(f"not an email address: {to!r}") from error
        line = " ".join(subject.split())[:MAX_SUBJECT]
        if not line:
            raise InvalidEmail("an email needs a subject")
        if not text.strip():
            raise InvalidEmail("an email needs a text")
        reply = " ".join(in_reply_to.split()) if in_reply_to else None
        return cls(address, line, text, reply or None)

    def to_json(self) -> dict[str, Any]:
        value = {"to": self.to, "subject": self.subject, "text": self.text}
        return value | ({"in_reply_to": self.in_reply_to} if self.in_reply_to else {})


def enqueue_email(
    session: Any, *, key: str, payload: EmailPayload, now: datetime, ticket_id: int | None = None
) -> bool:
    """Stores `payload` in the outbox under idempotency key `key`; False when the key was already stored."""
    return outbox.enqueue(
        session,
        key=key,
        destination_kind=DESTINATION_KIND,
        destination=payload.to,
        payload=payload.to_json(),
        now=now,
        ticket_id=ticket_id,
    )
