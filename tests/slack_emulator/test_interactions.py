"""Pressing buttons, choosing options and filling in modals as Slack shapes them."""

import pytest

from slack_emulator.interactions import action, find_element, state_values
from tests.slack_emulator.helpers import Json

PRIORITY: Json = {
    "type": "static_select",
    "action_id": "priority",
    "options": [
        {"text": {"type": "plain_text", "text": "High"}, "value": "high"},
        {"text": {"type": "plain_text", "text": "Low"}, "value": "low"},
    ],
    "initial_option": {"text": {"type": "plain_text", "text": "Low"}, "value": "low"},
}
BLOCKS: list[Json] = [
    {
        "type": "input",
        "block_id": "contact",
        "label": {"type": "plain_text", "text": "Email"},
        "element": {"type": "email_text_input", "action_id": "email", "initial_value": "alice@customer.example"},
    },
    {
        "type": "input",
        "block_id": "steps",
        "label": {"type": "plain_text", "text": "Steps"},
        "element": {"type": "plain_text_input", "action_id": "steps"},
    },
    {"type": "input", "block_id": "prio", "label": {"type": "plain_text", "text": "Priority"}, "element": PRIORITY},
    {
        "type": "input",
        "block_id": "when",
        "optional": True,
        "label": {"type": "plain_text", "text": "When"},
        "element": {"type": "datetimepicker", "action_id": "when"},
    },
    {
        "type": "actions",
        "block_id": "buttons",
        "elements": [
            {"type": "button", "action_id": "fill", "text": {"type": "plain_text", "text": "Fill"}, "value": "1"}
        ],
    },
]


def test_state_carries_answers_and_keeps_prefilled_values() -> None:
    values = state_values(BLOCKS, {"steps": "Open the app", "priority": "high"}, check_required=True)
    assert values == {
        "contact": {"email": {"type": "email_text_input", "value": "alice@customer.example"}},
        "steps": {"steps": {"type": "plain_text_input", "value": "Open the app"}},
        "prio": {"priority": {"type": "static_select", "selected_option": PRIORITY["options"][0]}},
        "when": {"when": {"type": "datetimepicker", "selected_date_time": None}},
    }


def test_a_required_empty_field_cannot_be_submitted() -> None:
    with pytest.raises(ValueError, match="'Steps' is empty"):
        state_values(BLOCKS, {}, check_required=True)


def test_unknown_answers_and_options_say_what_exists() -> None:
    with pytest.raises(LookupError, match="no input with action_id"):
        state_values(BLOCKS, {"nope": "x"})
    with pytest.raises(LookupError, match="there are: 'high', 'low'"):
        state_values(BLOCKS, {"priority": "urgent"})


def test_a_button_action_carries_its_value_and_a_select_its_option() -> None:
    block, button = find_element(BLOCKS, "fill")
    assert action(block, button, None, "1.2") == {
        "type": "button",
        "action_id": "fill",
        "block_id": "buttons",
        "action_ts": "1.2",
        "text": button["text"],
        "value": "1",
    }
    block, select = find_element(BLOCKS, "priority")
    assert action(block, select, "high", "1.3")["selected_option"]["value"] == "high"
    with pytest.raises(LookupError, match="there are: email, steps, priority, when, fill"):
        find_element(BLOCKS, "missing")
