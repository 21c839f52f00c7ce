"""Reading instants typed on the command line.

Rules: an instant is ISO 8601 with a UTC offset (`2026-11-24T17:30:00+01:00` or `...Z`); anything else, a naive
time included, is bad input (exit 2, one line naming where it came from).
"""

from datetime import datetime

from bot.cli.errors import fail


def instant(text: str, where: str) -> datetime:
    """The instant `text`, or exit 2 naming `where` (an option, or a line of stdin)."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        fail(f'{where}: "{text}" is not an ISO 8601 instant such as 2026-11-24T17:30:00+01:00')
    if parsed.tzinfo is None:
        fail(f'{where}: "{text}" has no UTC offset; add one, e.g. {text}+01:00 or {text}Z')
    return parsed
