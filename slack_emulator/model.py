"""The values of the emulated workspace: team, app, users, channels, user groups, files, messages, views.

Rules:
- Every value is a frozen dataclass; the workspace replaces a value to change it (`dataclasses.replace`), so a
  value handed out never changes under the holder's feet.
- JSON parts (blocks, attachments, views, metadata) are kept exactly as the caller sent them, decoded from JSON.
- A channel's `kind` is Slack's `channel_type` in events: `channel` (public), `group` (private), `im`, `mpim`.
- `File.content` holds the bytes; `size` is their length. A file's `shares` list where it was posted.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Json = Any  # a value decoded from JSON: dict, list, str, int, float, bool or None


class ChannelKind(StrEnum):
    PUBLIC = "channel"
    PRIVATE = "group"
    IM = "im"
    MPIM = "mpim"


@dataclass(frozen=True)
class Team:
    id: str = "T00000001"
    name: str = "Frontdesk Demo"
    domain: str = "frontdesk-demo"


@dataclass(frozen=True)
class AppIdentity:
    """The installed app: its ids, its bot user and the secrets it is configured with."""

    app_id: str = "A00000001"
    bot_id: str = "B00000001"
    bot_user_id: str = "U0000BOT1"
    name: str = "frontdesk"
    bot_token: str = field(default="xoxb-10000001-20000001-emulatorbottoken", repr=False)
    app_token: str = field(default="xapp-1-A00000001-30000001-emulatorapptoken", repr=False)
    signing_secret: str = field(default="emulator-signing-secret-0123456789", repr=False)
    verification_token: str = field(default="emulatorverificationtoken", repr=False)


@dataclass(frozen=True)
class User:
    id: str
    name: str
    real_name: str = ""
    display_name: str = ""
    email: str | None = None
    phone: str | None = None
    tz: str = "UTC"
    title: str = ""
    is_bot: bool = False
    is_admin: bool = False
    deleted: bool = False
    bot_id: str | None = None
    team: str | None = None  # another organisation's team (Slack Connect); None: the workspace's own
    info_refused: bool = False  # users.info answers user_not_found for them, as Slack may for external users


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    kind: ChannelKind
    members: tuple[str, ...] = ()
    created: int = 0
    creator: str | None = None
    is_archived: bool = False
    is_general: bool = False
    topic: str = ""
    purpose: str = ""
    user: str | None = None  # the other party of an IM
    ext_shared: bool = False  # a Slack Connect channel, shared with another organisation

    @property
    def is_private(self) -> bool:
        return self.kind is not ChannelKind.PUBLIC


@dataclass(frozen=True)
class UserGroup:
    id: str
    handle: str
    name: str
    users: tuple[str, ...] = ()
    is_disabled: bool = False


@dataclass(frozen=True)
class Share:
    channel: str
    ts: str
    thread_ts: str | None = None


@dataclass(frozen=True)
class File:
    id: str
    name: str
    title: str
    mimetype: str
    filetype: str
    user: str
    created: int
    content: bytes = field(default=b"", repr=False)
    shares: tuple[Share, ...] = ()
    url_private: str | None = None  # where files.info says it is; None: the emulator's own private URL
    moved_to: str | None = None  # its private URL answers a redirect here (after checking the token)

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class Reaction:
    name: str
    users: tuple[str, ...]


@dataclass(frozen=True)
class Edited:
    user: str
    ts: str


@dataclass(frozen=True)
class Message:
    """A message in a channel; `thread_ts` is set on replies (and on a parent once it has replies)."""

    channel: str
    ts: str
    user: str
    text: str = ""
    blocks: Json = None
    attachments: Json = None
    thread_ts: str | None = None
    bot_id: str | None = None
    app_id: str | None = None
    subtype: str | None = None
    files: tuple[str, ...] = ()
    reactions: tuple[Reaction, ...] = ()
    edited: Edited | None = None
    metadata: Json = None
    client_msg_id: str | None = None
    reply_broadcast: bool = False
    link_names: bool = False
    parse: str | None = None

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts


@dataclass(frozen=True)
class Ephemeral:
    """A message only `user` sees; Slack keeps no history of it."""

    channel: str
    user: str
    ts: str
    text: str = ""
    blocks: Json = None
    thread_ts: str | None = None
    attachments: Json = None


@dataclass(frozen=True)
class View:
    """A modal (or a user's App Home) as the app last set it, with the state the user filled in."""

    id: str
    user: str
    type: str
    definition: Json
    hash: str
    root_view_id: str
    external_id: str = ""
    previous_view_id: str | None = None
    state: Json = field(default_factory=lambda: {"values": {}})
    is_open: bool = True

    @property
    def callback_id(self) -> str:
        return str(self.definition.get("callback_id", ""))

    @property
    def private_metadata(self) -> str:
        return str(self.definition.get("private_metadata", ""))
