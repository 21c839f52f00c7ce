"""views.open, views.update and views.publish.

Rules:
- views.open needs a `trigger_id` the companion issued to a user less than 3 seconds ago and not used before
  (`invalid_trigger_id`, `expired_trigger_id`, `exchanged_trigger_id`); the modal opens for that user.
- A view must be an object of type `modal` (views.open, views.update) or `home` (views.publish) with at most 100
  blocks that pass Block Kit's checks, and fields that do (`blockkit`: title, submit and close at most 24
  characters, `private_metadata` 3,000, `callback_id` 255, ...); a modal needs a title and a `submit` button when
  it has input blocks. Breaking a rule is `invalid_arguments` with every problem, as Slack words it, in
  `response_metadata.messages`.
- views.update finds the view by `view_id` or `external_id` (`not_found`) and refuses a stale `hash`
  (`hash_conflict`). views.publish sets a user's App Home (`user_not_found` for an unknown user).
"""

from typing import Any

from slack_emulator.blockkit import MAX_VIEW_BLOCKS, block_problems, view_problems
from slack_emulator.errors import ApiError, missing_argument
from slack_emulator.methods.common import Context, Method, known_user
from slack_emulator.model import Json, View
from slack_emulator.request import ApiRequest
from slack_emulator.shapes import view_json


def open_view(ctx: Context, req: ApiRequest) -> dict[str, Any]:
    trigger = req.text("trigger_id") or req.text("interactivity_pointer")
    if trigger is None:
        raise missing_argument("trigger_id")
    definition = _view(req, "modal")
    user = ctx.workspace.triggers.exchange(trigger)
    return _answer(ctx, ctx.workspace.open_view(user, definition))


def update_view(ctx: Context, req: ApiRequest) -> dict[str, Any]:
    view_id, external_id = req.text("view_id"), req.text("external_id")
    if view_id is None and external_id is None:
        raise missing_argument("view_id")
    definition = _view(req, "modal")
    view = ctx.workspace.update_view(definition, view_id=view_id, external_id=external_id, hash=req.text("hash"))
    return _answer(ctx, view)


def publish(ctx: Context, req: ApiRequest) -> dict[str, Any]:
    user = known_user(ctx, req.text("user_id"))
    definition = _view(req, "home")
    return _answer(ctx, ctx.workspace.publish_home(user, definition, hash=req.text("hash")))


def _answer(ctx: Context, view: View) -> dict[str, Any]:
    return {"view": view_json(view, ctx.workspace.app, ctx.workspace.team)}


def _invalid(*problems: str) -> ApiError:
    return ApiError("invalid_arguments", messages=tuple(f"[ERROR] {problem}" for problem in problems))


def _view(req: ApiRequest, kind: str) -> Json:
    view = req.json_arg("view", "invalid_arguments")
    if view is None:
        raise missing_argument("view")
    if not isinstance(view, dict) or view.get("type") != kind:
        raise _invalid(f"must be a view of type {kind} [json-pointer:/view/type]")
    blocks = view.get("blocks", [])
    if not isinstance(blocks, list):
        raise _invalid("must be an array [json-pointer:/view/blocks]")
    title = view.get("title")
    if kind == "modal" and (not isinstance(title, dict) or not str(title.get("text", ""))):
        raise _invalid("missing required field: title [json-pointer:/view/title]")
    problems = view_problems(view) + block_problems(blocks, most=MAX_VIEW_BLOCKS, pointer="/view/blocks")
    if problems:
        raise _invalid(*problems)
    if kind == "modal":
        has_inputs = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
        if has_inputs and not view.get("submit"):
            raise _invalid("submit is required when a view has input blocks [json-pointer:/view/submit]")
    return view


METHODS = {
    "views.open": Method(open_view),
    "views.update": Method(update_view),
    "views.publish": Method(publish),
}
