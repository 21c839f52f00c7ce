"""The bodies Slack sends to an app: event envelopes and events, slash command forms, interaction payloads.

Rules:
- Shapes follow Slack's documented examples: an `event_callback` envelope carries `token`, `team_id`,
  `api_app_id`, `event`, `event_id`, `event_time`, `authorizations` (the bot), `is_ext_shared_channel`,
  `event_context`; a user message event carries `client_msg_id`, `channel_type`, `event_ts`, and for replies
  `thread_ts` and `parent_user_id`; a message with files has subtype `file_share` and the file objects.
- A slash command is a flat form of strings (`command`, `text`, `trigger_id`, `response_url`, ...). Interactions
  (`block_actions`, `view_submission`, `shortcut`, `message_action`) carry `user` and `team` objects.
- Pure functions of their arguments.
"""

from collections.abc import Mapping
from typing import Any

from slack_emulator.model import AppIdentity, Channel, ChannelKind, Message, Team, User


def envelope(
    event: Mapping[str, Any],
    *,
    app: AppIdentity,
    team: Team,
    event_id: str,
    event_time: int,
    ext_shared: bool = False,
) -> dict[str, Any]:
    return {
        "token": app.verification_token,
        "team_id": team.id,
        "context_team_id": team.id,
        "context_enterprise_id": None,
        "api_app_id": app.app_id,
        "event": dict(event),
        "type": "event_callback",
        "event_id": event_id,
        "event_time": event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team.id,
                "user_id": app.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": ext_shared,
        "event_context": f"4-{event_id}",
    }


def url_verification(app: AppIdentity, challenge: str) -> dict[str, Any]:
    return {"token": app.verification_token, "challenge": challenge, "type": "url_verification"}


def message_event(
    message: Message,
    channel: Channel,
    team: Team,
    files: list[dict[str, Any]],
    parent_user: str | None,
    *,
    mention: bool = False,
    author: User | None = None,
) -> dict[str, Any]:
    """The `message` event of a person's message, or with `mention` its `app_mention` twin. In a Slack Connect
    channel it carries the author's team (`user_team`, `source_team`) and `user_profile`, as Slack's do."""
    event: dict[str, Any] = {
        "type": "app_mention" if mention else "message",
        "user": message.user,
        "text": message.text,
        "ts": message.ts,
        "client_msg_id": message.client_msg_id,
        "team": team.id,
        "channel": channel.id,
        "event_ts": message.ts,
    }
    if not mention:
        event["channel_type"] = channel.kind.value
    if channel.ext_shared and author is not None:
        author_team = author.team or team.id
        event.update({"user_team": author_team, "source_team": author_team})
        event["user_profile"] = {
            "real_name": author.real_name,
            "display_name": author.display_name,
            "name": author.name,
            "team": author_team,
        }
    if message.is_reply:
        event["thread_ts"] = message.thread_ts
        if parent_user is not None:
            event["parent_user_id"] = parent_user
    if files:
        event.update({"subtype": "file_share", "files": files, "upload": False, "display_as_bot": False})
    return event


def reaction_event(user: str, reaction: str, message: Message, event_ts: str) -> dict[str, Any]:
    return {
        "type": "reaction_added",
        "user": user,
        "reaction": reaction,
        "item": {"type": "message", "channel": message.channel, "ts": message.ts},
        "item_user": message.user,
        "event_ts": event_ts,
    }


def home_opened_event(user: str, im: Channel, view: Mapping[str, Any] | None, event_ts: str) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user,
        "channel": im.id,
        "tab": "home",
        "event_ts": event_ts,
    }
    if view is not None:
        event["view"] = dict(view)
    return event


def file_shared_event(user: str, file_id: str, channel: str, event_ts: str) -> dict[str, Any]:
    return {
        "type": "file_shared",
        "channel_id": channel,
        "file_id": file_id,
        "user_id": user,
        "file": {"id": file_id},
        "event_ts": event_ts,
    }


def member_joined_event(user: str, channel: Channel, team: str, inviter: str | None, event_ts: str) -> dict[str, Any]:
    """Slack's member_joined_channel: `channel_type` is "C" for a public channel, "G" for a private one."""
    event = {"type": "member_joined_channel", "user": user, "channel": channel.id, "team": team, "event_ts": event_ts}
    event["channel_type"] = "G" if channel.is_private else "C"
    return {**event, "inviter": inviter} if inviter else event


def channel_name(channel: Channel) -> str:
    return {ChannelKind.IM: "directmessage", ChannelKind.MPIM: "mpdm"}.get(channel.kind, channel.name)


def slash_command(
    app: AppIdentity,
    team: Team,
    *,
    command: str,
    text: str,
    user: User,
    channel: Channel,
    trigger_id: str,
    response_url: str,
) -> dict[str, str]:
    return {
        "token": app.verification_token,
        "team_id": team.id,
        "team_domain": team.domain,
        "channel_id": channel.id,
        "channel_name": channel_name(channel),
        "user_id": user.id,
        "user_name": user.name,
        "command": command,
        "text": text,
        "api_app_id": app.app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def user_object(user: User, team: Team) -> dict[str, Any]:
    return {"id": user.id, "username": user.name, "name": user.name, "team_id": user.team or team.id}


def interaction(kind: str, app: AppIdentity, team: Team, user: User, **fields: Any) -> dict[str, Any]:
    """The common part of every interaction payload, then `fields`."""
    return {
        "type": kind,
        "user": user_object(user, team),
        "api_app_id": app.app_id,
        "token": app.verification_token,
        "team": {"id": team.id, "domain": team.domain},
        "enterprise": None,
        "is_enterprise_install": False,
        **fields,
    }
