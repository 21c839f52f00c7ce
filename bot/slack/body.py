"""Slack request bodies as they cross the door: parsed from the raw bytes, then checked for shape.

Rules (docs/security.md, "The HTTP door"):
- An HTTP body is one of what Slack sends: JSON (`application/json`: events, url_verification), a form
  (`application/x-www-form-urlencoded`: slash commands), or a form whose `payload` field is JSON (interactions).
  Any other content type, text that is not UTF-8, or JSON that is not an object is malformed.
- Every value is something the inbox can store as JSON on SQLite and PostgreSQL: no NaN or infinity, integers
  within 64 bits, no NUL character and no lone surrogate in any string or key, nesting at most `MAX_DEPTH` deep.
- Every field that Bolt's context extraction or Frontdesk reads has the type Slack gives it: ids and texts are
  strings (or null), `event`, `view`, `container`, `item`, `message`, `state` are objects, `authorizations`,
  `actions`, `files`, `response_urls` lists of objects, `user`, `team`, `channel` a string or an object. Fields
  nobody reads are not looked at. Socket Mode payloads (already JSON) get the same `check`.
- What Bolt reads by key or by index, without looking first, while it builds the arguments of every middleware
  (`to_action` and `to_step` in slack_bolt.request.payload_utils), is there, as Slack always sends it: `actions`
  is never empty (Bolt takes `actions[0]` of a block_actions); an `interactive_message` with a `callback_id` has
  `actions`; a `workflow_step_edit` with a `callback_id` has `workflow_step`; a `view_submission` whose view has a
  `callback_id` has `view.type`, and `workflow_step` too when that type is "workflow_step". Lists that Bolt only
  indexes after checking their length (`authorizations`, `response_urls`) may be empty.
- `Malformed.kind` says what was wrong in a few words from a fixed set (the field's path, never its value), so
  the door can log one line per kind.
"""

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

MAX_DEPTH = 64
MAX_FORM_FIELDS = 256
_INT_RANGE = range(-(2**63), 2**63)
Shape = Any  # a type (any value of it), a tuple of alternatives, an Obj, a ListOf or a MapOf


class Malformed(ValueError):
    """A body that is not one Slack sends; `kind` names what was wrong."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class Obj:
    """A JSON object whose listed fields have their shapes; other fields are free."""

    fields: Mapping[str, Shape]


@dataclass(frozen=True)
class ListOf:
    """A JSON array of at least `least` items, each of shape `item`."""

    item: Shape
    least: int = 0


@dataclass(frozen=True)
class MapOf:
    """An object whose every value has the same shape (block ids to their state)."""

    value: Shape


NONE = type(None)
STR = (str, NONE)
FLAG = (bool, NONE)


def _strings(*names: str) -> dict[str, Shape]:
    return dict.fromkeys(names, STR)


TEXT = Obj(_strings("type", "text"))
OPTION = Obj({"value": STR, "text": TEXT})
FILE = Obj({**_strings("id", "name", "title", "mimetype", "url_private", "url_private_download"), "size": (int, NONE)})
ELEMENT_STATE = Obj(
    {
        **_strings("type", "value", "selected_date", "selected_time", "selected_user", "selected_channel",
                   "selected_conversation"),
        "selected_date_time": (int, NONE),
        "selected_option": (OPTION, NONE),
        "selected_options": (ListOf(OPTION), NONE),
        "files": (ListOf(FILE), NONE),
    }
)  # fmt: skip
VIEW = Obj(
    {
        **_strings("id", "hash", "type", "callback_id", "private_metadata", "team_id", "app_id", "bot_id",
                   "app_installed_team_id", "root_view_id", "previous_view_id"),
        "state": Obj({"values": MapOf(MapOf(ELEMENT_STATE))}),
    }
)  # fmt: skip
# What Bolt reads at the top of a body and again inside its event, message, item and authorizations.
COMMON: dict[str, Shape] = {
    **_strings("type", "subtype", "ts", "thread_ts", "event_ts", "text", "team_id", "enterprise_id", "user_id",
               "channel_id", "bot_id", "function_execution_id", "bot_access_token", "context_team_id",
               "context_enterprise_id"),
    "user": (str, NONE, Obj(_strings("id", "team_id", "name", "username"))),
    "team": (str, NONE, Obj(_strings("id", "domain", "enterprise_id"))),
    "enterprise": (str, NONE, Obj(_strings("id", "name"))),
    "channel": (str, NONE, Obj(_strings("id", "name"))),
    "is_enterprise_install": (bool, str, NONE),
    "inputs": (dict, NONE),
    "files": ListOf(FILE),
    "file": FILE,
    "assistant_thread": Obj(_strings("channel_id", "thread_ts")),
}  # fmt: skip
MESSAGE = Obj(COMMON)
ITEM = Obj({**COMMON, "message": MESSAGE})
EVENT = Obj(
    {
        **COMMON,
        **_strings("reaction", "item_user", "tab", "channel_type", "user_team", "source_team", "parent_user_id",
                   "client_msg_id", "file_id"),
        "item": ITEM,
        "view": VIEW,
        "message": MESSAGE,
        "previous_message": MESSAGE,
        "hidden": FLAG,
    }
)  # fmt: skip
ACTION = Obj(
    {
        **_strings("type", "action_id", "block_id", "value", "action_ts", "selected_user", "selected_date",
                   "selected_channel", "selected_conversation"),
        "text": TEXT,
        "selected_option": (OPTION, NONE),
        "selected_options": ListOf(OPTION),
    }
)  # fmt: skip
BODY = Obj(
    {
        **COMMON,
        **_strings("token", "api_app_id", "event_id", "event_context", "challenge", "trigger_id", "response_url",
                   "callback_id", "command", "action_ts", "message_ts", "action_id", "block_id", "value"),
        "event_time": (int, NONE),
        "is_ext_shared_channel": FLAG,
        "authorizations": ListOf(Obj(COMMON)),
        "event": EVENT,
        "view": VIEW,
        "message": MESSAGE,
        "previous_message": MESSAGE,
        "item": ITEM,
        "container": Obj({**_strings("type", "message_ts", "channel_id", "thread_ts", "view_id"),
                          "is_ephemeral": FLAG}),
        "actions": ListOf(ACTION, least=1),
        "response_urls": ListOf(Obj(_strings("response_url", "block_id", "action_id", "channel_id"))),
        "function_data": Obj({"execution_id": STR, "inputs": (dict, NONE)}),
        "workflow_step": dict,
    }
)  # fmt: skip


def parse_http(raw: bytes, content_type: str) -> dict[str, Any]:
    """The body of an HTTP request from Slack, checked (`check`); `Malformed` when it is not one Slack sends."""
    media = content_type.partition(";")[0].strip().lower()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("not UTF-8") from None
    if media == "application/json":
        body = _json(text)
    elif media == "application/x-www-form-urlencoded":
        body = _form(text)
    else:
        raise Malformed("content type")
    check(body)
    return body


def check(body: Any) -> None:
    """Raise `Malformed` unless `body` is a JSON object of Slack's shape (the rules above)."""
    if not isinstance(body, dict):
        raise Malformed("not an object")
    _storable(body, 0)
    _shaped(body, BODY, "body")
    _read_by_bolt(body)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise Malformed("nested too deep") from None
    except ValueError:  # not JSON, or an integer of more digits than Python converts
        raise Malformed("not JSON") from None


def _form(text: str) -> Any:
    try:
        fields = parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=MAX_FORM_FIELDS)
    except ValueError:  # a percent-escape that is not UTF-8, or too many fields
        raise Malformed("form") from None
    form = dict(fields)
    return _json(form["payload"]) if "payload" in form else form


def _storable(value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise Malformed("nested too deep")
    if isinstance(value, str):
        _text(value)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if value not in _INT_RANGE:
            raise Malformed("number out of range")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise Malformed("number out of range")
    elif isinstance(value, dict):
        for key, item in value.items():
            _text(key)
            _storable(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _storable(item, depth + 1)
    else:
        raise Malformed("not JSON")


def _text(text: Any) -> None:
    if not isinstance(text, str):
        raise Malformed("not JSON")
    if "\x00" in text:
        raise Malformed("NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Malformed("lone surrogate") from None


def _shaped(value: Any, shape: Shape, path: str) -> None:
    """Raise `Malformed(path)` unless `value` has `shape`."""
    for alternative in shape if isinstance(shape, tuple) else (shape,):
        if isinstance(alternative, Obj) and isinstance(value, dict):
            for name, inner in alternative.fields.items():
                if name in value:
                    _shaped(value[name], inner, f"{path}.{name}")
            return
        if isinstance(alternative, ListOf) and isinstance(value, list):
            if len(value) < alternative.least:
                raise Malformed(f"{path} is empty")
            for item in value:
                _shaped(item, alternative.item, f"{path}[]")
            return
        if isinstance(alternative, MapOf) and isinstance(value, dict):
            for item in value.values():
                _shaped(item, alternative.value, f"{path}.*")
            return
        if isinstance(alternative, type) and type(value) is alternative:
            return
    raise Malformed(f"{path} has the wrong type")


def _read_by_bolt(body: dict[str, Any]) -> None:
    """Raise `Malformed` when a field Bolt reads without looking is missing (the rules above); `body` is shaped."""
    kind, view = body.get("type"), body.get("view")
    if kind == "interactive_message" and "callback_id" in body:
        _present(body, "actions", "body")
    if kind == "workflow_step_edit" and "callback_id" in body:
        _present(body, "workflow_step", "body")
    if kind == "view_submission" and isinstance(view, dict) and "callback_id" in view:
        _present(view, "type", "body.view")
        if view["type"] == "workflow_step":
            _present(body, "workflow_step", "body")


def _present(value: dict[str, Any], name: str, path: str) -> None:
    if name not in value:
        raise Malformed(f"{path}.{name} is missing")
