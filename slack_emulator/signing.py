"""Signing requests to an app as Slack does (https://docs.slack.dev/authentication/verifying-requests-from-slack).

Rules:
- The signature is `v0=` + hex HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`), sent in
  `X-Slack-Signature` with the Unix time in `X-Slack-Request-Timestamp`; slack_sdk's `SignatureVerifier` accepts
  it when the timestamp is within 5 minutes of its clock.
- `Signing` chooses what the app receives: a good signature, a wrong one, a good signature on a timestamp
  6 minutes old (stale), or no signing headers at all.
"""

import hashlib
import hmac
from enum import Enum

STALE_BY_SECONDS = 6 * 60


class Signing(Enum):
    VALID = "valid"
    BAD_SIGNATURE = "bad_signature"
    STALE_TIMESTAMP = "stale_timestamp"
    NO_HEADERS = "no_headers"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def signing_headers(secret: str, body: bytes, *, now: float, signing: Signing = Signing.VALID) -> dict[str, str]:
    if signing is Signing.NO_HEADERS:
        return {}
    timestamp = str(int(now) - (STALE_BY_SECONDS if signing is Signing.STALE_TIMESTAMP else 0))
    signed = signature(secret, timestamp, body)
    if signing is Signing.BAD_SIGNATURE:
        signed = signature(secret + "-wrong", timestamp, body)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signed}
