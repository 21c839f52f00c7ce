"""The WebSocket framing and handshake the Socket Mode hub speaks (RFC 6455)."""

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slack_emulator.websocket import Opcode, accept_key, encode_frame, read_frame, read_message
from tests.slack_emulator.helpers import client_frame


def test_the_accept_key_is_the_one_in_rfc_6455() -> None:
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


@given(st.binary(max_size=70_000))
def test_a_masked_client_frame_of_any_size_is_read_back(payload: bytes) -> None:
    frame = read_frame(io.BytesIO(client_frame(Opcode.TEXT, payload)))
    assert frame is not None
    assert (frame.opcode, frame.payload, frame.fin) == (Opcode.TEXT, payload, True)


@pytest.mark.parametrize("size", [0, 125, 126, 65_535, 65_536])
def test_server_frames_use_the_shortest_length_and_no_mask(size: int) -> None:
    encoded = encode_frame(Opcode.TEXT, b"x" * size)
    assert encoded[0] == 0x81
    assert not encoded[1] & 0x80
    frame = read_frame(io.BytesIO(encoded))
    assert frame is not None
    assert frame.payload == b"x" * size


def test_fragments_are_joined_into_one_message() -> None:
    stream = io.BytesIO(
        client_frame(Opcode.TEXT, b"hel", fin=False) + client_frame(Opcode.CONTINUATION, b"lo") + b"\x88\x00"
    )
    message = read_message(stream)
    assert message is not None
    assert message.payload == b"hello"
    closing = read_message(stream)
    assert closing is not None
    assert closing.opcode == Opcode.CLOSE
    assert read_message(stream) is None
