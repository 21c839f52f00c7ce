"""Who a message would notify in Slack: the check behind "user text can never ping anyone".

Rules:
- In mrkdwn, `<!here>`, `<!channel>`, `<!everyone>` (with or without `|label`), `<!subteam^ID>` and `<@U...>` /
  `<@W...>` notify people. Escaped text (`&lt;!channel&gt;`) does not.
- Where Slack reads mrkdwn: the message `text` (also the notification fallback when there are blocks), every
  `mrkdwn` text object in the blocks, attachment `text`, `pretext` and field values. `plain_text` objects never
  notify. Rich text notifies through its `user`, `usergroup` and `broadcast` elements.
- With `link_names` or `parse=full`, Slack also links bare `@channel`, `@here`, `@everyone` and `@name`.
- `pings(message)` lists what would notify, in order of appearance, as written (`<!channel>`, `<@U123>`,
  `@here`, ...); an empty tuple means nobody is notified.
"""

import re
from collections.abc import Iterator
from typing import Any

from slack_emulator.model import Ephemeral, Json, Message

MRKDWN_PING = re.compile(
    r"<!(?:here|channel|everyone)(?:\|[^>]*)?>|<!subteam\^[A-Z0-9]+(?:\|[^>]*)?>|<@[UW][A-Z0-9]+(?:\|[^>]*)?>"
)
LINKED_NAME = re.compile(r"(?<![\w<&])@[\w.-]+")
RICH_PINGS = {"user": "user_id", "usergroup": "usergroup_id", "broadcast": "range"}


def pings(message: Message | Ephemeral) -> tuple[str, ...]:
    linked = isinstance(message, Message) and (message.link_names or message.parse == "full")
    found: list[str] = []
    for text in _mrkdwn_texts(message):
        found.extend(MRKDWN_PING.findall(text))
        if linked:
            found.extend(LINKED_NAME.findall(text))
    found.extend(_rich_text_pings(message.blocks))
    return tuple(found)


def _mrkdwn_texts(message: Message | Ephemeral) -> Iterator[str]:
    yield message.text
    yield from _block_texts(message.blocks)
    for attachment in message.attachments or []:
        if isinstance(attachment, dict):
            yield from (str(attachment.get(key) or "") for key in ("text", "pretext"))
            yield from (str(f.get("value") or "") for f in attachment.get("fields", []) if isinstance(f, dict))
            yield from _block_texts(attachment.get("blocks"))


def _block_texts(node: Json) -> Iterator[str]:
    if isinstance(node, list):
        for item in node:
            yield from _block_texts(item)
    elif isinstance(node, dict):
        if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
            yield node["text"]
        for value in node.values():
            if isinstance(value, dict | list):
                yield from _block_texts(value)


def _rich_text_pings(node: Any) -> Iterator[str]:
    if isinstance(node, list):
        for item in node:
            yield from _rich_text_pings(item)
    elif isinstance(node, dict):
        key = RICH_PINGS.get(str(node.get("type")))
        if key is not None and isinstance(node.get(key), str) and "elements" not in node:
            yield _as_mrkdwn(str(node["type"]), node[key])
        for value in node.values():
            if isinstance(value, dict | list):
                yield from _rich_text_pings(value)


def _as_mrkdwn(kind: str, value: str) -> str:
    if kind == "user":
        return f"<@{value}>"
    if kind == "usergroup":
        return f"<!subteam^{value}>"
    return f"<!{value}>"
