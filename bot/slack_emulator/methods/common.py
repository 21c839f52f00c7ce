"""What several Web API methods share: the call context, channel and user checks, message content rules.

Rules:
- A handler takes the `Context` and the `ApiRequest` and returns the fields of an `ok: true` answer, or raises
  `ApiError` with Slack's code.
- Channels: an unknown channel, and a private one (group, IM, MPIM) the bot is not in, are `channel_not_found`.
  Posting to a public channel the bot is not in is `not_in_channel`; to an archived one, `is_archived`.
- Message content: text, blocks or attachments are required (`no_text`); text over 40,000 characters is
  `msg_too_long`; blocks must be a JSON array (`invalid_blocks_format`) of at most 50 objects with a `type`, section
  text at most 3,000 characters and header text at most 150 (`invalid_blocks`, with Slack's explanation in
  `response_metadata.messages`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.slack_emulator.errors import ApiError
from bot.slack_emulator.faults import ChannelPacer
from bot.slack_emulator.model import Channel, Json, Message, User
from bot.slack_emulator.request import ApiRequest
from bot.slack_emulator.shapes import stored_message_json
from bot.slack_emulator.workspace import Workspace

MAX_TEXT = 40_000
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3_000
MAX_HEADER_TEXT = 150


@dataclass(frozen=True)
class Context:
    workspace: Workspace
    root_url: str
    pacer: ChannelPacer | None
    issue_socket_url: Callable[[], str]

    def message_json(self, message: Message) -> dict[str, Any]:
        return stored_message_json(self.workspace, message, self.root_url)


Handler = Callable[[Context, ApiRequest], dict[str, Any]]


@dataclass(frozen=True)
class Method:
    handler: Handler
    app_token: bool = False  # answered for an app-level token (xapp-) rather than a bot token


def channel_for_bot(ctx: Context, ref: str | None, *, posting: bool = False) -> Channel:
    ws = ctx.workspace
    channel = ws.resolve_channel(ref) if ref else None
    if channel is None:
        raise ApiError("channel_not_found")
    member = ws.app.bot_user_id in channel.members
    if channel.is_private and not member:
        raise ApiError("channel_not_found")
    if posting and channel.is_archived:
        raise ApiError("is_archived")
    if posting and not member:
        raise ApiError("not_in_channel")
    return channel


def known_user(ctx: Context, user_id: str | None) -> User:
    user = ctx.workspace.get_user(user_id) if user_id else None
    if user is None:
        raise ApiError("user_not_found")
    return user


def message_content(req: ApiRequest) -> dict[str, Any]:
    """`text`, `blocks` and `attachments` of a message call, checked as Slack checks them."""
    text = req.text("text") or ""
    blocks = req.json_arg("blocks", "invalid_blocks_format")
    attachments = req.json_arg("attachments", "invalid_attachments")
    if not text and not blocks and not attachments:
        raise ApiError("no_text")
    if len(text) > MAX_TEXT:
        raise ApiError("msg_too_long")
    if blocks is not None:
        check_blocks(blocks, limit=MAX_BLOCKS, error="invalid_blocks")
    if attachments is not None and not isinstance(attachments, list):
        raise ApiError("invalid_attachments")
    return {"text": text, "blocks": blocks, "attachments": attachments}


def check_blocks(blocks: Json, *, limit: int, error: str, pointer: str = "/blocks") -> None:
    if not isinstance(blocks, list):
        raise ApiError("invalid_blocks_format")
    if len(blocks) > limit:
        raise ApiError(error, messages=(f"[ERROR] no more than {limit} items allowed [json-pointer:{pointer}]",))
    for index, block in enumerate(blocks):
        where = f"{pointer}/{index}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            raise ApiError(error, messages=(f"[ERROR] missing required field: type [json-pointer:{where}]",))
        longest = {"section": MAX_SECTION_TEXT, "header": MAX_HEADER_TEXT}.get(block["type"])
        text = block.get("text")
        if longest is not None and isinstance(text, dict) and len(str(text.get("text", ""))) > longest:
            message = f"[ERROR] must be less than {longest + 1} characters [json-pointer:{where}/text/text]"
            raise ApiError(error, messages=(message,))
