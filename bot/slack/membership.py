"""Channels the bot must be in: the agents told when messages wait for an invitation, and the invitation itself
(Slack's member_joined_channel event for the bot) sending what waits.

Rules (docs/operations.md, "Channels the bot is not in"):
- `WaitingAlert(desk, bot_user).parked` is the delivery worker's `on_parked`: when messages start waiting for a
  channel the bot is not in (bot.delivery parks them), the agents channel is told once, in the transaction that
  parked the first of them, which channel it is and to type /invite with the bot there. When the agents channel
  itself is the one, nobody can be told in Slack: one log line, and `frontdesk status` shows it.
- `BotJoined(bot_user).bot_joined` is the handler of the route `event member_joined_channel`: when the member who
  joined is the bot, what is parked for that channel is pending again (in the inbox worker's transaction) and the
  delivery worker posts it, in order; anyone else joining a channel changes nothing.
- `probe_waiting` is the slow fallback, the waiting-channels sweep (bot.process.schedule): the oldest parked
  message of each waiting channel is tried again, and once one is posted the rest follow.
"""

import logging
from datetime import datetime
from typing import Any

from bot.act import Act, ActContext
from bot.config.desk import DeskConfig
from bot.slack.routes import Matched
from bot.slack.say import SlackSayer
from storage import channel_waits
from storage.channel_waits import ChannelWaiting
from storage.engine import Database, Session

log = logging.getLogger(__name__)
ALERT = "channel-waiting:"  # the key of the agents' alert, per channel and wait


class WaitingAlert:
    def __init__(self, desk: DeskConfig, bot_user: str) -> None:
        self.desk, self.bot_user = desk, bot_user

    def parked(self, session: Session, waiting: ChannelWaiting, now: datetime) -> None:
        """Messages started waiting for `waiting.channel`: the agents are told, unless it is their channel."""
        if waiting.channel == self.desk.agents_channel:
            log.error(
                "the bot is not in the agents channel %s, so nothing reaches the agents: type /invite with the bot "
                "(Slack user %s) in that channel, and what waits is posted; `frontdesk status` lists it",
                waiting.channel,
                self.bot_user,
            )
            return
        key = f"{ALERT}{waiting.channel}:{waiting.since.isoformat()}"
        SlackSayer(session, self.desk, now).channel_waiting(waiting.channel, self.bot_user, key=key)


class BotJoined:
    def __init__(self, bot_user: str) -> None:
        self.bot_user = bot_user

    def bot_joined(self, key: str, body: dict[str, Any], matched: Matched) -> Act | None:
        """`member_joined_channel`: when the bot is the member, what waits for the channel goes out."""
        event = body.get("event")
        channel = str(event.get("channel") or "") if isinstance(event, dict) else ""
        if matched.user != self.bot_user or not channel:
            return None

        def release(ctx: ActContext) -> None:
            released = channel_waits.release(ctx.session, channel, now=ctx.now)
            log.info("the bot joined channel %s: %s waiting messages released", channel, released)

        return release


def probe_waiting(database: Database, now: datetime) -> bool:
    """The oldest message waiting for each channel is tried again; whether there was any."""
    with database.write() as session:
        return channel_waits.probe(session, now=now) > 0
