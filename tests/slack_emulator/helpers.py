"""What the emulator's tests share: a clock moved by hand, Slack's refusals, small views and blocks, raw frames.

Rules:
- `ManualClock` starts at a fixed instant and moves only by `advance`.
- `refused(call, ...)` runs a slack_sdk call that must fail and returns Slack's answer (`{"ok": false, ...}`).
- `present(value)` is the value, asserted not None (for lookups that return an optional).
"""

import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from slack_sdk.errors import SlackApiError

T = TypeVar("T")
START = 1_795_000_000.0  # 2026-11-18, a fixed instant
Json = dict[str, Any]


@dataclass
class ManualClock:
    now: float = START

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def refused(call: Callable[..., object], *args: Any, **kwargs: Any) -> Json:
    with pytest.raises(SlackApiError) as raised:
        call(*args, **kwargs)
    answer: Json = raised.value.response.data
    return answer


def present(value: T | None) -> T:
    assert value is not None
    return value


def section(text: str) -> Json:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def modal(title: str = "Request", **extra: object) -> Json:
    """A modal with one required text input (block `what`, action `text`), callback_id `intake`."""
    blocks = [
        {
            "type": "input",
            "block_id": "what",
            "label": {"type": "plain_text", "text": "What happened?"},
            "element": {"type": "plain_text_input", "action_id": "text"},
        }
    ]
    return {
        "type": "modal",
        "callback_id": "intake",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Send"},
        "blocks": blocks,
        **extra,
    }


def client_frame(opcode: int, payload: bytes, *, fin: bool = True) -> bytes:
    """A masked WebSocket frame as a client sends it."""
    mask = os.urandom(4)
    length = len(payload)
    head = bytes([(0x80 if fin else 0) | opcode])
    if length < 126:
        head += bytes([0x80 | length])
    elif length < 1 << 16:
        head += struct.pack("!BH", 0x80 | 126, length)
    else:
        head += struct.pack("!BQ", 0x80 | 127, length)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
