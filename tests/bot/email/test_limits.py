"""The limits on a received message (header block, nesting, parts) and reading headers without the body."""

from email.message import Message

import pytest

from bot.email.limits import MAX_DEPTH, MAX_HEADER_BYTES, MAX_PARTS, OverLimit, header_limit, parse, read_headers


def header_block(size: int, end: bytes = b"\r\n\r\n") -> bytes:
    """A message whose header block (before the blank line) is exactly `size` bytes."""
    head = b"From: anna@customer.example\r\nX-Pad: "
    return head + b"a" * (size - len(head)) + end + b"body\r\n"


def deep(depth: int) -> bytes:
    opening = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i) for i in range(depth))
    return b"From: anna@customer.example\r\n" + opening + b"Content-Type: text/plain\r\n\r\nhi\r\n"


def flat(count: int) -> bytes:
    return b"Content-Type: multipart/mixed; boundary=x\r\n\r\n" + b"--x\r\n\r\np\r\n" * count + b"--x--\r\n"


def test_the_header_block_may_reach_the_limit_and_not_pass_it() -> None:
    assert header_limit(header_block(MAX_HEADER_BYTES)) is None
    assert header_limit(header_block(MAX_HEADER_BYTES, end=b"\n\n")) is None
    assert header_limit(header_block(MAX_HEADER_BYTES + 1)) == "its header block is over 256 KiB"
    assert header_limit(b"From: a@b.example\r\n" + b"X" * MAX_HEADER_BYTES) == "its header block is over 256 KiB"
    assert header_limit(b"From: a@b.example\r\n\r\n" + b"X" * 10 * MAX_HEADER_BYTES) is None  # a long body is fine


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (deep(MAX_DEPTH + 1), "parts nested more than 20 levels deep"),
        (deep(5000), "parts nested more than 20 levels deep"),
        (flat(MAX_PARTS + 1), "more than 500 parts"),
        (header_block(MAX_HEADER_BYTES + 1), "its header block is over 256 KiB"),
    ],
)
def test_parse_stops_at_the_first_part_beyond_a_limit(raw: bytes, reason: str) -> None:
    with pytest.raises(OverLimit) as refused:
        parse(raw)
    assert str(refused.value) == reason


def test_a_message_at_the_limits_is_parsed() -> None:
    assert parse(deep(MAX_DEPTH)).get_content_type() == "multipart/mixed"
    assert len(parse(flat(MAX_PARTS)).get_payload()) == MAX_PARTS


def test_headers_are_read_without_the_body_however_deep_it_is() -> None:
    headers = read_headers(deep(100_000))
    assert isinstance(headers, Message)
    assert headers["From"] == "anna@customer.example"
    assert headers["Content-Type"].startswith("multipart/mixed")
    assert read_headers(header_block(MAX_HEADER_BYTES + 1)) == "its header block is over 256 KiB"
