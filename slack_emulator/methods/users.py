"""users.info and usergroups.users.list.

Rules:
- users.info answers the user with their profile (email, phone), time zone and its current offset; an unknown or
  missing `user` is `user_not_found`, and so is an external user (Slack Connect) Slack does not show
  (`User.info_refused`).
- usergroups.users.list answers the group's member ids; an unknown or missing `usergroup` is `no_such_subteam`; a
  disabled group answers only with `include_disabled`.
"""

from typing import Any

from slack_emulator.errors import ApiError
from slack_emulator.methods.common import Context, Method, known_user
from slack_emulator.request import ApiRequest
from slack_emulator.shapes import user_json


def info(ctx: Context, req: ApiRequest) -> dict[str, Any]:
    user = known_user(ctx, req.text("user"))
    if user.info_refused:
        raise ApiError("user_not_found")  # Slack may not show another organisation's user
    ws = ctx.workspace
    return {"user": user_json(user, ws.team, ws.now())}


def group_users(ctx: Context, req: ApiRequest) -> dict[str, Any]:
    group_id = req.text("usergroup")
    group = ctx.workspace.get_usergroup(group_id) if group_id else None
    if group is None or (group.is_disabled and not req.flag("include_disabled")):
        raise ApiError("no_such_subteam")
    return {"users": list(group.users)}


METHODS = {
    "users.info": Method(info),
    "usergroups.users.list": Method(group_users),
}
