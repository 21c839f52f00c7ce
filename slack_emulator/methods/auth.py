"""auth.test and apps.connections.open, and which token each method takes.

Rules:
- auth.test answers the bot's identity in the workspace.
- apps.connections.open takes only the app-level token (`xapp-`) and answers a one-time Socket Mode URL on the
  emulator's WebSocket endpoint.
"""

from typing import Any

from slack_emulator.methods.common import Context, Method
from slack_emulator.request import ApiRequest


def auth_test(ctx: Context, req: ApiRequest) -> dict[str, Any]:
    ws = ctx.workspace
    return {
        "url": f"https://{ws.team.domain}.slack.com/",
        "team": ws.team.name,
        "user": ws.app.name,
        "team_id": ws.team.id,
        "user_id": ws.app.bot_user_id,
        "bot_id": ws.app.bot_id,
        "app_id": ws.app.app_id,
        "is_enterprise_install": False,
    }


def connections_open(ctx: Context, req: ApiRequest) -> dict[str, Any]:
    return {"url": ctx.issue_socket_url()}


METHODS = {
    "auth.test": Method(auth_test),
    "apps.connections.open": Method(connections_open, app_token=True),
}
