"""Reading an HTTP answer's rate-limit headers: until when a service asks to be left alone
(docs/integrations.md, "The outgoing HTTP channel").

Rules:
- `Retry-After` is delta-seconds or an HTTP-date (RFC 9110, section 10.2.3); a negative or unreadable value is
  ignored.
- `x-ratelimit-remaining: 0` with `x-ratelimit-reset` (GitHub: Unix seconds; Jira Cloud: an ISO 8601 instant)
  blocks until the reset, on any answer, so the next call is not made only to be refused.
- A 429 is always a block: its headers' instant, else `default` after `now`. A 403 is a block only when it carries
  one of those headers (GitHub's primary and secondary rate limits answer 403); any other 403 is a refusal.
- An instant in the past is no block. Instants are UTC; `now` is the caller's (an injected clock), never read here.
"""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

RATE_LIMITED = 429
FORBIDDEN = 403


def retry_after(headers: Mapping[str, str], now: datetime) -> datetime | None:
    """The instant `Retry-After` names, or None when there is none (or it cannot be read)."""
    text = headers.get("retry-after", "").strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            instant = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
    return now + timedelta(seconds=seconds) if seconds >= 0 else None


def quota_reset(headers: Mapping[str, str]) -> datetime | None:
    """When an exhausted quota comes back (`x-ratelimit-remaining: 0`), or None while some is left."""
    if headers.get("x-ratelimit-remaining", "").strip() != "0":
        return None
    text = headers.get("x-ratelimit-reset", "").strip()
    try:
        return datetime.fromtimestamp(float(text), UTC)
    except (ValueError, OverflowError, OSError):
        pass
    try:
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


def blocked_until(status: int, headers: Mapping[str, str], *, now: datetime, default: timedelta) -> datetime | None:
    """Until when the service that gave this answer must not be called again, or None."""
    named = [instant for instant in (retry_after(headers, now), quota_reset(headers)) if instant is not None]
    until = max(named) if named else None
    if until is None and status == RATE_LIMITED:
        until = now + default
    return until if until is not None and until > now else None


def is_rate_limited(status: int, headers: Mapping[str, str], *, now: datetime) -> bool:
    """Whether the answer refused the call for its rate (a 429, or a 403 that names a block) rather than its content."""
    if status == RATE_LIMITED:
        return True
    return status == FORBIDDEN and (retry_after(headers, now) is not None or quota_reset(headers) is not None)
