"""conversations.open, conversations.info, conversations.members, conversations.replies and conversations.history.

Rules:
- conversations.open takes `users` (one user: the bot's DM with them; several: a group DM with the bot) or the
  `channel` of an existing DM; neither is `users_list_not_supplied`, an unknown user `user_not_found`, more than 8
  users `too_many_users`. It answers `{"id"}` only, or the whole object with `return_im`.
- conversations.info and conversations.members see public channels and the private ones the bot is in.
- conversations.members pages with `limit` (1..1000, default 100; else `invalid_limit`) and an opaque `cursor`
  (`invalid_cursor` when not one of ours); the last page has `next_cursor: ""`.
- conversations.replies and conversations.history read only where the bot is a member: a public channel without
  it is `not_in_channel` (see `common`).
- conversations.replies needs `channel` and `ts` (`invalid_arguments` without ts); a ts that is no message of the
  channel is `thread_not_found`. It answers the thread the message belongs to, parent first, narrowed to
  `oldest` < ts < `latest` (both ends included with `inclusive`), in pages of `limit` (1..1000, default 1000)
  with `has_more` and a cursor, like conversations.members.
- conversations.history answers the top level of a conversation the bot can read, newest first, narrowed to
  `oldest` < ts < `latest`, in pages of `limit` (default 100) with a cursor. Messages carry their `metadata`.
"""

import base64
import binascii
from typing import Any

from slack_emulator.errors import ApiError
from slack_emulator.methods.common import Context, Method, channel_for_bot, known_user
from slack_emulator.model import ChannelKind
from slack_emulator.request import ApiRequest
from slack_emulator.shapes import channel_json

MAX_GROUP_DM_USERS = 8


def open_conversation(ctx: Context, req: ApiRequest) -> dict[str, Any]:
    ws = ctx.workspace
    bot = ws.app.bot_user_id
    user_ids = req.names("users")
    if not user_ids:
        ref = req.text("channel")
        if ref is None:
            raise ApiError("users_list_not_supplied")
        channel = channel_for_bot(ctx, ref)
        if channel.kind not in (ChannelKind.IM, ChannelKind.MPIM):
            raise ApiError("method_not_supported_for_channel_type")
        existed = True
    else:
        if len(user_ids) > MAX_GROUP_DM_USERS:
            raise ApiError("too_many_users")
        for user_id in user_ids:
            known_user(ctx, user_id)
        before = {c.id for c in ws.channels()}
        others = [u for u in user_ids if u != bot] or [bot]
        channel = ws.open_im(others[0]) if len(others) == 1 else ws.open_mpim(others)
        existed = channel.id in before
    answer: dict[str, Any] = {"channel": channel_json(channel, bot) if req.flag("return_im") else {"id": channel.id}}
    if existed:
        answer.update({"no_op": True, "already_open": True})
    return answer


def info(ctx: Context, req: ApiRequest) -> dict[str, Any]:
    channel = channel_for_bot(ctx, req.text("channel"))
    shape = channel_json(channel, ctx.workspace.app.bot_user_id)
    if req.flag("include_num_members"):
        shape["num_members"] = len(channel.members)
    return {"channel": shape}


def members(ctx: Context, req: ApiRequest) -> dict[str, Any]:
    channel = channel_for_bot(ctx, req.text("channel"))
    limit = req.integer("limit", 100)
    if not 1 <= limit <= 1000:
        raise ApiError("invalid_limit")
    start = _offset(req.text("cursor"))
    page = list(channel.members[start : start + limit])
    end = start + len(page)
    next_cursor = _cursor(end) if end < len(channel.members) else ""
    return {"members": page, "response_metadata": {"next_cursor": next_cursor}}


def _cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        kind, _, number = base64.b64decode(cursor, validate=True).decode().partition(":")
        if kind == "offset" and number.isdigit():
            return int(number)
    except (binascii.Error, UnicodeDecodeError):
        pass
    raise ApiError("invalid_cursor")


def replies(ctx: Context, req: ApiRequest) -> dict[str, Any]:
    ws = ctx.workspace
    channel = channel_for_bot(ctx, req.text("channel"), reading=True)
    ts = req.text("ts")
    if not ts:
        raise ApiError("invalid_arguments", messages=("[ERROR] missing required field: ts",))
    message = ws.message(channel, ts)
    if message is None:
        raise ApiError("thread_not_found")
    limit = req.integer("limit", 1000)
    if not 1 <= limit <= 1000:
        raise ApiError("invalid_limit")
    oldest, latest = _instant(req.text("oldest"), "oldest") or 0.0, _instant(req.text("latest"), "latest")
    inclusive = req.flag("inclusive")

    def within(stamp: str) -> bool:
        at = float(stamp)
        above = at >= oldest if inclusive else at > oldest
        below = latest is None or (at <= latest if inclusive else at < latest)
        return above and below

    thread = [m for m in ws.messages(channel, thread_ts=message.thread_ts or message.ts) if within(m.ts)]
    start = _offset(req.text("cursor"))
    page = thread[start : start + limit]
    end = start + len(page)
    return {
        "messages": [ctx.message_json(m) for m in page],
        "has_more": end < len(thread),
        "response_metadata": {"next_cursor": _cursor(end) if end < len(thread) else ""},
    }


def history(ctx: Context, req: ApiRequest) -> dict[str, Any]:
    """The top level of a conversation, newest first, between `oldest` and `latest`, `limit` at a time."""
    channel = channel_for_bot(ctx, req.text("channel"), reading=True)
    limit = req.integer("limit", 100)
    if not 1 <= limit <= 1000:
        raise ApiError("invalid_limit")
    oldest, latest = _instant(req.text("oldest"), "oldest") or 0.0, _instant(req.text("latest"), "latest")
    found = [
        m
        for m in reversed(ctx.workspace.messages(channel))
        if float(m.ts) > oldest and (latest is None or float(m.ts) < latest)
    ]
    start = _offset(req.text("cursor"))
    page = found[start : start + limit]
    end = start + len(page)
    return {
        "messages": [ctx.message_json(m) for m in page],
        "has_more": end < len(found),
        "response_metadata": {"next_cursor": _cursor(end) if end < len(found) else ""},
    }


def _instant(text: str | None, name: str) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ApiError(f"invalid_ts_{name}") from None


METHODS = {
    "conversations.open": Method(open_conversation),
    "conversations.info": Method(info),
    "conversations.members": Method(members),
    "conversations.replies": Method(replies),
    "conversations.history": Method(history),
}
