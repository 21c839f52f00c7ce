"""Durations as policies write them: working time, "none" and "next_release".

Rules:
- A working duration is one or more parts in the order weeks, days, hours, minutes: `30m`, `4h`, `1h30m`,
  `2.5d`, `1w`, `1d4h`. Numbers are decimals; spaces between parts are allowed. `0m` is allowed (at once).
- Hours and minutes are fixed amounts of working time. Days and weeks are not: a calendar turns `1d` into its
  day length and `1w` into its working days per week times that (docs/architecture.md, "Time").
- `none` is no deadline ("as seen fit"); `next_release` is the first release on or after the target starts.
- Anything else raises DurationError, whose message quotes the text.
"""

import re
from dataclasses import dataclass
from fractions import Fraction

_NUMBER = r"(\d+(?:\.\d+)?)"
_WORKING = re.compile(
    rf"^(?:{_NUMBER}\s*w)?\s*(?:{_NUMBER}\s*d)?\s*(?:{_NUMBER}\s*h)?\s*(?:{_NUMBER}\s*m)?$", re.IGNORECASE
)


class DurationError(ValueError):
    """A duration that cannot be understood."""

    def __init__(self, text: str) -> None:
        shown = text if len(text) <= 60 else text[:57] + "..."
        super().__init__(
            f'invalid duration "{shown}": expected a number with a unit (30m, 4h, 1h30m, 2.5d, 1w), '
            '"none" or "next_release"'
        )
        self.text = text


@dataclass(frozen=True)
class WorkingDuration:
    """An amount of working time; weeks and days are resolved by a calendar."""

    weeks: Fraction = Fraction(0)
    days: Fraction = Fraction(0)
    minutes: Fraction = Fraction(0)

    def __str__(self) -> str:
        hours, minutes = divmod(self.minutes, 60)
        parts = [(self.weeks, "w"), (self.days, "d"), (Fraction(hours), "h"), (minutes, "m")]
        text = "".join(f"{_decimal(amount)}{unit}" for amount, unit in parts if amount)
        return text or "0m"

    def times(self, factor: Fraction) -> "WorkingDuration":
        """This duration scaled, e.g. by a warning fraction."""
        return WorkingDuration(self.weeks * factor, self.days * factor, self.minutes * factor)


@dataclass(frozen=True)
class NoDeadline:
    """The target has no deadline ("as seen fit")."""

    def __str__(self) -> str:
        return "none"


@dataclass(frozen=True)
class NextRelease:
    """The target is due at the first release on or after it starts."""

    def __str__(self) -> str:
        return "next_release"


TargetDuration = WorkingDuration | NoDeadline | NextRelease


def parse_duration(text: str) -> TargetDuration:
    """The duration a policy wrote as `text`."""
    cleaned = text.strip().lower()
    if cleaned == "none":
        return NoDeadline()
    if cleaned == "next_release":
        return NextRelease()
    return parse_working_duration(text)


def parse_working_duration(text: str) -> WorkingDuration:
    """A working duration only: `none` and `next_release` are refused too."""
    match = _WORKING.match(text.strip())
    if not text.strip() or not match or not any(match.groups()):
        raise DurationError(text)
    try:
        weeks, days, hours, minutes = (Fraction(part) if part else Fraction(0) for part in match.groups())
    except ValueError as error:  # a number longer than Python converts to an int (4300 digits)
        raise DurationError(text) from error
    return WorkingDuration(weeks=weeks, days=days, minutes=hours * 60 + minutes)


def _decimal(amount: Fraction) -> str:
    if amount.denominator == 1:
        return str(amount.numerator)
    rest, twos, fives = amount.denominator, 0, 0
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    if rest != 1:  # not a finite decimal (e.g. a third, from times()): rounded for reading
        return f"{float(amount):g}"
    places = max(twos, fives)  # every digit, so that the text parses back to the same amount
    whole, fraction = divmod(amount.numerator * 10**places // amount.denominator, 10**places)
    return f"{whole}.{fraction:0{places}d}"
