"""What the Slack delivery workers share through the database, so that several processes act as one.

Rules: `slack_pace` holds one row per pace, by name: `channel:<id>` (the instant the channel's next message is due
under its rate) and `method:<name>` (the instant Slack's 429 on that method ends). See storage.pace.
`channel_wait` holds the channels whose outbox rows are parked until the bot is in them (storage.channel_waits).
"""

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.columns import UTCDateTime


class SlackPace(SQLModel, table=True):
    __tablename__ = "slack_pace"

    name: str = Field(primary_key=True, max_length=255)  # "channel:C0123ABCD", "method:chat.postMessage"
    next_at: datetime = Field(sa_type=UTCDateTime)


class ChannelWait(SQLModel, table=True):
    """A Slack channel the bot cannot post in (not invited, or private and unseen), from when; its outbox rows are
    parked until it is released. One row per channel: the first to park in it tells the agents, once."""

    __tablename__ = "channel_wait"

    channel: str = Field(primary_key=True, max_length=320)
    since: datetime = Field(sa_type=UTCDateTime)
