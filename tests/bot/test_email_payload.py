"""The email outbox contract: one checked address, a one-line subject, words in the text."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.email_payload import MAX_SUBJECT, EmailPayload, InvalidEmail, enqueue_email
from storage import outbox
from storage.engine import Database
from tests.storage.helpers import NOW


def test_a_good_email_is_normalised_and_stored_once(db: Database) -> None:
    payload = EmailPayload.checked("Jo@Example.COM", "[SR-000001] Resolved", "Hello", in_reply_to="<a@b>")
    assert payload.to_json() == {"to": "Jo@example.com", "subject": "[SR-000001] Resolved", "text": "Hello",
                                 "in_reply_to": "<a@b>"}  # fmt: skip
    with db.write() as session:
        assert enqueue_email(session, key="k", payload=payload, now=NOW)
        assert not enqueue_email(session, key="k", payload=payload, now=NOW)
        assert outbox.outbox_entry(session, "k").destination == "Jo@example.com"


@pytest.mark.parametrize(
    ("to", "subject", "text"), [("jo@", "s", "t"), ("jo@x.org", " \n ", "t"), ("jo@x.org", "s", " ")]
)
def test_a_bad_email_is_refused(to, subject, text) -> None:
    with pytest.raises(InvalidEmail):
        EmailPayload.checked(to, subject, text)


@given(st.text(min_size=1, max_size=500).filter(str.strip))
def test_a_subject_is_always_one_line_whatever_it_was_given(subject) -> None:
    checked = EmailPayload.checked("jo@example.org", subject, "text").subject
    assert not any(char in checked for char in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
    assert 0 < len(checked) <= MAX_SUBJECT
