"""A local Slack for tests and the demo: the Web API Frontdesk uses, Socket Mode, and the people on the other side.

Rules:
- `SlackEmulator(workspace)` is a loopback HTTP server that answers the Web API methods Frontdesk calls, checks
  tokens and arguments as Slack does (same error codes), keeps the workspace's state (messages per channel and
  thread, ephemerals, reactions, views, files), records every call, and can be scripted to fail per method and
  to answer late (`latency`).
  Point slack_sdk at it with `WebClient(token=emulator.bot_token, base_url=emulator.base_url)` (or
  `SLACK_API_URL=emulator.base_url`).
- `Workspace` is the state, seeded before or during a run; `Workspace.example()` is a small support team.
- `pings(message)` says whom a stored message would notify (for "user text never pings anyone").
- `SlackSide` plays Slack and its users towards the app: signed HTTP requests to `/slack/events`, or envelopes over
  the emulator's Socket Mode WebSocket.
- Nothing here is imported by the bot's production path; the package ships so that `frontdesk demo` runs anywhere.
"""

from slack_emulator.calls import DOWNLOAD, RESPONSE_URL, SOCKET_ACK, SOCKET_CONNECT, UPLOAD, Call
from slack_emulator.faults import ANY_METHOD, ChannelRateLimit, Drop, Fails, Fault, RateLimited, ServerError, Slow
from slack_emulator.mentions import pings
from slack_emulator.model import (
    AppIdentity,
    Channel,
    ChannelKind,
    Ephemeral,
    File,
    Message,
    Reaction,
    Team,
    User,
    UserGroup,
    View,
)
from slack_emulator.server import SlackEmulator
from slack_emulator.signing import Signing
from slack_emulator.slack_side import Said, SlackSide, Upload
from slack_emulator.socket_mode import SocketAck
from slack_emulator.transports import Delivery
from slack_emulator.workspace import Workspace

__all__ = [
    "ANY_METHOD",
    "DOWNLOAD",
    "RESPONSE_URL",
    "SOCKET_ACK",
    "SOCKET_CONNECT",
    "UPLOAD",
    "AppIdentity",
    "Call",
    "Channel",
    "ChannelKind",
    "ChannelRateLimit",
    "Delivery",
    "Drop",
    "Ephemeral",
    "Fails",
    "Fault",
    "File",
    "Message",
    "RateLimited",
    "Reaction",
    "Said",
    "ServerError",
    "Signing",
    "SlackEmulator",
    "SlackSide",
    "Slow",
    "SocketAck",
    "Team",
    "Upload",
    "User",
    "UserGroup",
    "View",
    "Workspace",
    "pings",
]
