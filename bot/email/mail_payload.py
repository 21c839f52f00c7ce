"""The payload of an outbox row for email (destination_kind "email"), and storing one.

Contract (the email delivery worker, bot.email.sender, reads it):
    {"to": "a@b.c", "subject": "...", "text": "..."}
and optionally `"in_reply_to": "<message-id>"` and `"references": ["<id>", ...]` to keep a thread, `"html"` (the
same words as HTML), `"message_id"` (else the sender derives one from the row's key, the same on every try) and
`"automated": true` (sent with `Auto-Submitted: auto-generated`, RFC 3834, so that auto-responders stay quiet).
Without an SMTP server the rows wait in the outbox, nothing is lost. Store one with
    enqueue_email(session, key=..., to=..., subject=..., text=..., now=..., ticket_id=...)
which checks it first and returns False when `key` was stored already (the outbox's idempotency).

Rules:
- `to` is one address, checked with email-validator (syntax only, no DNS look-up) and normalised; anything else
  (a list, a display name, a line break) is refused with InvalidEmail.
- The subject is one line: every line break, control character and whitespace run (the way headers are
  injected) is folded into one space, and it is cut at MAX_SUBJECT characters; an empty subject is refused.
  `in_reply_to`, `message_id` and each reference are folded the same way. The text is the plain-text body and
  must have words.
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
    references: tuple[str, ...] = ()
    html: str | None = None
    message_id: str | None = None
    automated: bool = False

    @classmethod
    def checked(
        cls,
        to: str,
        subject: str,
        text: str,
        in_reply_to: str | None = None,
        *,
        references: tuple[str, ...] = (),
        html: str | None = None,
        message_id: str | None = None,
        automated: bool = False,
    ) -> "EmailPayload":
        """The payload, checked and normalised; InvalidEmail says what is wrong."""
        line = _one_line(subject)[:MAX_SUBJECT].rstrip()
        if not line:
            raise InvalidEmail("an email needs a subject")
        if not text.strip():
            raise InvalidEmail("an email needs a text")
        folded = tuple(one for one in (_one_line(reference) for reference in references) if one)
        return cls(
            _address(to),
            line,
            text,
            _one_line(in_reply_to or "") or None,
            folded,
            html or None,
            _one_line(message_id or "") or None,
            automated,
        )

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> "EmailPayload":
        """A stored payload, checked again; InvalidEmail when it breaks the contract."""
        if not isinstance(value, dict):
            raise InvalidEmail("the payload is not an object")
        try:
            return cls.checked(
                value["to"],
                value["subject"],
                value["text"],
                value.get("in_reply_to"),
                references=tuple(value.get("references") or ()),
                html=value.get("html"),
                message_id=value.get("message_id"),
                automated=bool(value.get("automated")),
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise InvalidEmail(f"the payload is incomplete: {error}") from None

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {"to": self.to, "subject": self.subject, "text": self.text}
        optional = {
            "in_reply_to": self.in_reply_to,
            "references": list(self.references),
            "html": self.html,
            "message_id": self.message_id,
            "automated": self.automated,
        }
        return value | {name: item for name, item in optional.items() if item}


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
    automated: bool = False,
) -> bool:
    """Checks the email and stores it in the outbox under idempotency key `key`; False when the key was already
    stored. InvalidEmail (nothing stored) when it breaks the contract. `automated`: a notice no person wrote
    (sent with Auto-Submitted, so auto-responders leave it alone)."""
    payload = EmailPayload.checked(to, subject, text, in_reply_to, automated=automated)
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
