"""OAuth scopes: those the bot token holds, those each Web API method takes, and Slack's refusal without one.

Rules:
- The bot token holds `Workspace.scopes` (default `DEFAULT_SCOPES`: what Frontdesk's manifest asks for, plus
  reactions:write for the reactions.add the delivery worker can send); `Workspace.grant_scopes(...)` changes them,
  as reinstalling the app with another manifest would.
- Every answer to a bot-token call carries `x-oauth-scopes`, the scopes the token holds, comma-separated, as Slack
  sends it; a method that takes a scope also carries `x-accepted-oauth-scopes`, the scopes that would do.
- A method listed in `ACCEPTED` needs one of its scopes; without any it is `missing_scope` (HTTP 200) with
  `needed` (the first of them) and `provided` (the token's scopes). The token and the method are checked first.
- conversations.info, .members, .history and .replies (`BY_KIND`) need the scope of the kind of conversation
  they name: `channels:` for a public channel, `groups:` for a private one, `im:` and `mpim:` for DMs (`needed`
  names it); a conversation the workspace does not know takes any of them (the method then answers
  `channel_not_found`).
- Methods of the app-level token (apps.connections.open) and auth.test and views.* take no scope here.
"""

from collections.abc import Iterable

from slack_emulator.errors import ApiError

DEFAULT_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "files:read",
    "files:write",
    "groups:history",
    "groups:read",
    "im:history",
    "im:write",
    "mpim:history",
    "reactions:read",
    "reactions:write",
    "usergroups:read",
    "users:read",
    "users:read.email",
)
_READ = ("channels:read", "groups:read", "im:read", "mpim:read")
_HISTORY = ("channels:history", "groups:history", "im:history", "mpim:history")
ACCEPTED: dict[str, tuple[str, ...]] = {
    "chat.postMessage": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "reactions.add": ("reactions:write",),
    "conversations.open": ("im:write", "mpim:write", "channels:manage", "groups:write"),
    "conversations.info": _READ,
    "conversations.members": _READ,
    "conversations.replies": _HISTORY,
    "conversations.history": _HISTORY,
    "files.info": ("files:read",),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
    "users.info": ("users:read",),
    "usergroups.users.list": ("usergroups:read",),
}


BY_KIND = {
    "conversations.info": "read",
    "conversations.members": "read",
    "conversations.replies": "history",
    "conversations.history": "history",
}
_PREFIXES = {"channel": "channels", "group": "groups", "im": "im", "mpim": "mpim"}  # by Slack's channel_type


def scope_headers(granted: Iterable[str], method: str) -> dict[str, str]:
    """The headers Slack adds to an answer to a bot-token call of `method`."""
    headers = {"x-oauth-scopes": ",".join(granted)}
    accepted = ACCEPTED.get(method)
    if accepted:
        headers["x-accepted-oauth-scopes"] = ",".join(accepted)
    return headers


def check_scopes(granted: Iterable[str], method: str, kind: str | None = None) -> None:
    """`missing_scope` when the token holds none of the scopes `method` takes (for a conversation of `kind`,
    Slack's channel_type, the one scope of that kind)."""
    held = tuple(granted)
    accepted = ACCEPTED.get(method, ())
    if kind is not None and method in BY_KIND:
        accepted = (f"{_PREFIXES[kind]}:{BY_KIND[method]}",)
    if accepted and not set(accepted) & set(held):
        raise ApiError("missing_scope", extra={"needed": accepted[0], "provided": ",".join(held)})
