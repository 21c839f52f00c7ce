"""Atlassian Document Format (ADF), the rich text of Jira Cloud's REST v3: plain text in, a document out, and back
(docs/integrations.md, "Jira").

Rules:
- `document(text)` is always a valid ADF document (version 1, type "doc"): text is split into paragraphs at blank
  lines, a single line break inside a paragraph is a `hardBreak` node, and http(s) URLs are text nodes carrying a
  `link` mark. A text node is never empty (ADF refuses one); a paragraph without text has no content. Control
  characters other than tab and line breaks, and lone surrogates, are dropped (JSON and Jira refuse them); `\\r\\n`
  and `\\r` are line breaks. Nothing in the text becomes structure beyond paragraphs, breaks and links, so what a
  person typed can never forge a heading or a panel of the bot's own.
- `text_of(node)` reads any ADF node back as plain text: text nodes as they are, `hardBreak` as a line break,
  block nodes one per line, mentions and emoji by their text; unknown nodes by their children. A string is
  returned as it is (Jira's v2 API and its webhooks carry comment bodies as strings).
"""

import re
import unicodedata
from typing import Any

URL = re.compile(r"https?://[^\s<>\"'`]+[^\s<>\"'`.,;:!?)\]}]")
_DROPPED = {"Cc", "Cs", "Co", "Cn"}
_INLINE = {"text", "hardBreak", "mention", "emoji", "date", "status", "inlineCard"}


def clean(text: str) -> str:
    """`text` with line breaks as `\\n` and without the characters ADF documents may not hold."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in _DROPPED)


def document(text: str) -> dict[str, Any]:
    """A valid ADF document showing `text` (see the module's rules)."""
    blocks = re.split(r"\n[ \t]*\n", clean(text).strip("\n"))
    return {"version": 1, "type": "doc", "content": [_paragraph(block) for block in blocks if block.strip()]}


def _paragraph(block: str) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    for index, line in enumerate(block.split("\n")):
        if index:
            content.append({"type": "hardBreak"})
        content.extend(_inline(line))
    return {"type": "paragraph", "content": content}


def _inline(line: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    at = 0
    for match in URL.finditer(line):
        if match.start() > at:
            nodes.append({"type": "text", "text": line[at : match.start()]})
        url = match.group(0)
        nodes.append({"type": "text", "text": url, "marks": [{"type": "link", "attrs": {"href": url}}]})
        at = match.end()
    if at < len(line):
        nodes.append({"type": "text", "text": line[at:]})
    return nodes


def text_of(node: Any) -> str:
    """Plain text of an ADF node (or of a string, returned as it is); see the module's rules."""
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return "".join(text_of(child) for child in node)
    if not isinstance(node, dict):
        return ""
    kind = node.get("type")
    if kind == "text":
        return str(node.get("text") or "")
    if kind == "hardBreak":
        return "\n"
    if kind in ("mention", "emoji", "date", "status"):
        attrs = node.get("attrs") or {}
        return str(attrs.get("text") or attrs.get("shortName") or "")
    if kind == "inlineCard":
        return str((node.get("attrs") or {}).get("url") or "")
    children = node.get("content") or []
    if kind != "doc" and any(isinstance(c, dict) and c.get("type") in _INLINE for c in children):
        return text_of(children)
    return "\n".join(part for part in (text_of(child) for child in children) if part)
