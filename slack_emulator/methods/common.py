"""What several Web API methods share: the call context, channel and user checks, message content rules.

Rules:
- A handler takes the `Context` and the `ApiRequest` and returns the fields of an `ok: true` answer, or raises
  `ApiError` with Slack's code.
- Channels: an unknown channel, and a private one (group, IM, MPIM) the bot is not in, are `channel_not_found`.
  Posting to (or reading, `reading=True`) a public channel the bot is not in is `not_in_channel`, as Slack
  documents for chat.postMessage, chat.postEphemeral, files.completeUploadExternal and conversations.history (and
  answers for conversations.replies); posting to an archived one is `is_archived`. chat.update, reactions.add,
  conversations.info and conversations.members document no `not_in_channel`: they work on a public channel.
- Message content: text, blocks or attachments are required (`no_text`); text over 40,000 characters is cut to
  40,000 by chat.postMessage (`cut_long_text`, as Slack truncates it) and is `msg_too_long` elsewhere; blocks must
  be a JSON array (`invalid_blocks_format`) of at most 50 blocks that pass Block Kit's checks (`blockkit`), else
  `invalid_blocks` with every problem in `errors` and `response_metadata.messages`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_emulator.blockkit import MAX_MESSAGE_BLOCKS, block_problems
from slack_emulator.errors import ApiError, invalid_blocks
from slack_emulator.faults import ChannelPacer
from slack_emulator.model import Channel, Json, Message, User
from slack_emulator.request import ApiRequest
from slack_emulator.shapes import stored_message_json
from slack_emulator.workspace import Workspace

MAX_TEXT = 40_000


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


def channel_for_bot(ctx: Context, ref: str | None, *, posting: bool = False, reading: bool = False) -> Channel:
    ws = ctx.workspace
    channel = ws.resolve_channel(ref) if ref else None
    if channel is None:
        raise ApiError("channel_not_found")
    member = ws.app.bot_user_id in channel.members
    if channel.is_private and not member:
        raise ApiError("channel_not_found")
    if posting and channel.is_archived:
        raise ApiError("is_archived")
    if (posting or reading) and not member:
        raise ApiError("not_in_channel")
    return channel


def known_user(ctx: Context, user_id: str | None) -> User:
    user = ctx.workspace.get_user(user_id) if user_id else None
    if user is None:
        raise ApiError("user_not_found")
    return user


def message_content(req: ApiRequest, *, cut_long_text: bool = False) -> dict[str, Any]:
    """`text`, `blocks` and `attachments` of a message call, checked as Slack checks them."""
    text = req.text("text") or ""
    blocks = req.json_arg("blocks", "invalid_blocks_format")
    attachments = req.json_arg("attachments", "invalid_attachments")
    if not text and not blocks and not attachments:
        raise ApiError("no_text")
    if len(text) > MAX_TEXT and not cut_long_text:
        raise ApiError("msg_too_long")
    if blocks is not None:
        check_blocks(blocks)
    if attachments is not None and not isinstance(attachments, list):
        raise ApiError("invalid_attachments")
    return {"text": text[:MAX_TEXT], "blocks": blocks, "attachments": attachments}


def check_blocks(blocks: Json) -> None:
    """A message's blocks: a JSON array (`invalid_blocks_format`) that Block Kit takes (`invalid_blocks`)."""
    if not isinstance(blocks, list):
        raise ApiError("invalid_blocks_format")
    problems = block_problems(blocks, most=MAX_MESSAGE_BLOCKS)
    if problems:
        raise invalid_blocks(problems)
