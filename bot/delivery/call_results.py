"""What one Web API call came to, read from slack_sdk's answer or exception.

Rules:
- HTTP 429: `RateLimited` for `Retry-After` seconds (1 when the header is missing or unreadable).
- HTTP 5xx, a network error (refused, reset, dropped, timed out) and Slack's own transient codes
  (`internal_error`, `fatal_error`, `service_unavailable`, `request_timeout`): `Transient`, retried with backoff.
- `not_in_channel`, and `channel_not_found` (what Slack answers for a private channel the bot was not invited
  to, as for a channel that does not exist): `NotInChannel`, a `Permanent` that delivery parks until the bot is
  in the channel.
- Any other Slack error code (`invalid_auth`, `invalid_blocks`, `msg_too_long`, `is_archived`, ...):
  `Permanent`, dead-lettered at once, since the same call will be refused again.
- Errors are codes and numbers, never a token (slack_sdk's messages do not carry it; we keep only the code).
"""

import http.client
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

TRANSIENT_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})
NOT_IN_CHANNEL_ERRORS = frozenset({"not_in_channel", "channel_not_found"})
NETWORK_ERRORS: tuple[type[BaseException], ...] = (OSError, http.client.HTTPException)  # URLError, timeouts, resets


@dataclass(frozen=True)
class Sent:
    answer: Mapping[str, Any]


@dataclass(frozen=True)
class RateLimited:
    retry_after: float
    error: str


@dataclass(frozen=True)
class Transient:
    error: str


@dataclass(frozen=True)
class Permanent:
    error: str


@dataclass(frozen=True)
class NotInChannel(Permanent):
    """Refused for as long as the bot is not in the channel: a delivery parks the row, a look-up gives up."""


Outcome = Sent | RateLimited | Transient | Permanent


def from_api_error(error: SlackApiError) -> Outcome:
    response = error.response
    status = int(response.status_code)
    code = str(_field(response.data, "error") or "unknown_error")
    if status == 429:
        seconds = retry_after_seconds(response.headers)
        return RateLimited(seconds, f"HTTP 429 {code}, Retry-After {seconds:g}s")
    if status >= 500:
        return Transient(f"HTTP {status} {code}")
    if code in TRANSIENT_ERRORS:
        return Transient(code)
    if code in NOT_IN_CHANNEL_ERRORS:
        return NotInChannel(code)
    return Permanent(code)


def from_network_error(error: BaseException) -> Transient:
    reason = getattr(error, "reason", None) or error
    return Transient(f"network error: {type(reason).__name__}: {reason}"[:500])


def _field(data: Any, name: str) -> Any:
    return data.get(name) if isinstance(data, Mapping) else None


def retry_after_seconds(headers: Mapping[str, Any] | None) -> float:
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            text = value[0] if isinstance(value, list | tuple) and value else value
            try:
                return max(0.0, float(str(text).strip()))
            except ValueError:
                break
    return 1.0
