"""Several intake answers read from one message (an email reply): labelled ("Phone: …") or in prose.

Rules:
- A label is one of LABELS' words (case-insensitive, English and French) followed by ":", at the start of a line
  or after the end of a sentence (".", "…", "!", "?", ";"). Its answer runs to the end of the line or the next
  label; steps and a description go on over the next lines up to a blank line. Each label names a field of
  bot.desk.intake.draft; "Email" and "Phone" both answer "contact".
- What no label covers is prose, read only for what can be recognised there: email addresses and phone numbers
  (phonenumbers' matcher, with the desk's region) answer "contact"; a time phrase (dateparser's search, then read
  as the conversation reads it: in the requester's zone, not in the future) answers "occurred_at".
- Only missing fields are read. Each answer is read on its own with the conversation's rules
  (bot.desk.intake.draft.answer), so one refused answer leaves the others taken; what was refused says why, by field.
- A message with no label and nothing recognised in its prose, when it is one bare answer (one line of at most
  MAX_BARE_WORDS words), answers the first missing field, as in Slack: "yes", "none", "not applicable" or
  "incident" alone answer the first question asked; unless the first refuses it and it is one of the choices of a
  missing impact, urgency or kind, which it then answers. Longer prose with nothing recognised answers nothing
  and is refused as "no_answer_found" (under the first missing field), never read as a wrong phone number.
- Of the time phrases found, one with a figure ("9:15") comes before one without ("this morning").
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

import phonenumbers
from dateparser.search import search_dates

from bot.desk.intake.answers import Refused, parse_when, plain_text
from bot.desk.intake.draft import Context, Draft, answer

LABELS = {
    "contact": ("phone", "telephone", "tel", "mobile", "téléphone", "email", "e-mail", "courriel"),
    "occurred_at": ("when", "time", "date", "happened", "occurred", "quand", "heure"),
    "steps": ("steps", "steps to reproduce", "reproduce", "reproduction", "étapes"),
    "attachments": ("files", "attachments", "screenshots", "fichiers", "pièces jointes"),
    "impact": ("impact",),
    "urgency": ("urgency", "urgence"),
    "kind": ("kind", "type"),
    "description": ("problem", "description", "problème"),
}
FIELD_OF = {word: name for name, words in LABELS.items() for word in words}
_WORDS = "|".join(sorted((re.escape(word) for word in FIELD_OF), key=len, reverse=True))
_LABEL = re.compile(rf"(?:^|(?<=[.…!?;])[ \t]+)[ \t]*({_WORDS})[ \t]*:", re.IGNORECASE | re.MULTILINE)
_ADDRESS = re.compile(r"[^\s<>(),;:\"']+@[^\s<>(),;:\"']+\.[A-Za-z]{2,}")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
CHOICES = frozenset({"impact", "urgency", "kind"})  # a bare word that is one of their choices answers them
MULTILINE = frozenset({"steps", "description"})  # the answers that may go on over several lines
MAX_BARE_WORDS = 8
MAX_PROSE = 2000  # characters of prose searched for a time phrase


@dataclass(frozen=True)
class Reading:
    """What one message answered: the draft after it, the fields it filled, and why the others it tried were not."""

    draft: Draft
    taken: tuple[str, ...] = ()
    refused: dict[str, Refused] = field(default_factory=dict)


def read_reply(
    draft: Draft, missing: tuple[str, ...], text: str, context: Context, *, labelled_only: bool = False
) -> Reading:
    """The answers one message gives to the `missing` fields of `draft` (see the rules); with `labelled_only`
    (a request's first message, whose prose is its description) only its labelled answers."""
    written = plain_text(text)
    labelled, prose = _labelled(written)
    answers = {name: value for name, value in labelled.items() if name in missing}
    for name, value in ({} if labelled_only else _in_prose(prose, context)).items():
        if name in missing and name not in answers:
            answers[name] = value
    if not answers and missing and written and not labelled_only:
        if not _bare(written):
            return Reading(draft, (), {missing[0]: Refused("no_answer_found")})
        answers = {_whole_answers(draft, missing, written, context): written}
    result, taken, refused = draft, [], {}
    for name in (name for name in missing if name in answers):
        read = answer(result, name, answers[name], context)
        if isinstance(read, Refused):
            refused[name] = read
        else:
            result = read
            taken.append(name)
    return Reading(result, tuple(taken), refused)


def _bare(text: str) -> bool:
    """Whether a message is one bare answer: one line of at most MAX_BARE_WORDS words."""
    return "\n" not in text.strip() and len(text.split()) <= MAX_BARE_WORDS


def _whole_answers(draft: Draft, missing: tuple[str, ...], text: str, context: Context) -> str:
    """The field a message of one bare answer answers: the first missing one, unless only a choice takes it."""
    if isinstance(answer(draft, missing[0], text, context), Refused):
        for name in (name for name in missing if name in CHOICES):
            if not isinstance(answer(draft, name, text, context), Refused):
                return name
    return missing[0]


def _labelled(text: str) -> tuple[dict[str, str], str]:
    """The labelled answers by field (email and phone joined as one contact answer), and the prose left."""
    found = list(_LABEL.finditer(text))
    values: dict[str, list[str]] = {}
    prose = [text[: found[0].start()] if found else text]
    for index, match in enumerate(found):
        name = FIELD_OF[match.group(1).lower()]
        end = found[index + 1].start() if index + 1 < len(found) else len(text)
        span = text[match.end() : end]
        parts = _BLANK_LINE.split(span, maxsplit=1) if name in MULTILINE else span.split("\n", 1)
        values.setdefault(name, []).append(" ".join(parts[0].split()) if name != "steps" else parts[0].strip())
        prose.append(parts[1] if len(parts) > 1 else "")
    return {name: " ".join(parts) for name, parts in values.items()}, "\n".join(prose)


def _in_prose(prose: str, context: Context) -> dict[str, str]:
    """The answers recognised in prose: contact details, and a time phrase that reads as a past instant."""
    found: dict[str, str] = {}
    addresses = _ADDRESS.findall(prose)
    rest = _ADDRESS.sub(" ", prose)
    phones = [match.raw_string for match in phonenumbers.PhoneNumberMatcher(rest, context.region)]
    if addresses or phones:
        found["contact"] = " ".join([*addresses, *phones])
    for phone in phones:
        rest = rest.replace(phone, " ")
    when = _time_phrase(rest[:MAX_PROSE], context)
    if when is not None:
        found["occurred_at"] = when
    return found


def _time_phrase(prose: str, context: Context) -> str | None:
    """The first phrase of `prose` that reads as an instant in the past, in the requester's zone."""
    if not prose.strip():
        return None
    base = context.now.astimezone(context.zone).replace(tzinfo=None)
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"}
    candidates: list[tuple[str, datetime]] = search_dates(prose, languages=["en", "fr"], settings=settings) or []
    for phrase, _ in sorted(candidates, key=lambda found: not any(char.isdigit() for char in found[0])):
        specific = any(char.isdigit() for char in phrase) or len(phrase.split()) > 1
        if specific and not isinstance(parse_when(phrase, context.zone, context.now), Refused):
            return phrase
    return None
