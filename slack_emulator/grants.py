"""Slack's short-lived grants: trigger ids for opening a modal, and response URLs for answering an action.

Rules:
- A trigger id is issued for one user's action and works once within 3 seconds: unknown is
  `invalid_trigger_id`, used is `exchanged_trigger_id`, late is `expired_trigger_id`.
- A response URL is issued for one user's action in a conversation (on a message, for interactions on one) and
  works 5 times within 30 minutes: unknown is `invalid_url`, late `expired_url`, a sixth use `used_url` (HTTP 404).
- Time comes from the injected clock; both stores are safe to use from several threads.
"""

import dataclasses
import threading
from dataclasses import dataclass

from slack_emulator.errors import ApiError
from slack_emulator.ids import Clock, trigger_id, url_secret

TRIGGER_LIFETIME = 3.0
RESPONSE_URL_LIFETIME = 30 * 60.0
RESPONSE_URL_USES = 5


@dataclass(frozen=True)
class _Trigger:
    user: str
    issued_at: float
    used: bool = False


@dataclass(frozen=True)
class ResponseTarget:
    """Where a response URL's messages go: the conversation, the user who acted and the message acted on."""

    channel: str
    user: str
    message_ts: str | None
    issued_at: float
    uses: int = 0


class Triggers:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._issued: dict[str, _Trigger] = {}
        self._lock = threading.Lock()

    def issue(self, user_id: str) -> str:
        with self._lock:
            trigger = trigger_id(len(self._issued) + 1)
            self._issued[trigger] = _Trigger(user_id, self._clock())
            return trigger

    def exchange(self, trigger: str) -> str:
        """The user a trigger id was issued for; it is then used up."""
        with self._lock:
            found = self._issued.get(trigger)
            if found is None:
                raise ApiError("invalid_trigger_id")
            if found.used:
                raise ApiError("exchanged_trigger_id")
            if self._clock() - found.issued_at > TRIGGER_LIFETIME:
                raise ApiError("expired_trigger_id")
            self._issued[trigger] = dataclasses.replace(found, used=True)
            return found.user


class ResponseUrls:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._issued: dict[str, ResponseTarget] = {}
        self._lock = threading.Lock()

    def issue(self, channel_id: str, user_id: str, message_ts: str | None = None) -> str:
        secret = url_secret()
        with self._lock:
            self._issued[secret] = ResponseTarget(channel_id, user_id, message_ts, self._clock())
        return secret

    def use(self, secret: str) -> ResponseTarget:
        with self._lock:
            target = self._issued.get(secret)
            if target is None:
                raise ApiError("invalid_url", status=404)
            if self._clock() - target.issued_at > RESPONSE_URL_LIFETIME:
                raise ApiError("expired_url", status=404)
            if target.uses >= RESPONSE_URL_USES:
                raise ApiError("used_url", status=404)
            self._issued[secret] = dataclasses.replace(target, uses=target.uses + 1)
            return target
