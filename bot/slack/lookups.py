"""The inbox worker's Web API client for look-ups (users.info, conversations.replies, files.info, ...), which
respects Slack's "later".

Rules (docs/operations.md, "When Slack says later"):
- A method Slack answered with HTTP 429 is not called again until its Retry-After has passed, counted from the
  moment of that answer on the worker's clock: until then a call of it raises `Later` at once, without asking
  Slack, so a rate-limited method is not hammered by every other conversation's row.
- The client never sleeps or retries by itself (no slack_sdk retry handlers): a refused look-up fails its inbox
  row, which the worker puts back until it may be tried again (bot.process.inbox_worker).
- `retry_in(error)` says how long Slack asked to wait, or that the failure is Slack's or the network's and
  passes (backoff), or None for a failure that will not pass by waiting.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.delivery.call_results import NETWORK_ERRORS, Permanent, RateLimited, from_api_error
from bot.monitoring.instruments import MeteredWebClient


class Later(Exception):
    """Slack asked to wait before `method` is called again; `wait` is what is left of it."""

    def __init__(self, method: str, wait: timedelta) -> None:
        super().__init__(f"{method}: rate limited by Slack, {wait.total_seconds():.1f}s to wait")
        self.method, self.wait = method, wait


@dataclass(frozen=True)
class Passing:
    """A failure that passes: Slack's own (5xx, internal errors) or the network's; `wait` None means backoff."""

    reason: str
    wait: timedelta | None = None


class LookupClient(MeteredWebClient):
    """A WebClient like `client` (token, base URL, timeout, headers) that respects Slack's Retry-After per method;
    the calls it makes are timed for /metrics (bot.monitoring.instruments)."""

    def __init__(self, client: WebClient, clock: Callable[[], datetime]) -> None:
        super().__init__(
            token=client.token, base_url=client.base_url, timeout=client.timeout, headers=client.headers,
            retry_handlers=[],
        )  # fmt: skip
        self._clock, self._blocked, self._lock = clock, dict[str, datetime](), threading.Lock()

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:  # type: ignore[override]
        with self._lock:
            until = self._blocked.get(api_method)
        now = self._clock()
        if until is not None and now < until:
            raise Later(api_method, until - now)
        try:
            return super().api_call(api_method, **kwargs)  # type: ignore[return-value]
        except SlackApiError as error:
            outcome = from_api_error(error)
            if isinstance(outcome, RateLimited):
                with self._lock:
                    self._blocked[api_method] = self._clock() + timedelta(seconds=max(outcome.retry_after, 1.0))
            raise


def retry_in(error: BaseException) -> Passing | None:
    """How a failed look-up passes: Slack's wait (`Later`, 429), a backoff (5xx, network), or None (it will not)."""
    if isinstance(error, Later):
        return Passing(str(error), error.wait)
    if isinstance(error, SlackApiError):
        outcome = from_api_error(error)
        if isinstance(outcome, Permanent):
            return None
        wait = timedelta(seconds=outcome.retry_after) if isinstance(outcome, RateLimited) else None
        return Passing(outcome.error, wait)
    if isinstance(error, NETWORK_ERRORS):
        return Passing(f"network error: {type(error).__name__}: {error}"[:500])
    return None
