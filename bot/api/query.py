"""The query of `GET /api/v1/requests`: `since`, `status`, `priority`, `limit`, `cursor`, read strictly.

Rules (docs/integrations.md, "Read API"):
- The query string is `name=value` pairs split on `&`, each percent-decoded as UTF-8; `+` is a plus sign, not a
  space, so `since=2026-12-01T09:00:00+01:00` means what it says (`%2B` works too). Unknown names, a name given
  twice, more than MAX_PAIRS pairs or bytes that are not UTF-8: 400 naming what is allowed.
- `since` is an ISO 8601 instant with its UTC offset (a naive one is ambiguous: refused); `status` one of the
  request statuses; `priority` one of the policy's priorities; `limit` 1 to MAX_LIMIT (default DEFAULT_LIMIT).
- `cursor` is opaque to clients: URL-safe base64 of `sr:<number>`, the last SR number of the previous page. It
  carries no filter, so a client keeps its other parameters; anything else is 400, never a guess.
"""

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote

from bot.api.answers import DEFAULT_LIMIT, MAX_LIMIT, Refused
from storage.kinds import TicketStatus

NAMES = ("since", "status", "priority", "limit", "cursor")
MAX_PAIRS = 20
MAX_NUMBER = 2**31 - 1  # the database's integer: a larger SR number names no request
_CURSOR = re.compile(r"[A-Za-z0-9_-]{4,24}")
_CURSOR_TEXT = re.compile(r"sr:([0-9]{1,10})")
STATUSES = [status.value for status in TicketStatus]


@dataclass(frozen=True)
class ListQuery:
    since: datetime | None = None
    status: str | None = None
    priority: str | None = None
    limit: int = DEFAULT_LIMIT
    after: int = 0  # the SR number the page starts after


def parse_list_query(query_string: str, priorities: list[str]) -> ListQuery:
    """The query (the module's rules), or Refused (400) naming the parameter and what is allowed."""
    pairs = _pairs(query_string)
    status, priority = pairs.get("status"), pairs.get("priority")
    if status is not None and status not in STATUSES:
        raise Refused(400, "bad_status", parameter="status", allowed=STATUSES)
    if priority is not None and priority not in priorities:
        raise Refused(400, "bad_priority", parameter="priority", allowed=priorities)
    return ListQuery(_since(pairs.get("since")), status, priority, _limit(pairs.get("limit")),
                     _after(pairs.get("cursor")))  # fmt: skip


def cursor_after(number: int) -> str:
    """The cursor of the page that starts after SR number `number`."""
    return base64.urlsafe_b64encode(f"sr:{number}".encode("ascii")).decode("ascii").rstrip("=")


def _pairs(query_string: str) -> dict[str, str]:
    pieces = [piece for piece in query_string.split("&") if piece]
    if len(pieces) > MAX_PAIRS:
        raise Refused(400, "bad_query")
    pairs: dict[str, str] = {}
    for piece in pieces:
        raw_name, _, raw_value = piece.partition("=")
        try:
            name, value = unquote(raw_name, errors="strict"), unquote(raw_value, errors="strict")
        except UnicodeDecodeError:
            raise Refused(400, "bad_query") from None
        if name not in NAMES:
            raise Refused(400, "unknown_parameter", parameter=name[:100], allowed=list(NAMES))
        if name in pairs:
            raise Refused(400, "repeated_parameter", parameter=name)
        pairs[name] = value
    return pairs


def _since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        instant = datetime.fromisoformat(text) if len(text) <= 40 and text.isascii() else None
        if instant is None or instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError(text)
        return instant.astimezone(UTC)  # OverflowError past year 1 or 9999 in UTC
    except (ValueError, OverflowError):
        raise Refused(400, "bad_since", parameter="since") from None


def _limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_LIMIT
    if not (text.isascii() and text.isdigit() and len(text) <= 4 and 1 <= int(text) <= MAX_LIMIT):
        raise Refused(400, "bad_limit", parameter="limit")
    return int(text)


def _after(text: str | None) -> int:
    if text is None:
        return 0
    match = None
    if _CURSOR.fullmatch(text):
        try:
            decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            decoded = ""
        match = _CURSOR_TEXT.fullmatch(decoded)
    if match is None or int(match.group(1)) > MAX_NUMBER:
        raise Refused(400, "bad_cursor", parameter="cursor")
    return int(match.group(1))
