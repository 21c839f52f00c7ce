"""Which stored Slack messages are for the intake, and what they say, as the service's `Incoming`.

Rules (docs/slack.md, "Running it with Slack"):
- A top-level message starts a request when it is a DM to the bot, mentions the bot, or is posted in the
  intake channel; other top-level messages are not for Frontdesk, but in a customer's channel (bot.config.desk,
  `channel_mode`) a customer's: `auto` takes it for the intake (it opens a request, or joins the one its author
  wrote to within the follow-up window), `ask` offers to open one (`offered`), `reaction` leaves it to the agents.
- Staff are never customers: an agent, always; in a Slack Connect channel (the envelope's
  `is_ext_shared_channel`) also anyone whose message carries our team (`user_team`, else the event's `team`,
  against the envelope's `team_id`) or names no team. Everyone else in a customer's channel is that customer's:
  in a channel that is not shared (the customer's people are guests of our workspace, or colleagues post for
  them) everyone but the agents, since there our team is everyone's.
- A requester Slack will not describe (users.info refused, as for some external users) is described by what the
  event carries: their team (`user_team`) and name (`user_profile`).
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
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.config.desk import Customer
from bot.desk.intake.requests import Incoming, Profile
from bot.slack.inbox_keys import MESSAGE_SUBTYPES

TICKET = "ticket"

_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


def incoming_message(
    key: str,
    payload: dict[str, Any],
    *,
    bot_user: str,
    intake_channel: str,
    profile: Profile,
    customer: Customer | None = None,
    by_staff: bool = True,
) -> Incoming | None:
    """The intake's view of a stored message event, or None when it is not for Frontdesk. `customer` is the one
    whose channel it is in, `by_staff` whether its author is staff (`from_staff`)."""
    event = payload.get("event") or {}
    channel, ts = str(event.get("channel", "")), str(event.get("ts", ""))
    thread_ts = str(event.get("thread_ts") or ts)
    text = str(event.get("text") or "")
    incoming = Incoming(
        key=key, channel=channel, thread_ts=thread_ts, ts=ts, text=_without(bot_user, text), profile=profile
    )
    if customer is not None:
        incoming = replace(incoming, written_at=written_at(ts))
    if thread_ts != ts or _for_the_bot(event, bot_user, intake_channel):
        return incoming
    if customer is not None and customer.channel_mode == "auto" and not by_staff:
        return replace(incoming, follow_up_window=customer.follow_up_window)
    return None


def offered(payload: dict[str, Any], *, bot_user: str, customer: Customer | None, by_staff: bool) -> bool:
    """Whether the message gets "Open a request?": a customer's top-level message in their channel in mode `ask`
    that is not already for the bot."""
    event = payload.get("event") or {}
    ts = str(event.get("ts", ""))
    top_level = str(event.get("thread_ts") or ts) == ts
    asks = customer is not None and customer.channel_mode == "ask" and not by_staff
    return asks and top_level and not _for_the_bot(event, bot_user, "")


def from_staff(payload: dict[str, Any], *, is_agent: bool) -> bool:
    """Whether the author of a message in a customer's channel is staff: an agent; in a Slack Connect channel,
    also anyone of our team (the envelope's `team_id`) or of no team the event names."""
    if is_agent:
        return True
    if payload.get("is_ext_shared_channel") is not True:
        return False  # not shared: everyone is of our team, and everyone but the agents is the customer's
    event = payload.get("event") or {}
    team = event.get("user_team") or event.get("team")
    return not team or team == payload.get("team_id")


def described(profile: Profile, payload: dict[str, Any]) -> Profile:
    """The profile, with what the event carries where Slack said nothing (users.info refused)."""
    event = payload.get("event") or {}
    shown = event.get("user_profile") if isinstance(event.get("user_profile"), dict) else {}
    team = profile.team or event.get("user_team") or shown.get("team") or None
    name = profile.name or shown.get("real_name") or shown.get("display_name") or shown.get("name") or None
    return replace(profile, team=str(team) if team else None, name=str(name) if name else None)


def written_at(ts: str) -> datetime | None:
    """The instant a Slack ts names, or None for one that is not a ts."""
    try:
        return datetime.fromtimestamp(float(ts), UTC)
    except (ValueError, OverflowError):
        return None


def _for_the_bot(event: dict[str, Any], bot_user: str, intake_channel: str) -> bool:
    """A DM to the bot, a message that mentions it, or one in the intake channel."""
    channel, text = str(event.get("channel", "")), str(event.get("text") or "")
    mentioned = event.get("type") == "app_mention" or any(user == bot_user for user in _MENTION.findall(text))
    direct = event.get("channel_type") == "im" or channel.startswith("D")
    return direct or mentioned or (bool(intake_channel) and channel == intake_channel)


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
