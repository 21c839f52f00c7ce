"""The Web API methods the emulator answers, by name, and the token check every call goes through.

Rules:
- `METHODS` maps each method name to its handler (one module per family: chat, conversations, users, views,
  files, auth). An unknown name is `unknown_method`.
- Tokens, as Slack checks them: none is `not_authed`; a bot token (`xoxb-`) or app-level token (`xapp-`) other
  than the app's is `invalid_auth`; the app's tokens used on the wrong method (the app-level token anywhere but
  apps.connections.open, the bot token there) are `not_allowed_token_type`; anything else is `invalid_auth`.
"""

from slack_emulator.errors import ApiError
from slack_emulator.methods import auth, chat, conversations, files, users, views
from slack_emulator.methods.common import Context, Method
from slack_emulator.model import AppIdentity

METHODS: dict[str, Method] = {
    **auth.METHODS,
    **chat.METHODS,
    **conversations.METHODS,
    **files.METHODS,
    **users.METHODS,
    **views.METHODS,
}

__all__ = ["METHODS", "Context", "Method", "check_token", "find_method"]


def find_method(name: str) -> Method:
    method = METHODS.get(name)
    if method is None:
        raise ApiError("unknown_method")
    return method


def check_token(token: str | None, app: AppIdentity, *, app_token: bool) -> None:
    if not token:
        raise ApiError("not_authed")
    if token not in (app.bot_token, app.app_token):
        raise ApiError("invalid_auth")
    if (token == app.app_token) != app_token:
        raise ApiError("not_allowed_token_type")
