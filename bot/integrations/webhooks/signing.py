"""Signing outgoing webhooks, and checking a signature as a receiver does (docs/integrations.md, "Outgoing
webhooks", "Verifying a delivery").

Rules:
- Three headers: `Frontdesk-Webhook-Id` (the event's id, the same on every retry), `Frontdesk-Webhook-Timestamp`
  (Unix seconds when this try was sent) and `Frontdesk-Webhook-Signature: v1=<hex>`, the HMAC-SHA256 with the
  endpoint's secret of the timestamp, a dot and the body's exact bytes (`f"{timestamp}.".encode() + body`).
- A signature is checked in constant time; a timestamp more than `TOLERANCE` away from the receiver's clock is
  refused (a replay of an old delivery), whatever its signature. The `v1=` prefix names the scheme, so another can
  be added beside it (several values separated by commas; any one matching is enough).
"""

import hashlib
import hmac

ID_HEADER = "Frontdesk-Webhook-Id"
TIMESTAMP_HEADER = "Frontdesk-Webhook-Timestamp"
SIGNATURE_HEADER = "Frontdesk-Webhook-Signature"
SCHEME = "v1"
TOLERANCE = 300  # seconds


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    """The signature header's value for `body` sent at `timestamp`."""
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def headers(secret: bytes, event_id: str, timestamp: int, body: bytes) -> tuple[tuple[str, str], ...]:
    """The three headers of a delivery."""
    return (
        (ID_HEADER, event_id),
        (TIMESTAMP_HEADER, str(timestamp)),
        (SIGNATURE_HEADER, signature(secret, timestamp, body)),
    )


def verified(secret: bytes, timestamp: str, signed: str, body: bytes, *, now: float) -> bool:
    """Whether a delivery's headers prove it came from the holder of `secret`, recently."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent) > TOLERANCE:
        return False
    expected = signature(secret, sent, body)
    return any(hmac.compare_digest(expected.encode(), value.strip().encode()) for value in signed.split(","))
