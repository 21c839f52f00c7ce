"""Who is an agent: the users listed in the desk config, and the members of its user groups
(docs/architecture.md, "Glossary").

Rules:
- A listed user is an agent without any look-up. For anyone else the members of each configured user group are
  read with usergroups.users.list and kept for `ttl` (10 minutes by default), on an injected clock, so a busy
  channel costs one call per group per `ttl`, and a change of membership in Slack is seen within `ttl`.
- A group that cannot be read (a Slack error, a network error) keeps its last known members (none, the first
  time), is logged, and is asked again after `retry` rather than on every reaction.
- Look-ups happen in the inbox worker before its transaction (bot.process.inbox_worker), never in a listener.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.config.desk import People

log = logging.getLogger(__name__)
TTL = timedelta(minutes=10)
RETRY = timedelta(minutes=1)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Known:
    members: frozenset[str]
    until: datetime


class Agents:
    """The agents of one desk: `is_agent(user)`."""

    def __init__(
        self,
        client: WebClient,
        people: People,
        *,
        ttl: timedelta = TTL,
        retry: timedelta = RETRY,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._client, self._people, self._ttl, self._retry, self._clock = client, people, ttl, retry, clock
        self._known: dict[str, _Known] = {}
        self._lock = threading.Lock()

    def is_agent(self, user: str) -> bool:
        if not user:
            return False
        return user in self._people.users or any(user in self._members(group) for group in self._people.usergroups)

    def _members(self, group: str) -> frozenset[str]:
        """The group's members, read again when what is known of them has expired."""
        now = self._clock()
        with self._lock:
            known = self._known.get(group)
            if known is not None and now < known.until:
                return known.members
            members = self._read(group, known.members if known else frozenset(), now)
            self._known[group] = members
            return members.members

    def _read(self, group: str, last: frozenset[str], now: datetime) -> _Known:
        try:
            users = self._client.usergroups_users_list(usergroup=group)["users"]
        except (SlackClientError, OSError) as error:
            log.warning("user group %s could not be read (%s); keeping its %d known members", group, error, len(last))
            return _Known(last, now + self._retry)
        return _Known(frozenset(str(user) for user in users or ()), now + self._ttl)
