"""A request being collected: which required fields it has, which are missing, and what an answer changes.

Rules (docs/architecture.md, "Glossary": required fields):
- Required fields, asked in this order: description, contact (email and phone, confirmed by the requester),
  when it happened, reproduction steps (or "not applicable"), attachments (files, or "none"), then impact and
  urgency when the policy has a matrix, then the kind (question, incident or feature request; only agents
  confirm defects).
- The question asked is always the first missing field, so a reply in the thread answers that one and a
  restart resumes exactly where the conversation was. Fields already known (from the profile, the first message,
  a form) are never asked again; contact details from the profile only need confirming.
- An invalid answer leaves the draft as it was and says why (a Refused with a reason code); nothing received
  is thrown away: files shared at any point are kept.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.desk.intake.answers import (
    Refused,
    is_none_answer,
    parse_email,
    parse_phone,
    parse_steps,
    parse_when,
    plain_text,
)
from sla.policy import STATED_KINDS

FIELDS = ("description", "contact", "occurred_at", "steps", "attachments", "impact", "urgency", "kind")
MAX_DESCRIPTION = 40_000


@dataclass(frozen=True)
class Draft:
    """What the intake has collected so far."""

    description: str | None = None
    email: str | None = None
    phone: str | None = None
    contact_confirmed: bool = False
    occurred_at: datetime | None = None
    steps: str | None = None
    steps_answered: bool = False
    attachments: tuple[str, ...] = ()
    attachments_answered: bool = False
    impact: str | None = None
    urgency: str | None = None
    kind: str | None = None

    def missing(self, *, has_matrix: bool) -> tuple[str, ...]:
        """The required fields still to collect, in the order they are asked."""
        have = {
            "description": self.description is not None,
            "contact": self.contact_confirmed and bool(self.email) and bool(self.phone),
            "occurred_at": self.occurred_at is not None,
            "steps": self.steps_answered,
            "attachments": self.attachments_answered or bool(self.attachments),
            "impact": self.impact is not None or not has_matrix,
            "urgency": self.urgency is not None or not has_matrix,
            "kind": self.kind is not None,
        }
        return tuple(name for name in FIELDS if not have[name])

    def with_files(self, file_ids: tuple[str, ...]) -> "Draft":
        """Files shared at any point of the conversation are kept, whatever was asked."""
        known = self.attachments + tuple(file for file in file_ids if file not in self.attachments)
        return replace(self, attachments=known)


@dataclass(frozen=True)
class Context:
    """What reading an answer needs: the requester's zone, the desk's phone region, now, the matrix choices."""

    zone: ZoneInfo
    region: str | None
    now: datetime
    impacts: tuple[str, ...] = ()
    urgencies: tuple[str, ...] = ()


def answer(draft: Draft, field: str, text: str, context: Context) -> Draft | Refused:
    """The draft after the requester answered `field` with `text`, or why the answer cannot be used."""
    readers = {
        "description": _description,
        "contact": _contact,
        "occurred_at": _occurred_at,
        "steps": lambda d, t, c: replace(d, steps=parse_steps(t), steps_answered=True),
        "attachments": _attachments,
        "impact": lambda d, t, c: _choice(d, "impact", t, c.impacts),
        "urgency": lambda d, t, c: _choice(d, "urgency", t, c.urgencies),
        "kind": lambda d, t, c: _choice(d, "kind", t, STATED_KINDS),
    }
    return readers[field](draft, text, context)


def _description(draft: Draft, text: str, context: Context) -> Draft | Refused:
    written = plain_text(text)
    if not written:
        return Refused("description_empty")
    return replace(draft, description=written[:MAX_DESCRIPTION])


def _contact(draft: Draft, text: str, context: Context) -> Draft | Refused:
    """Email and/or phone in one reply ("jo@example.com +33 6 12 34 56 78"), or "yes" to confirm what is shown."""
    written = plain_text(text)
    if written.lower().rstrip(".!") in {"yes", "y", "ok", "correct", "confirm", "confirmed"}:
        if draft.email and draft.phone:
            return replace(draft, contact_confirmed=True)
        missing = "phone" if draft.email else "email" if draft.phone else "email and phone"
        return Refused("contact_incomplete", {"missing": missing})
    email, phone = draft.email, draft.phone
    for word in written.replace(",", " ").replace(";", " ").split(" "):
        if "@" in word:
            parsed = parse_email(word)
            if isinstance(parsed, Refused):
                return parsed
            email = parsed
    phone_text = " ".join(word for word in written.split() if "@" not in word)
    if any(ch.isdigit() for ch in phone_text):
        parsed = parse_phone(phone_text, context.region)
        if isinstance(parsed, Refused):
            return parsed
        phone = parsed
    if email == draft.email and phone == draft.phone:
        return Refused("contact_unclear", {"text": written})
    updated = replace(draft, email=email, phone=phone)
    return replace(updated, contact_confirmed=bool(email and phone))


def _occurred_at(draft: Draft, text: str, context: Context) -> Draft | Refused:
    parsed = parse_when(text, context.zone, context.now)
    return parsed if isinstance(parsed, Refused) else replace(draft, occurred_at=parsed)


def _attachments(draft: Draft, text: str, context: Context) -> Draft | Refused:
    if is_none_answer(text):
        return replace(draft, attachments_answered=True)
    if draft.attachments:
        return replace(draft, attachments_answered=True)
    return Refused("attachments_expected")


def _choice(draft: Draft, field: str, text: str, choices: tuple[str, ...]) -> Draft | Refused:
    written = plain_text(text).lower()
    if written not in choices:
        return Refused("choice_unknown", {"field": field, "text": written, "choices": ", ".join(choices)})
    return replace(draft, **{field: written})
