"""The companion's signatures, checked by slack_sdk's own SignatureVerifier."""

import pytest
from slack_sdk.signature import Clock as SignatureClock
from slack_sdk.signature import SignatureVerifier

from slack_emulator.signing import Signing, signing_headers

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
NOW = 1_795_000_000


class Clock(SignatureClock):
    def now(self) -> float:
        return NOW


def test_a_valid_signature_is_accepted_by_slack_sdk() -> None:
    body = b'{"type":"event_callback"}'
    headers = signing_headers(SECRET, body, now=NOW)
    assert SignatureVerifier(SECRET, clock=Clock()).is_valid_request(body, headers)


@pytest.mark.parametrize("signing", [Signing.BAD_SIGNATURE, Signing.STALE_TIMESTAMP, Signing.NO_HEADERS])
def test_each_broken_signing_is_rejected_by_slack_sdk(signing: Signing) -> None:
    body = b"command=%2Fsupport"
    headers = signing_headers(SECRET, body, now=NOW, signing=signing)
    assert not SignatureVerifier(SECRET, clock=Clock()).is_valid_request(body, headers)


def test_a_stale_timestamp_is_six_minutes_old_and_otherwise_well_signed() -> None:
    body = b"x"
    headers = signing_headers(SECRET, body, now=NOW, signing=Signing.STALE_TIMESTAMP)
    assert headers["X-Slack-Request-Timestamp"] == str(NOW - 360)
    expected = SignatureVerifier(SECRET).generate_signature(timestamp=str(NOW - 360), body=body)
    assert headers["X-Slack-Signature"] == expected
