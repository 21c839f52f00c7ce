"""A webhook receiver on loopback that verifies every delivery exactly as docs/integrations.md tells receivers to:
its `verify` is the Python recipe of "Verifying a delivery", read from the page and run as written, so a test fails
when the recipe and the sender disagree.

Rules: a delivery whose signature or timestamp `verify` refuses is answered 401 and not kept; an id seen before is
answered 200 and not kept again (the page's dedupe advice); every other one is kept in `events`, in arrival order.
The receiver's clock is the test's (the instant the sender signs with), never the wall clock.
"""

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.standins.server import Answer, Received, StandIn

PAGE = Path(__file__).parents[4] / "docs" / "integrations.md"
PATH = "/hooks/frontdesk"


def documented_verify() -> Callable[..., bool]:
    """The `verify` function of docs/integrations.md, "Verifying a delivery"."""
    text = PAGE.read_text(encoding="utf-8")
    section = text[text.index("### Verifying a delivery") :]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None, "docs/integrations.md, 'Verifying a delivery', has no Python recipe"
    scope: dict[str, Any] = {}
    exec(compile(code.group(1), str(PAGE), "exec"), scope)
    return scope["verify"]


def documented_example() -> dict[str, Any]:
    """The payload example of docs/integrations.md, "Payload"."""
    text = PAGE.read_text(encoding="utf-8")
    section = text[text.index("### Payload") :]
    block = re.search(r"```json\n(.*?)```", section, re.S)
    assert block is not None
    return json.loads(block.group(1))


class Receiver:
    def __init__(self, secret: bytes, clock: Callable[[], datetime]) -> None:
        self.secret, self.clock = secret, clock
        self.verify = documented_verify()
        self.events: list[dict[str, Any]] = []
        self.refused: list[Received] = []
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def receive(self, received: Received) -> Answer:
        if not self.verify(self.secret, dict(received.headers), received.body, now=self.clock().timestamp()):
            self.refused.append(received)
            return Answer(401, {"error": "bad signature"})
        event = json.loads(received.body)
        with self._lock:
            if event["id"] in self._seen:
                return Answer(200, {"duplicate": True})
            self._seen.add(event["id"])
            self.events.append(event)
        return Answer(200, {"ok": True})

    def types(self) -> list[str]:
        return [event["type"] for event in self.events]


@contextmanager
def receiving(secret: bytes, clock: Callable[[], datetime]) -> Iterator[tuple[Receiver, StandIn]]:
    receiver = Receiver(secret, clock)
    with StandIn({("POST", PATH): receiver.receive}) as server:
        yield receiver, server
    assert server.internal_errors == []
