"""Time phrases as people write them, in English and French, made plain for dateparser.

Rules (docs/slack.md, "Running it with Slack": when it happened):
- What the requester writes is read in their own zone relative to now (both given by the caller); this module only
  rewrites the phrase, dateparser reads it (its relative forms: "2 hours ago", "il y a 2 heures", weekdays, dates).
- Words that only soften a time are dropped: "around", "about", "approximately", "roughly", "at", "vers",
  "environ", "à peu près", "aux alentours de", "autour de", "à".
- French hours are written as times: "9h15", "9 h 15", "15h" become 9:15, 9:15, 15:00; "midi" and "minuit" are
  12:00 and 0:00; a bare hour after "at" or "vers" ("at 10", "vers 9") is that hour sharp.
- A part of the day says the day and the half of it: "this morning"/"ce matin" is today before noon, "this
  afternoon", "this evening", "tonight", "cet après-midi", "ce soir" today after noon; "yesterday morning",
  "hier soir", "last night" the day before; "in the morning", "du soir", "dans l'après-midi", "en soirée" say
  the half only (the day said elsewhere, else today). An hour under 12 said with an afternoon or evening
  ("this afternoon around 2", "hier soir à 8h") is that hour after noon. With no hour at all the part of the
  day stands for 9:00 (morning), 14:00 (afternoon) or 19:00 (evening).
- An hour alone ("9:15", "à 9h") is the latest such instant up to now: today's, else yesterday's (read here, not
  by dateparser, whose own choice for a time alone follows the machine's clock rather than the injected now).
- "last monday", "lundi dernier" are the latest Monday before today (dateparser prefers the past already).
"""

import re
from dataclasses import dataclass

_PART_HOURS = {"am": 9, "afternoon": 14, "evening": 19}
# (pattern, day word it leaves, half of the day); the day words are dateparser's own, in both languages
_PARTS = (
    (r"\bthis morning\b|\bce matin\b", "today", "am"),
    (r"\byesterday morning\b|\bhier matin\b", "yesterday", "am"),
    (r"\bthis afternoon\b|\bcet apr[eè]s-?midi\b", "today", "afternoon"),
    (r"\byesterday afternoon\b|\bhier apr[eè]s-?midi\b", "yesterday", "afternoon"),
    (r"\bthis evening\b|\btonight\b|\bce soir\b", "today", "evening"),
    (r"\byesterday evening\b|\blast night\b|\bhier soir\b", "yesterday", "evening"),
    # the half of the day alone, the day said elsewhere ("yesterday in the morning", "hier à 8h du soir")
    (r"\bin the morning\b|\bdu matin\b|\ble matin\b|\b(?:dans la|en) matin[ée]e\b", "", "am"),
    (r"\bin the afternoon\b|\b(?:de |dans )?l'apr[eè]s-?midi\b", "", "afternoon"),
    (r"\bin the evening\b|\bat night\b|\bdu soir\b|\ble soir\b|\b(?:dans la|en) soir[ée]e\b", "", "evening"),
)
_FRENCH_HOUR = re.compile(r"(?<![\d:])(\d{1,2})\s*h\s*(\d{2})?(?![\w])")
_BARE_HOUR = re.compile(r"(?<!\w)(at|vers|around|about|environ|à)\s+(\d{1,2})(?![\d:.\w])")
_FILLERS = re.compile(
    r"\b(?:around|about|approximately|approx\.?|roughly|circa|at|vers|environ|à peu près|aux alentours de|"
    r"autour de|sur les|à)(?=\s|$)|~"
)
_LAST_WEEKDAY = re.compile(
    r"\blast\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|"
    r"\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+dernier\b"
)
_NOON = ((re.compile(r"(?<![-\w])midi\b"), "12:00"), (re.compile(r"\bminuit\b"), "00:00"))
_DOTTED = ((re.compile(r"\ba\.\s?m\.?"), "am"), (re.compile(r"\bp\.\s?m\.?"), "pm"))
_TIME_ONLY = re.compile(r"(?:\d{1,2}(?::\d{2})?\s*(?:am|pm)|\d{1,2}[:.]\d{2}|noon|midnight)")
_HOUR_WRITTEN = re.compile(r"\d{1,2}:\d{2}|\d\s*(?:am|pm)\b|\bnoon\b|\bmidnight\b")


@dataclass(frozen=True)
class Phrase:
    """A phrase made plain: the `text` dateparser reads, the half of the day it named, and whether it has an hour."""

    text: str
    half: str | None  # "am", "afternoon", "evening", or None
    has_hour: bool

    @property
    def time_only(self) -> bool:
        """The phrase is an hour and nothing else ("9:15", "2pm"): the latest such instant up to now."""
        return _TIME_ONLY.fullmatch(self.text) is not None

    @property
    def default_hour(self) -> int | None:
        """The hour a part of the day stands for when no hour was said."""
        return _PART_HOURS[self.half] if self.half and not self.has_hour else None


def plain_phrase(written: str) -> Phrase:
    """`written` (already plain text) rewritten as dateparser reads it best."""
    text = " ".join(written.lower().replace("’", "'").split())
    if "il y a" not in text:
        text = _FRENCH_HOUR.sub(lambda m: f"{m.group(1)}:{m.group(2) or '00'}", text)
    for pattern, plain in _DOTTED:
        text = pattern.sub(plain, text)
    half = None
    for named, day, part in _PARTS:
        if re.search(named, text):
            text, half = re.sub(named, f" {day} ", text), part
    for pattern, plain in _NOON:
        text = pattern.sub(plain, text)
    text = _BARE_HOUR.sub(lambda m: f"{m.group(1)} {m.group(2)}:00", text)
    text = _LAST_WEEKDAY.sub(lambda m: m.group(1) or m.group(2), text)
    text = " ".join(_FILLERS.sub(" ", text).split())
    return Phrase(text or ("today" if half else written), half, bool(_HOUR_WRITTEN.search(text)))
