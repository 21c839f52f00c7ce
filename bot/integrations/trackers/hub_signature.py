"""The signature trackers put on their webhooks, one scheme for both: GitHub's `X-Hub-Signature-256` and Jira's
`X-Hub-Signature` (Cloud's admin webhooks and Data Center's, 10 and later, registered with a secret) are
`sha256=<hex>`, the HMAC-SHA256 of the raw body keyed with the webhook's secret (docs/integrations.md, "GitHub
Issues", "Jira"; docs/security.md, "Tracker webhooks").

Rules:
- `sign(secret, body)` is the header's value; `verify(secret, header, body)` is true only when the header is exactly
  "sha256=" and 64 hex digits (any case) equal to it, compared in constant time. No secret configured, no header,
  another method ("sha1=..."), or a malformed value: false. Nothing is parsed before this check passes.
"""

import hashlib
import hmac
import re

_HEADER = re.compile(r"^sha256=([0-9a-fA-F]{64})$")


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, header: str, body: bytes) -> bool:
    match = _HEADER.match(header.strip())
    if not secret or match is None:
        return False
    return hmac.compare_digest(sign(secret, body), "sha256=" + match.group(1).lower())
