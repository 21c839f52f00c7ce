"""Signing round trips (hypothesis): what the sender signs, the receivers' recipe in docs/integrations.md accepts;
a changed body, another secret, another timestamp or an old one it refuses."""

from hypothesis import given
from hypothesis import strategies as st

from bot.integrations.webhooks import signing
from tests.bot.integrations.webhooks.receiver import documented_verify

verify = documented_verify()
secrets = st.binary(min_size=16, max_size=64)
bodies = st.binary(max_size=2000)
timestamps = st.integers(min_value=1_000_000_000, max_value=4_000_000_000)


def _headers(secret: bytes, timestamp: int, body: bytes) -> dict[str, str]:
    return {name.lower(): value for name, value in signing.headers(secret, "evt_1", timestamp, body)}


@given(secrets, bodies, timestamps, st.integers(min_value=-300, max_value=300))
def test_the_documented_recipe_accepts_what_the_sender_signs(secret: bytes, body: bytes, at: int, skew: int) -> None:
    headers = _headers(secret, at, body)
    assert verify(secret, headers, body, now=at + skew)
    assert signing.verified(secret, headers["frontdesk-webhook-timestamp"],
                            headers["frontdesk-webhook-signature"], body, now=at + skew)  # fmt: skip


@given(secrets, secrets, bodies, st.binary(min_size=1, max_size=8), timestamps)
def test_a_changed_body_or_another_secret_is_refused(
    secret: bytes, other: bytes, body: bytes, extra: bytes, at: int
) -> None:
    headers = _headers(secret, at, body)
    assert not verify(secret, headers, body + extra, now=at)
    if other != secret:
        assert not verify(other, headers, body, now=at)


@given(secrets, bodies, timestamps, st.integers(min_value=301, max_value=10**6))
def test_an_old_or_future_timestamp_is_refused_as_a_replay(secret: bytes, body: bytes, at: int, late: int) -> None:
    headers = _headers(secret, at, body)
    assert not verify(secret, headers, body, now=at + late)
    assert not verify(secret, headers, body, now=at - late)
    assert not signing.verified(secret, str(at), headers["frontdesk-webhook-signature"], body, now=at + late)


@given(secrets, bodies, timestamps)
def test_a_signature_for_another_timestamp_is_refused(secret: bytes, body: bytes, at: int) -> None:
    headers = _headers(secret, at, body)
    assert not verify(secret, {**headers, "frontdesk-webhook-timestamp": str(at + 1)}, body, now=at)
    assert not verify(secret, {**headers, "frontdesk-webhook-signature": "v1=" + "0" * 64}, body, now=at)
    assert not verify(secret, {}, body, now=at)
