"""views.open, views.update and views.publish.

Rules:
- views.open needs a `trigger_id` the companion issued to a user less than 3 seconds ago and not used before
  (`invalid_trigger_id`, `expired_trigger_id`, `exchanged_trigger_id`); the modal opens for that user.
- A view must be an object of type `modal` (views.open, views.update) or `home` (views.publish) with at most 100
  blocks; a modal needs a plain-text title of at most 24 characters and a `submit` button when it has input blocks;
  `private_metadata` holds at most 3,000 characters. Breaking a rule is `invalid_arguments` with Slack's
  explanation in `response_metadata.messages`.
- views.update finds the view by `view_id` or `external_id` (`not_found`) and refuses a stale `hash`
  (`hash_conflict`). views.publish sets a user's App Home (`user_not_found` for an unknown user).
"""

from typing import Any

from bot.slack_emulator.errors import ApiError, missing_argument
from bot.slack_emulator.methods.common import Context, Method, check_blocks, known_user
from bot.slack_emulator.model import Json, View
from bot.slack_emulator.request import ApiRequest
from bot.slack_emulator.shapes import view_json

MAX_VIEW_BLOCKS = 100
MAX_TITLE = 24
MAX_PRIVATE_METADATA = 3_000


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


def _invalid(message: str) -> ApiError:
    return ApiError("invalid_arguments", messages=(f"[ERROR] {message}",))


def _view(req: ApiRequest, kind: str) -> Json:
    view = req.json_arg("view", "invalid_arguments")
    if view is None:
        raise missing_argument("view")
    if not isinstance(view, dict) or view.get("type") != kind:
        raise _invalid(f"must be a view of type {kind} [json-pointer:/view/type]")
    check_blocks(view.get("blocks", []), limit=MAX_VIEW_BLOCKS, error="invalid_arguments", pointer="/view/blocks")
    if len(str(view.get("private_metadata", ""))) > MAX_PRIVATE_METADATA:
        raise _invalid(f"must be less than {MAX_PRIVATE_METADATA + 1} characters [json-pointer:/view/private_metadata]")
    if kind == "modal":
        title = view.get("title")
        if not isinstance(title, dict) or not str(title.get("text", "")):
            raise _invalid("missing required field: title [json-pointer:/view/title]")
        if len(str(title["text"])) > MAX_TITLE:
            raise _invalid(f"must be less than {MAX_TITLE + 1} characters [json-pointer:/view/title/text]")
        has_inputs = any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks", []))
        if has_inputs and not view.get("submit"):
            raise _invalid("submit is required when a view has input blocks [json-pointer:/view/submit]")
    return view


METHODS = {
    "views.open": Method(open_view),
    "views.update": Method(update_view),
    "views.publish": Method(publish),
}
