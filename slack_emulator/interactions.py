"""What a person does with blocks: pressing a button or choosing an option, and filling in a modal.

Rules:
- Elements are found by `action_id` anywhere a block holds them: `accessory`, `elements` (actions, context) and
  `element` (input). An unknown action_id is a `LookupError` that lists the ones there are.
- An action is shaped as Slack shapes it for the element type: a button carries its `value` and `text`; a select
  or radio its `selected_option` (found by value among `options` or `option_groups`); checkboxes and multi-selects
  `selected_options`; pickers `selected_date`, `selected_time`, `selected_date_time`, `selected_user`, ... .
- State (`state.values[block_id][action_id]`) holds every stateful element of the blocks: the answer given for its
  action_id, else its initial value (so a prefilled field submitted untouched carries its prefill), else empty.
  Answers are plain values (a string, a list of strings, an int for `datetimepicker`) or a whole element state
  (a dict), used as given.
- A required input (not `optional`) left empty cannot be submitted: Slack's client refuses, so this raises
  `ValueError` naming the field.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from slack_emulator.model import Json

TEXT_INPUTS = {"plain_text_input", "email_text_input", "url_text_input", "number_input"}
SINGLE_OPTION = {"static_select", "external_select", "radio_buttons", "overflow"}
MULTI_OPTION = {"multi_static_select", "multi_external_select", "checkboxes"}
# element type -> (state key, initial key) for elements whose state is one plain value
PLAIN_STATE = {
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "datetimepicker": ("selected_date_time", "initial_date_time"),
    "users_select": ("selected_user", "initial_user"),
    "multi_users_select": ("selected_users", "initial_users"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations"),
    "channels_select": ("selected_channel", "initial_channel"),
    "multi_channels_select": ("selected_channels", "initial_channels"),
    "file_input": ("files", ""),
}
STATEFUL = TEXT_INPUTS | SINGLE_OPTION | MULTI_OPTION | set(PLAIN_STATE) | {"rich_text_input"}
NOT_ANSWERED = object()


def elements(blocks: Json) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Every (block, element) pair that has an action_id, in order."""
    for block in blocks or []:
        candidates = [block.get("accessory"), block.get("element"), *block.get("elements", [])]
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id"):
                yield block, element


def find_element(blocks: Json, action_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    for block, element in elements(blocks):
        if element["action_id"] == action_id:
            return block, element
    known = ", ".join(e["action_id"] for _, e in elements(blocks)) or "none"
    raise LookupError(f"no element with action_id {action_id!r}; there are: {known}")


def action(block: Mapping[str, Any], element: Mapping[str, Any], value: Any, action_ts: str) -> dict[str, Any]:
    """The `actions[0]` of a block_actions payload for acting on `element` (with `value` for choices)."""
    shape: dict[str, Any] = {
        "type": element["type"],
        "action_id": element["action_id"],
        "block_id": block.get("block_id", ""),
        "action_ts": action_ts,
    }
    if element["type"] == "button":
        shape.update({"text": element.get("text"), "value": element.get("value") if value is None else value})
        if "style" in element:
            shape["style"] = element["style"]
        return shape
    state = element_state(element, NOT_ANSWERED if value is None else value)
    state.pop("type", None)
    shape.update(state)
    return shape


def state_values(blocks: Json, answers: Mapping[str, Any], *, check_required: bool = False) -> dict[str, Any]:
    """`state.values` for `blocks` with `answers` by action_id."""
    values: dict[str, Any] = {}
    unused = set(answers)
    for block, element in elements(blocks):
        if element.get("type") not in STATEFUL:
            continue
        action_id = element["action_id"]
        unused.discard(action_id)
        state = element_state(element, answers.get(action_id, NOT_ANSWERED))
        if check_required and block.get("type") == "input" and not block.get("optional") and _is_empty(state):
            label = (block.get("label") or {}).get("text", action_id)
            raise ValueError(f"Slack would not submit the form: the required field {label!r} is empty")
        values.setdefault(block.get("block_id", ""), {})[action_id] = state
    if unused:
        raise LookupError(f"no input with action_id {sorted(unused)!r} in the view")
    return values


def element_state(element: Mapping[str, Any], answer: Any) -> dict[str, Any]:
    kind = str(element["type"])
    if isinstance(answer, dict):
        return {"type": kind, **answer}
    given = answer is not NOT_ANSWERED
    if kind in TEXT_INPUTS:
        return {"type": kind, "value": answer if given else element.get("initial_value")}
    if kind == "rich_text_input":
        text = answer if given else None
        rich = _rich_text(text) if text is not None else element.get("initial_value")
        return {"type": kind, "rich_text_value": rich}
    if kind in SINGLE_OPTION:
        option = _option(element, answer) if given else element.get("initial_option")
        return {"type": kind, "selected_option": option}
    if kind in MULTI_OPTION:
        chosen = [_option(element, v) for v in answer] if given else element.get("initial_options", [])
        return {"type": kind, "selected_options": chosen}
    key, initial = PLAIN_STATE[kind]
    return {"type": kind, key: answer if given else element.get(initial)}


def _option(element: Mapping[str, Any], value: Any) -> dict[str, Any]:
    options = list(element.get("options", []))
    for group in element.get("option_groups", []):
        options.extend(group.get("options", []))
    for option in options:
        if option.get("value") == value:
            return dict(option)
    if element.get("type") in ("external_select", "multi_external_select"):
        return {"text": {"type": "plain_text", "text": str(value)}, "value": value}
    known = ", ".join(repr(o.get("value")) for o in options) or "none"
    raise LookupError(f"no option {value!r} in {element.get('action_id')!r}; there are: {known}")


def _rich_text(text: str) -> dict[str, Any]:
    section = {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
    return {"type": "rich_text", "elements": [section]}


def _is_empty(state: Mapping[str, Any]) -> bool:
    return all(v in (None, "", []) for k, v in state.items() if k != "type")
