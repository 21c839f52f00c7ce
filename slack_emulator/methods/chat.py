"""chat.postMessage, chat.update, chat.postEphemeral and reactions.add.

Rules:
- The bot posts as itself: stored messages carry its user, bot and app ids. `channel` may be an id, a name or a
  user id (Slack then posts in the bot's DM with that user and answers the DM's id).
- chat.postMessage is paced per channel when the emulator has a `ChannelRateLimit` (429 with `Retry-After`), and
  cuts text over 40,000 characters (Slack truncates it); chat.update and chat.postEphemeral refuse it.
- chat.update changes the stored message (`message_not_found`; `cant_update_message` for another's message) and
  marks it edited. chat.postEphemeral needs the user in the channel (`user_not_in_channel`).
- reactions.add needs `timestamp` (`no_item_specified`) and refuses a second identical reaction (`already_reacted`).
"""

from typing import Any

from slack_emulator.errors import ApiError, rate_limited
from slack_emulator.methods.common import Context, Method, channel_for_bot, known_user, message_content
from slack_emulator.request import ApiRequest


def post_message(ctx: Context, req: ApiRequest) -> dict[str, Any]:
    ws = ctx.workspace
    channel = channel_for_bot(ctx, req.text("channel"), posting=True)
    content = message_content(req, cut_long_text=True)
    if ctx.pacer is not None:
        wait = ctx.pacer.admit(channel.id)
        if wait is not None:
            raise rate_limited(wait)
    message = ws.post_message(
        channel,
        ws.app.bot_user_id,
        **content,
        thread_ts=req.text("thread_ts"),
        metadata=req.json_arg("metadata", "invalid_metadata_format"),
        reply_broadcast=req.flag("reply_broadcast"),
        link_names=req.flag("link_names"),
        parse=req.text("parse"),
    )
    return {"channel": channel.id, "ts": message.ts, "message": ctx.message_json(message)}


def update(ctx: Context, req: ApiRequest) -> dict[str, Any]:
    ws = ctx.workspace
    channel = channel_for_bot(ctx, req.text("channel"))
    current = ws.message(channel, req.text("ts") or "")
    if current is None:
        raise ApiError("message_not_found")
    if current.user != ws.app.bot_user_id:
        raise ApiError("cant_update_message")
    content = message_content(req)
    changes: dict[str, Any] = {"text": content["text"]}
    changes.update({k: v for k, v in content.items() if k != "text" and v is not None})
    if req.get("metadata") is not None:
        changes["metadata"] = req.json_arg("metadata", "invalid_metadata_format")
    changes["link_names"] = req.flag("link_names")
    changes["parse"] = req.text("parse")
    message = ws.update_message(channel, current.ts, editor=ws.app.bot_user_id, **changes)
    return {"channel": channel.id, "ts": message.ts, "text": message.text, "message": ctx.message_json(message)}


def post_ephemeral(ctx: Context, req: ApiRequest) -> dict[str, Any]:
    ws = ctx.workspace
    channel = channel_for_bot(ctx, req.text("channel"), posting=True)
    user = known_user(ctx, req.text("user"))
    if user.id not in channel.members:
        raise ApiError("user_not_in_channel")
    content = message_content(req)
    ephemeral = ws.post_ephemeral(
        channel,
        user,
        text=content["text"],
        blocks=content["blocks"],
        attachments=content["attachments"],
        thread_ts=req.text("thread_ts"),
    )
    return {"message_ts": ephemeral.ts}


def add_reaction(ctx: Context, req: ApiRequest) -> dict[str, Any]:
    channel = channel_for_bot(ctx, req.text("channel"))
    timestamp = req.text("timestamp")
    if timestamp is None:
        raise ApiError("no_item_specified")
    name = (req.text("name") or "").strip(":")
    if not name:
        raise ApiError("invalid_name")
    ctx.workspace.add_reaction(channel, timestamp, name, ctx.workspace.app.bot_user_id)
    return {}


METHODS = {
    "chat.postMessage": Method(post_message),
    "chat.update": Method(update),
    "chat.postEphemeral": Method(post_ephemeral),
    "reactions.add": Method(add_reaction),
}
