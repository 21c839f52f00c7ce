"""Jira's webhook signature (`X-Hub-Signature: sha256=<hex>`, HMAC-SHA256 of the raw body): only the exact
signature of these bytes with this secret passes (bot.integrations.trackers.hub_signature)."""

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from bot.config.trackers import JiraDesk, JiraSecrets
from bot.integrations.trackers.hub_signature import sign, verify
from bot.integrations.trackers.jira import JiraTracker

SECRETS = st.text(min_size=1, max_size=64).filter(str.strip)


def atlassian(secret: str, body: bytes) -> str:
    """As Atlassian documents it (computed here, not by the code under test)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@given(SECRETS, st.binary())
def test_the_documented_signature_passes_in_either_case(secret: str, body: bytes) -> None:
    assert sign(secret, body) == atlassian(secret, body)
    assert verify(secret, atlassian(secret, body), body)
    assert verify(secret, "sha256=" + atlassian(secret, body)[7:].upper(), body)


@given(SECRETS, SECRETS, st.binary(), st.binary())
def test_another_secret_or_body_fails(secret: str, other: str, body: bytes, changed: bytes) -> None:
    if other != secret:
        assert not verify(other, atlassian(secret, body), body)
    if changed != body:
        assert not verify(secret, atlassian(secret, body), changed)


@given(SECRETS, st.binary(), st.text(max_size=80))
def test_a_malformed_header_fails(secret: str, body: bytes, header: str) -> None:
    good = atlassian(secret, body)
    if header.strip().lower() != good:
        assert not verify(secret, header, body)
    assert not verify(secret, good.replace("sha256=", "sha1="), body)
    assert not verify(secret, good[:-1], body)
    assert not verify(secret, good + "0", body)
    assert not verify("", atlassian("", body), body)  # no secret configured: nothing passes


def test_a_delivery_is_named_by_jiras_identifier_else_by_its_signature() -> None:
    tracker = JiraTracker(JiraDesk(url="https://jira.example.com", project="OPS"), JiraSecrets(token="t"))
    signature = atlassian("s", b"{}")

    assert tracker.delivery_id({"x-atlassian-webhook-identifier": "wh-9", "x-hub-signature": signature}) == "wh-9"
    assert tracker.delivery_id({"x-hub-signature": signature.upper().replace("SHA256", "sha256")}) == (
        "signed:" + signature[7:])  # fmt: skip
    assert tracker.delivery_id({}) is None
