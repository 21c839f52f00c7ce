"""Understanding a requester's answers to the intake questions.

Rules:
- Slack rewrites what people type: `a@b.com` arrives as `<mailto:a@b.com|a@b.com>`, links as `<url|label>`, and
  `&`, `<`, `>` as entities. `plain_text` undoes that before anything is parsed.
- Email: syntax checked with email-validator (no DNS look-up), normalised. Phone: phonenumbers, in E.164, with
  the desk's region for numbers written without a country code.
- When it happened: free text ("yesterday 3pm", "14:05", "this morning around 9:15", "hier vers 15h", ISO 8601),
  in English or French, made plain by bot.desk.intake.when and read by dateparser in the requester's time zone
  relative to now (injected), preferring the past; a time in the future is refused, and so is anything
  unparseable.
- Reproduction steps and attachments accept a "none" answer ("n/a", "not applicable", "none", "no", "-").
- A refusal carries a reason code and details for the template that words it; never prose.
"""

import html
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import dateparser
import phonenumbers
from email_validator import EmailNotValidError, validate_email

from bot.desk.intake.when import Phrase, plain_phrase

_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_NONE_ANSWERS = frozenset({"n/a", "na", "none", "no", "-", "not applicable", "nothing", "no attachments", "nope"})
MAX_WHEN_TEXT = 200
LANGUAGES = ("en", "fr")  # the seed desks' requesters write English or French (Paris, Quebec)


@dataclass(frozen=True)
class Refused:
    """An answer that cannot be accepted: `reason` picks the sentence, `details` fill it."""

    reason: str
    details: dict[str, str] = field(default_factory=dict)


def plain_text(slack_text: str) -> str:
    """What the person typed, from Slack's message text: markup made readable, entities decoded, trimmed.

    `<!channel>` becomes "@channel", `<@U123|ann>` "@ann", `<#C1|general>` "#general", `<mailto:a@b.c|a@b.c>`
    "a@b.c" and `<https://x|label>` "label": plain words that ping nobody once escaped again for Slack.
    """
    return html.unescape(_MARKUP.sub(_readable, slack_text)).strip()


def _readable(match: re.Match[str]) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith("!"):
        special = target[1:].split("^")[0]
        return label if label and label.startswith("@") else f"@{label or special}"
    if target.startswith(("@", "#")):
        return f"{target[0]}{label}" if label else target
    return label or target.removeprefix("mailto:").removeprefix("tel:")


def is_none_answer(text: str) -> bool:
    return plain_text(text).lower().rstrip(".!") in _NONE_ANSWERS


def parse_email(text: str) -> str | Refused:
    address = plain_text(text)
    try:
        return str(validate_email(address, check_deliverability=False).normalized)
    except EmailNotValidError:
        return Refused("email_invalid", {"text": address})


def parse_phone(text: str, region: str | None) -> str | Refused:
    number_text = plain_text(text)
    try:
        number = phonenumbers.parse(number_text, region)
    except phonenumbers.NumberParseException:
        return Refused("phone_invalid", {"text": number_text})
    if not phonenumbers.is_valid_number(number):
        return Refused("phone_invalid", {"text": number_text})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_when(text: str, zone: ZoneInfo, now: datetime) -> datetime | Refused:
    """The instant the requester means, read in their zone; refused when unclear or in the future."""
    written = plain_text(text)[:MAX_WHEN_TEXT]
    local_now = now.astimezone(zone)
    phrase = plain_phrase(written)
    parsed = dateparser.parse(
        f"today {phrase.text}" if phrase.time_only else phrase.text,
        languages=list(LANGUAGES),
        settings={
            "TIMEZONE": zone.key,
            "RETURN_AS_TIMEZONE_AWARE": True,
            "RELATIVE_BASE": local_now.replace(tzinfo=None),
            "PREFER_DATES_FROM": "past",
        },
    )
    if parsed is None:
        return Refused("when_unclear", {"text": written})
    instant = _in_half(parsed.astimezone(zone), phrase)
    if phrase.time_only and instant > local_now:
        instant = (instant - timedelta(days=1)).astimezone(zone)
    if instant > local_now:
        return Refused("when_future", {"text": written, "parsed": instant.isoformat(), "now": local_now.isoformat()})
    return instant


def _in_half(instant: datetime, phrase: Phrase) -> datetime:
    """The instant moved into the half of the day the phrase named (bot.desk.intake.when)."""
    if phrase.default_hour is not None:
        return instant.replace(hour=phrase.default_hour, minute=0, second=0, microsecond=0)
    if phrase.half in ("afternoon", "evening") and instant.hour < 12:
        return instant + timedelta(hours=12)
    return instant


def parse_steps(text: str) -> str | None:
    """The reproduction steps, or None for "not applicable"."""
    return None if is_none_answer(text) else plain_text(text)
