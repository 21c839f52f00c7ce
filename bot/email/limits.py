"""How large and how deep a received message may be before it is read no further (docs/security.md).

Rules:
- The header block (everything before the first blank line; the whole message when it has none) is at most
  MAX_HEADER_BYTES (256 KiB); a longer one is never parsed.
- Parts nest at most MAX_DEPTH (20) levels (each multipart or attached message inside another is one level), and
  a message holds at most MAX_PARTS (500) parts in all. `parse` stops at the first part beyond either limit (the
  parser attaches each part to its container as it reads it), so a message beyond them costs no more than
  reading up to that part, and the standard library's recursion is never deep.
- `read_headers` reads the header block alone (email.parser.BytesHeaderParser: no body is parsed) and never
  raises: what cannot be read is a reason, one line.
"""

import re
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from email.policy import compat32, default

MAX_HEADER_BYTES = 256 * 1024
MAX_DEPTH = 20
MAX_PARTS = 500
_HEADER_END = re.compile(rb"\r?\n\r?\n")


class OverLimit(Exception):
    """A message beyond the limits; the text says which, in one line."""


class _Parts:
    """How many parts one message has shown so far."""

    def __init__(self) -> None:
        self.count = 0


class _Limited(EmailMessage):
    """A message part that refuses children beyond the limits."""

    _depth = 0
    _parts: _Parts | None = None

    def attach(self, payload: "_Limited") -> None:  # type: ignore[override]  # as EmailMessage narrows it
        parts = self._parts or _Parts()
        parts.count += 1
        if parts.count > MAX_PARTS:
            raise OverLimit(f"more than {MAX_PARTS} parts")
        if self._depth + 1 > MAX_DEPTH:
            raise OverLimit(f"parts nested more than {MAX_DEPTH} levels deep")
        payload._depth, payload._parts = self._depth + 1, parts  # the parser makes every part a _Limited
        self._parts = parts
        super().attach(payload)


def header_limit(raw: bytes) -> str | None:
    """Why the header block of `raw` is not read (one line), or None when it is within the limit."""
    end = _HEADER_END.search(raw, 0, MAX_HEADER_BYTES + 4)
    length = end.start() if end is not None else len(raw)
    return f"its header block is over {MAX_HEADER_BYTES // 1024} KiB" if length > MAX_HEADER_BYTES else None


def parse(raw: bytes) -> EmailMessage:
    """The whole message (policy.default), read within the limits; OverLimit beyond them."""
    too_long = header_limit(raw)
    if too_long is not None:
        raise OverLimit(too_long)
    message: EmailMessage = BytesParser(_Limited, policy=default).parsebytes(raw)
    return message


def read_headers(raw: bytes) -> Message | str:
    """The header block of `raw`, its body left unread (compat32: values as they came); else why it cannot be read."""
    too_long = header_limit(raw)
    if too_long is not None:
        return too_long
    end = _HEADER_END.search(raw)
    try:
        return BytesHeaderParser(policy=compat32).parsebytes(raw[: end.end()] if end is not None else raw)
    except Exception as error:  # any parser failure: the message is still stored, and held with this reason
        return f"its headers could not be read ({type(error).__name__})"
