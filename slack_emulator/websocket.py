"""The server side of RFC 6455 that Socket Mode needs, on the standard library.

Rules:
- Handshake: a GET with `Upgrade: websocket`, `Sec-WebSocket-Version: 13` and a `Sec-WebSocket-Key` is answered
  `101 Switching Protocols` with `Sec-WebSocket-Accept` = base64(SHA-1(key + RFC 6455's GUID)).
- Frames from the client are masked (RFC 6455 5.1) and are unmasked here; unmasked ones are accepted too.
  Frames to the client are never masked and always whole (FIN set): slack_sdk's builtin client ignores
  fragmentation, so every message goes in one frame. Lengths use 7, 16 or 64 bits as needed.
- `read_message` joins continuation frames into one message; control frames (ping, pong, close) come back as
  they arrive. End of stream is None.
- No extensions, no subprotocols; text is UTF-8.
"""

import base64
import hashlib
import struct
from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_MESSAGE = 16 * 1024 * 1024


class Opcode(IntEnum):
    CONTINUATION = 0x0
    TEXT = 0x1
    BINARY = 0x2
    CLOSE = 0x8
    PING = 0x9
    PONG = 0xA


@dataclass(frozen=True)
class Frame:
    opcode: int
    payload: bytes
    fin: bool = True


class ProtocolError(Exception):
    pass


class ByteReader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class ByteWriter(Protocol):
    def write(self, data: bytes, /) -> int: ...

    def flush(self) -> None: ...


def accept_key(key: str) -> str:
    return base64.b64encode(hashlib.sha1((key.strip() + GUID).encode("ascii")).digest()).decode("ascii")


def handshake_response(key: str) -> bytes:
    lines = [
        "HTTP/1.1 101 Switching Protocols",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Accept: {accept_key(key)}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def encode_frame(opcode: int, payload: bytes) -> bytes:
    length = len(payload)
    head = bytes([0x80 | opcode])
    if length < 126:
        head += bytes([length])
    elif length < 1 << 16:
        head += struct.pack("!BH", 126, length)
    else:
        head += struct.pack("!BQ", 127, length)
    return head + payload


def close_payload(code: int, reason: str = "") -> bytes:
    return struct.pack("!H", code) + reason.encode("utf-8")


def read_frame(stream: ByteReader) -> Frame | None:
    head = _read_exactly(stream, 2)
    if head is None:
        return None
    fin, opcode = bool(head[0] & 0x80), head[0] & 0x0F
    masked, length = bool(head[1] & 0x80), head[1] & 0x7F
    if length >= 126:
        size = 2 if length == 126 else 8
        extended = _read_exactly(stream, size)
        if extended is None:
            return None
        length = int.from_bytes(extended, "big")
    if length > MAX_MESSAGE:
        raise ProtocolError(f"frame of {length} bytes is too large")
    mask = _read_exactly(stream, 4) if masked else b""
    payload = _read_exactly(stream, length)
    if mask is None or payload is None:
        return None
    if masked:
        payload = _unmask(payload, mask)
    return Frame(opcode, payload, fin)


def read_message(stream: ByteReader) -> Frame | None:
    frame = read_frame(stream)
    if frame is None or frame.fin or frame.opcode >= Opcode.CLOSE:
        return frame
    parts, opcode = [frame.payload], frame.opcode
    while True:
        frame = read_frame(stream)
        if frame is None:
            return None
        if frame.opcode >= Opcode.CLOSE:
            return frame  # a control frame in the middle: the partial message is dropped
        parts.append(frame.payload)
        if sum(map(len, parts)) > MAX_MESSAGE:
            raise ProtocolError("message too large")
        if frame.fin:
            return Frame(opcode, b"".join(parts))


def _unmask(payload: bytes, mask: bytes) -> bytes:
    key = (mask * (len(payload) // 4 + 1))[: len(payload)]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(len(payload), "big")


def _read_exactly(stream: ByteReader, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data
