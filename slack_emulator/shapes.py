"""How the workspace's values look on the wire: the JSON objects Slack returns and puts in events.

Rules:
- Shapes follow Slack's documented examples (users.info, conversations.info, chat.postMessage's `message`, files,
  views); fields the emulator has no data for are left out rather than invented.
- `tz_offset` and `tz_label` are computed for the instant `now` (so they follow daylight saving).
- File URLs point at the emulator (`root_url`), so a bot can download what a user shared.
- Pure functions: no state, no I/O.
"""

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from slack_emulator.model import AppIdentity, Channel, ChannelKind, File, Message, Team, User, View
from slack_emulator.workspace import Workspace


def user_json(user: User, team: Team, now: float) -> dict[str, Any]:
    local = datetime.fromtimestamp(now, UTC).astimezone(ZoneInfo(user.tz))
    offset = local.utcoffset()
    profile: dict[str, Any] = {
        "real_name": user.real_name,
        "display_name": user.display_name,
        "real_name_normalized": user.real_name,
        "display_name_normalized": user.display_name,
        "title": user.title,
        "team": user.team or team.id,
    }
    if user.email is not None:
        profile["email"] = user.email
    if user.phone is not None:
        profile["phone"] = user.phone
    if user.bot_id is not None:
        profile["bot_id"] = user.bot_id
    return {
        "id": user.id,
        "team_id": user.team or team.id,
        "name": user.name,
        "deleted": user.deleted,
        "real_name": user.real_name,
        "tz": user.tz,
        "tz_label": local.tzname() or user.tz,
        "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
        "profile": profile,
        "is_admin": user.is_admin,
        "is_owner": False,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "updated": int(now),
    }


def channel_json(channel: Channel, viewer: str) -> dict[str, Any]:
    kind = channel.kind
    shape: dict[str, Any] = {
        "id": channel.id,
        "created": channel.created,
        "is_archived": channel.is_archived,
        "is_im": kind is ChannelKind.IM,
        "is_mpim": kind is ChannelKind.MPIM,
        "is_private": channel.is_private,
        "is_member": viewer in channel.members,
    }
    if kind is ChannelKind.IM:
        shape.update({"user": channel.user, "is_user_deleted": False, "is_open": True})
        return shape
    shape.update(
        {
            "name": channel.name,
            "name_normalized": channel.name,
            "is_channel": kind is ChannelKind.PUBLIC,
            "is_group": kind is ChannelKind.PRIVATE,
            "is_general": channel.is_general,
            "is_shared": channel.ext_shared,
            "is_ext_shared": channel.ext_shared,
            "is_org_shared": False,
            "creator": channel.creator or "",
            "topic": {"value": channel.topic, "creator": "", "last_set": 0},
            "purpose": {"value": channel.purpose, "creator": "", "last_set": 0},
        }
    )
    return shape


def file_json(file: File, team: Team, root_url: str) -> dict[str, Any]:
    base = f"{root_url}files-pri/{team.id}-{file.id}/"
    public: dict[str, list[dict[str, Any]]] = {}
    for share in file.shares:
        entry: dict[str, Any] = {"ts": share.ts, "reply_count": 0}
        if share.thread_ts is not None:
            entry["thread_ts"] = share.thread_ts
        public.setdefault(share.channel, []).append(entry)
    return {
        "id": file.id,
        "created": file.created,
        "timestamp": file.created,
        "name": file.name,
        "title": file.title,
        "mimetype": file.mimetype,
        "filetype": file.filetype,
        "pretty_type": file.filetype.upper(),
        "user": file.user,
        "user_team": team.id,
        "editable": False,
        "size": file.size,
        "mode": "hosted",
        "is_external": False,
        "external_type": "",
        "is_public": bool(public),
        "public_url_shared": False,
        "display_as_bot": False,
        "url_private": file.url_private or base + quote(file.name),
        "url_private_download": file.url_private or f"{base}download/{quote(file.name)}",
        "permalink": f"https://{team.domain}.slack.com/files/{file.user}/{file.id}/{quote(file.name)}",
        "channels": sorted(public),
        "groups": [],
        "ims": [],
        "shares": {"public": public} if public else {},
        "has_rich_preview": False,
    }


def message_json(message: Message, files: list[dict[str, Any]], app: AppIdentity, team: Team) -> dict[str, Any]:
    shape: dict[str, Any] = {"type": "message", "user": message.user, "text": message.text, "ts": message.ts}
    if message.subtype is not None:
        shape["subtype"] = message.subtype
    if message.bot_id is not None:
        shape.update(
            {
                "bot_id": message.bot_id,
                "app_id": message.app_id,
                "bot_profile": {"id": app.bot_id, "app_id": app.app_id, "name": app.name, "team_id": team.id},
            }
        )
    shape["team"] = team.id
    optional = {
        "blocks": message.blocks,
        "attachments": message.attachments,
        "thread_ts": message.thread_ts,
        "metadata": message.metadata,
        "client_msg_id": message.client_msg_id,
    }
    shape.update({key: value for key, value in optional.items() if value is not None})
    if files:
        shape.update({"files": files, "upload": False, "display_as_bot": False})
    if message.reactions:
        shape["reactions"] = [
            {"name": r.name, "users": list(r.users), "count": len(r.users)} for r in message.reactions
        ]
    if message.edited is not None:
        shape["edited"] = {"user": message.edited.user, "ts": message.edited.ts}
    return shape


def stored_message_json(ws: Workspace, message: Message, root_url: str) -> dict[str, Any]:
    """A stored message with its files expanded, as chat.postMessage answers it and events carry it."""
    files = [file_json(f, ws.team, root_url) for f in map(ws.get_file, message.files) if f is not None]
    shape = message_json(message, files, ws.app, ws.team)
    channel, author = ws.get_channel(message.channel), ws.get_user(message.user) if message.user else None
    if channel is not None and channel.ext_shared and author is not None and message.bot_id is None:
        author_team = author.team or ws.team.id  # a Slack Connect channel's messages say whose team wrote them
        shape.update({"user_team": author_team, "source_team": author_team})
        shape["user_profile"] = {"real_name": author.real_name, "name": author.name, "team": author_team}
    return shape


def view_json(view: View, app: AppIdentity, team: Team) -> dict[str, Any]:
    definition = view.definition
    return {
        "id": view.id,
        "team_id": team.id,
        "type": view.type,
        "title": definition.get("title"),
        "submit": definition.get("submit"),
        "close": definition.get("close"),
        "blocks": definition.get("blocks", []),
        "private_metadata": definition.get("private_metadata", ""),
        "callback_id": definition.get("callback_id", ""),
        "external_id": view.external_id,
        "state": view.state,
        "hash": view.hash,
        "clear_on_close": bool(definition.get("clear_on_close", False)),
        "notify_on_close": bool(definition.get("notify_on_close", False)),
        "root_view_id": view.root_view_id,
        "previous_view_id": view.previous_view_id,
        "app_id": app.app_id,
        "app_installed_team_id": team.id,
        "bot_id": app.bot_id,
    }
