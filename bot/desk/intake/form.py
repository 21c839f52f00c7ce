"""The support form: every required field of a request in one submission, checked as a whole.

Rules:
- A form is what a person typed or chose, as plain values (`FormValues`); it knows nothing of Slack, and its
  text is kept as typed (it is not message markup).
- `check_form` reads every field with the same rules as the conversation (bot.desk.intake.answers) and returns either
  the answers or every problem at once, by field, so the person fixes them all in one go.
- Required: a description, an email address and a phone number (the submission confirms them), when it
  happened (not in the future), the kind, and impact and urgency when the policy has a matrix. Reproduction
  steps may be left empty: that is "not applicable". Files: some shared, some already with the request, or
  "no files" ticked.
- Applying a form to a draft replaces what the form holds and keeps the files already shared. A form field
  holds at most FORM_TEXT characters, so a longer description or steps prefilled and sent back untouched (its
  first FORM_TEXT characters) keeps the whole text.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from bot.desk.intake.answers import Refused, is_none_answer, parse_email, parse_phone
from bot.desk.intake.draft import MAX_DESCRIPTION, Context, Draft
from sla.policy import STATED_KINDS

FORM_TEXT = 3000  # Slack's limit for a plain_text_input (templates/slack/support_form.json.j2)


@dataclass(frozen=True)
class FormValues:
    """What was entered in the form, unread."""

    description: str = ""
    email: str = ""
    phone: str = ""
    occurred_at: datetime | None = None
    steps: str = ""
    files: tuple[str, ...] = ()
    no_files: bool = False
    impact: str | None = None
    urgency: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class FormAnswers:
    """A form that passed every check."""

    description: str
    email: str
    phone: str
    occurred_at: datetime
    steps: str | None
    no_files: bool
    impact: str | None
    urgency: str | None
    kind: str


def check_form(values: FormValues, context: Context, *, has_files: bool = False) -> FormAnswers | dict[str, Refused]:
    """The answers of a form, or why each wrong field cannot be used (by field name)."""
    problems: dict[str, Refused] = {}
    description = values.description.strip()
    if not description:
        problems["description"] = Refused("description_empty")
    email = parse_email(values.email.strip())
    if isinstance(email, Refused):
        problems["email"] = email
    phone = parse_phone(values.phone, context.region)
    if isinstance(phone, Refused):
        problems["phone"] = phone
    occurred_at = _when(values.occurred_at, context)
    if isinstance(occurred_at, Refused):
        problems["occurred_at"] = occurred_at
    if not (values.files or values.no_files or has_files):
        problems["files"] = Refused("attachments_expected")
    for field, value, choices in (
        ("impact", values.impact, context.impacts),
        ("urgency", values.urgency, context.urgencies),
        ("kind", values.kind, STATED_KINDS),
    ):
        if choices and value not in choices:
            details = {"field": field, "text": value or "", "choices": ", ".join(choices)}
            problems[field] = Refused("choice_unknown", details)
    if problems or isinstance(email, Refused) or isinstance(phone, Refused) or isinstance(occurred_at, Refused):
        return problems
    return FormAnswers(
        description=description[:MAX_DESCRIPTION],
        email=email,
        phone=phone,
        occurred_at=occurred_at,
        steps=_steps(values.steps),
        no_files=values.no_files and not values.files,
        impact=values.impact if context.impacts else None,
        urgency=values.urgency if context.urgencies else None,
        kind=str(values.kind),
    )


def apply_form(draft: Draft, answers: FormAnswers, files: tuple[str, ...]) -> Draft:
    """The draft once the form is in: its fields, confirmed, and the files shared with it added."""
    filled = replace(
        draft,
        description=_kept(draft.description, answers.description),
        email=answers.email,
        phone=answers.phone,
        contact_confirmed=True,
        occurred_at=answers.occurred_at,
        steps=_kept(draft.steps, answers.steps),
        steps_answered=True,
        attachments_answered=answers.no_files or draft.attachments_answered,
        impact=answers.impact,
        urgency=answers.urgency,
        kind=answers.kind,
    )
    return filled.with_files(files)


def _kept(before: str | None, sent: str | None) -> str | None:
    """What was sent, unless it is the untouched start of a longer text the form could not hold."""
    untouched = (
        before is not None and sent is not None and len(before) > FORM_TEXT and before[:FORM_TEXT].strip() == sent
    )
    return before if untouched else sent


def _when(value: datetime | None, context: Context) -> datetime | Refused:
    if value is None:
        return Refused("when_missing")
    if value > context.now:
        return Refused("when_future", {"parsed": value.astimezone(context.zone).isoformat()})
    return value


def _steps(text: str) -> str | None:
    """Steps as written (a form's text is not Slack markup); empty or "not applicable" is None."""
    written = text.strip()
    return None if not written or is_none_answer(written) else written
