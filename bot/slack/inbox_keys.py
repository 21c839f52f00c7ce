"""What an incoming Slack request is, for the inbox: its unique key and the conversation it belongs to.

Rules (docs/architecture.md, "The path of a message", step 2, and "Slack facts": retries):
- A message is keyed by `(channel, ts)`, not by event_id: one message that mentions the bot arrives as two
  events (`message` and `app_mention`) with different event_ids, and must make one request. Files shared with a
  message (`file_share`) and thread broadcasts are messages; edits, deletions, joins and bot messages are not
  requests and are not stored; nor are `file_shared` events, since the message itself carries its files.
- A reaction is keyed by channel, message, user and emoji; other events by `event_id`, so Slack's retries of one
  event (same event_id) are dropped as duplicates. A reaction to anything but a message is not acted on.
- Commands, shortcuts and block actions are keyed by their trigger_id (each click is its own trigger; a double
  click is made harmless by the service, which applies an action once). A view submission is keyed by the view's
  id and hash, so a double submit of one form is one submission.
- The conversation orders processing: a message belongs to its thread (`channel:thread_ts`), anything else to
  the user who did it.
- Every field a key or a conversation is made of must be a non-empty string (a `thread_ts`, when there is one,
  too): a request with one empty or of another JSON type is `Dropped`, naming the field (never its value), and
  is not stored, so no request opens on `"channel": ""` only for every post to it to fail.
"""

from dataclasses import dataclass
from typing import Any

MESSAGE_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})
IGNORED_EVENTS = frozenset({"file_shared", "file_created", "file_public"})  # the message carries its files


@dataclass(frozen=True)
class Received:
    """An incoming request as the inbox keeps it."""

    key: str
    conversation: str
    kind: str


@dataclass(frozen=True)
class Dropped:
    """A request Frontdesk would act on whose `field` (a dotted path) is empty or of the wrong JSON type."""

    kind: str
    field: str


class _Unusable(Exception):
    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def classify(body: dict[str, Any]) -> Received | Dropped | None:
    """The inbox identity of a Slack request body, `Dropped` when a field it needs is unusable, or None for what
    Frontdesk does not act on."""
    kind = body.get("type")
    try:
        if kind == "event_callback":
            return _event(body)
        if "command" in body:
            return Received(f"command:{_text(body, 'trigger_id')}", f"user:{_text(body, 'user_id')}", "command")
        if kind == "view_submission":
            view = _table(body, "view")
            key = f"view:{_text(view, 'id', 'view.')}:{_text(view, 'hash', 'view.')}"
            return Received(key, _user(body), "view_submission")
        if kind in ("block_actions", "shortcut", "message_action"):
            return Received(f"{kind}:{_text(body, 'trigger_id')}", _user(body), str(kind))
    except _Unusable as unusable:
        return Dropped(_kind(body), unusable.field)
    return None


def _kind(body: dict[str, Any]) -> str:
    """What a request is, for a log line: its event's type, `command`, or its own type."""
    event = body.get("event")
    if body.get("type") == "event_callback" and isinstance(event, dict) and isinstance(event.get("type"), str):
        return f"{event['type']} event"
    return "command" if "command" in body else str(body.get("type"))


def _event(body: dict[str, Any]) -> Received | None:
    event = _table(body, "event")
    kind = event.get("type")
    if kind in ("message", "app_mention"):
        subtype = event.get("subtype")
        if not isinstance(subtype, str | None):
            raise _Unusable("event.subtype")
        if event.get("bot_id") or subtype not in MESSAGE_SUBTYPES:
            return None
        channel, ts = _text(event, "channel", "event."), _text(event, "ts", "event.")
        thread = _text(event, "thread_ts", "event.") if event.get("thread_ts") is not None else ts
        _text(event, "user", "event.")
        return Received(f"message:{channel}:{ts}", f"{channel}:{thread}", "message")
    if kind == "reaction_added":
        item = _table(event, "item", "event.")
        if item.get("type") != "message":
            return None
        channel, ts = _text(item, "channel", "event.item."), _text(item, "ts", "event.item.")
        key = f"reaction:{channel}:{ts}:{_text(event, 'user', 'event.')}:{_text(event, 'reaction', 'event.')}"
        return Received(key, f"{channel}:{ts}", "reaction")
    if kind in IGNORED_EVENTS:
        return None
    if not isinstance(kind, str) or not kind:
        raise _Unusable("event.type")
    user = event.get("user", "")
    if not isinstance(user, str):
        raise _Unusable("event.user")
    return Received(f"event:{_text(body, 'event_id')}", f"user:{user}", kind)


def _text(table: dict[str, Any], name: str, path: str = "") -> str:
    """The non-empty string at `name`, or `_Unusable` naming `path + name`."""
    value = table.get(name)
    if not isinstance(value, str) or not value:
        raise _Unusable(path + name)
    return value


def _table(table: dict[str, Any], name: str, path: str = "") -> dict[str, Any]:
    """The JSON object at `name`, or `_Unusable` naming it."""
    value = table.get(name)
    if not isinstance(value, dict):
        raise _Unusable(path + name)
    return value


def _user(body: dict[str, Any]) -> str:
    return f"user:{_text(_table(body, 'user'), 'id', 'user.')}"
