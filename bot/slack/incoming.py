"""Which stored Slack messages are for the intake, and what they say, as the service's `Incoming`.

Rules (README, "Running it with Slack"):
- A top-level message starts a request when it is a DM to the bot, mentions the bot, or is posted in the
  intake channel; other top-level messages are not for Frontdesk.
- A reply in a thread is passed on whatever the channel: the service knows whether the thread is a request.
- The bot's mention is removed from the text; everything else is kept as written.
- A :ticket: reaction by an agent (a user listed in [agents] users, or a member of one of its user groups, as
  bot.slack.agents tells; bot.slack.gate refuses anyone else's) on a person's top-level message opens a request
  for that message as if it had been written to the bot: its author is the requester, its text the description,
  its files the attachments, its thread the request's thread. Other emoji, bot messages and replies inside a
  thread are not requests.
"""

import re
from collections.abc import Callable
from typing import Any

from bot.desk.intake.requests import Incoming, Profile
from bot.slack.inbox_keys import MESSAGE_SUBTYPES

TICKET = "ticket"

_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


def incoming_message(
    key: str, payload: dict[str, Any], *, bot_user: str, intake_channel: str, profile: Profile
) -> Incoming | None:
    """The intake's view of a stored message event, or None when it is not for Frontdesk."""
    event = payload.get("event") or {}
    channel, ts = str(event.get("channel", "")), str(event.get("ts", ""))
    thread_ts = str(event.get("thread_ts") or ts)
    text = str(event.get("text") or "")
    mentioned = event.get("type") == "app_mention" or any(user == bot_user for user in _MENTION.findall(text))
    direct = event.get("channel_type") == "im" or channel.startswith("D")
    if thread_ts == ts and not (direct or mentioned or channel == intake_channel):
        return None
    return Incoming(
        key=key, channel=channel, thread_ts=thread_ts, ts=ts, text=_without(bot_user, text), profile=profile
    )


def ticket_reaction(payload: dict[str, Any]) -> tuple[str, str] | None:
    """The (channel, ts) of the message a :ticket: reaction points at, or None for any other reaction. Only an
    agent's reaction gets here (bot.slack.routes: the gate refuses anyone else's)."""
    event = payload.get("event") if isinstance(payload.get("event"), dict) else {}
    item = event.get("item") if isinstance(event.get("item"), dict) else {}
    if event.get("reaction") != TICKET or item.get("type") != "message":
        return None
    channel, ts = str(item.get("channel") or ""), str(item.get("ts") or "")
    return (channel, ts) if channel and ts else None


def reacted_message(
    key: str, channel: str, message: dict[str, Any], *, bot_user: str, profile_of: Callable[[str], Profile]
) -> Incoming | None:
    """The intake's view of a message pointed at with :ticket:, or None when it cannot be a request."""
    ts = str(message.get("ts") or "")
    by_a_bot = bool(message.get("bot_id")) or message.get("user") in (None, bot_user)
    in_a_thread = str(message.get("thread_ts") or ts) != ts
    if not ts or by_a_bot or in_a_thread or message.get("subtype") not in MESSAGE_SUBTYPES:
        return None
    text = _without(bot_user, str(message.get("text") or ""))
    return Incoming(key=key, channel=channel, thread_ts=ts, ts=ts, text=text, profile=profile_of(message["user"]))


def _without(bot_user: str, text: str) -> str:
    """The text without the bot's mention."""
    return _MENTION.sub(lambda match: "" if match.group(1) == bot_user else match.group(0), text).strip()


def message_author(payload: dict[str, Any]) -> str:
    return str((payload.get("event") or {}).get("user", ""))


def message_files(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The files a stored message event lists (their ids; the rest is looked up)."""
    files = (payload.get("event") or {}).get("files")
    return [file for file in files if isinstance(file, dict)] if isinstance(files, list) else []
