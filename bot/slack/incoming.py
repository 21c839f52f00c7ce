"""Which stored Slack messages are for the intake, and what they say, as the service's `Incoming`.

Rules (issue 4, "Ways in"):
- A top-level message starts a request when it is a DM to the bot, mentions the bot, or is posted in the
  intake channel; other top-level messages are not for Frontdesk.
- A reply in a thread is passed on whatever the channel: the service knows whether the thread is a request.
- The bot's mention is removed from the text; everything else is kept as written.
"""

import re
from typing import Any

from bot.intake.requests import Incoming, Profile

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
    cleaned = _MENTION.sub(lambda match: "" if match.group(1) == bot_user else match.group(0), text).strip()
    return Incoming(key=key, channel=channel, thread_ts=thread_ts, ts=ts, text=cleaned, profile=profile)


def message_author(payload: dict[str, Any]) -> str:
    return str((payload.get("event") or {}).get("user", ""))


def message_files(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The files a stored message event lists (their ids; the rest is looked up)."""
    files = (payload.get("event") or {}).get("files")
    return [file for file in files if isinstance(file, dict)] if isinstance(files, list) else []
