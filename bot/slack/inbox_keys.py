"""What an incoming Slack request is, for the inbox: its unique key and the conversation it belongs to.

Rules (DESIGN.md, "The path of a message", step 2; FIELD-NOTES, Slack retries):
- A message is keyed by `(channel, ts)`, not by event_id: one message that mentions the bot arrives as two
  events (`message` and `app_mention`) with different event_ids, and must make one request. Files shared with a
  message (`file_share`) and thread broadcasts are messages; edits, deletions, joins and bot messages are not
  requests and are not stored; nor are `file_shared` events, since the message itself carries its files.
- A reaction is keyed by channel, message, user and emoji; other events by `event_id`, so Slack's retries of one
  event (same event_id) are dropped as duplicates.
- Commands, shortcuts and block actions are keyed by their trigger_id (each click is its own trigger; a double
  click is made harmless by the service, which applies an action once). A view submission is keyed by the view's
  id and hash, so a double submit of one form is one submission.
- The conversation orders processing: a message belongs to its thread (`channel:thread_ts`), anything else to
  the user who did it.
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


def classify(body: dict[str, Any]) -> Received | None:
    """The inbox identity of a Slack request body, or None for what Frontdesk does not act on."""
    kind = body.get("type")
    if kind == "event_callback":
        return _event(body)
    if "command" in body:
        return Received(f"command:{body.get('trigger_id', '')}", f"user:{body.get('user_id', '')}", "command")
    user = f"user:{_table(body.get('user')).get('id', '')}"
    if kind == "view_submission":
        view = _table(body.get("view"))
        return Received(f"view:{view.get('id', '')}:{view.get('hash', '')}", user, "view_submission")
    if kind in ("block_actions", "shortcut", "message_action"):
        return Received(f"{kind}:{body.get('trigger_id', '')}", user, kind)
    return None


def _event(body: dict[str, Any]) -> Received | None:
    event = _table(body.get("event"))
    kind = event.get("type")
    if kind in ("message", "app_mention"):
        if event.get("bot_id") or event.get("subtype") not in MESSAGE_SUBTYPES or "channel" not in event:
            return None
        channel, ts = event["channel"], event.get("ts", "")
        return Received(f"message:{channel}:{ts}", f"{channel}:{event.get('thread_ts') or ts}", "message")
    if kind == "reaction_added":
        item = _table(event.get("item"))
        channel, ts = item.get("channel", ""), item.get("ts", "")
        key = f"reaction:{channel}:{ts}:{event.get('user', '')}:{event.get('reaction', '')}"
        return Received(key, f"{channel}:{ts}", "reaction")
    if kind in IGNORED_EVENTS:
        return None
    return Received(f"event:{body.get('event_id', '')}", f"user:{event.get('user', '')}", str(kind))


def _table(value: Any) -> dict[str, Any]:
    """A JSON object of the payload, or an empty one when Slack sent something else there."""
    return value if isinstance(value, dict) else {}
