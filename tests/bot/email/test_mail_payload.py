"""The email outbox contract: one checked address, a one-line subject, words in the text."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from bot.email.mail_payload import MAX_SUBJECT, EmailPayload, InvalidEmail, enqueue_email
from storage import outbox
from storage.engine import Database
from storage.tables import OutboxItem
from tests.storage.helpers import NOW

LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def test_a_good_email_is_normalised_and_stored_once(db: Database) -> None:
    payload = EmailPayload.checked("Jo@Example.COM", "[SR-000001] Resolved", "Hello", in_reply_to="<a@b>")
    assert payload.to_json() == {"to": "Jo@example.com", "subject": "[SR-000001] Resolved", "text": "Hello",
                                 "in_reply_to": "<a@b>"}  # fmt: skip
    with db.write() as session:
        email = {"to": "Jo@Example.COM", "subject": "[SR-000001] Resolved", "text": "Hello", "now": NOW}
        assert enqueue_email(session, key="k", ticket_id=None, **email)
        assert not enqueue_email(session, key="k", **email)
        assert outbox.outbox_entry(session, "k").destination == "Jo@example.com"
        row = session.exec(select(OutboxItem).where(OutboxItem.idempotency_key == "k")).one()
        assert row.destination_kind == "email"
        assert row.payload == {"to": "Jo@example.com", "subject": "[SR-000001] Resolved", "text": "Hello"}


def test_a_bad_email_is_refused_and_nothing_is_stored(db: Database) -> None:
    with db.write() as session, pytest.raises(InvalidEmail):
        enqueue_email(session, key="k", to="jo@x.org\nBcc: all@x.org", subject="s", text="t", now=NOW)
    with db.read() as session:
        assert outbox.outbox_entry(session, "k") is None


@pytest.mark.parametrize(
    ("to", "subject", "text"),
    [
        ("jo@", "s", "t"),
        ("jo@x.org", " \n ", "t"),
        ("jo@x.org", "s", " "),
        ("jo@x.org, eve@y.org", "s", "t"),
        ("Jo <jo@x.org>", "s", "t"),
        (" jo@x.org", "s", "t"),
        ("jo@x.org\r\nBcc: eve@y.org", "s", "t"),
    ],
)
def test_a_bad_email_is_refused(to, subject, text) -> None:
    with pytest.raises(InvalidEmail):
        EmailPayload.checked(to, subject, text)


@given(st.text(max_size=500))
def test_a_subject_is_always_one_line_whatever_it_was_given(subject) -> None:
    if not any(not char.isspace() and unicodedata.category(char) != "Cc" for char in subject):
        with pytest.raises(InvalidEmail):
            EmailPayload.checked("jo@example.org", subject, "text")
        return
    checked = EmailPayload.checked("jo@example.org", subject, "text").subject
    assert not any(char in checked for char in LINE_BREAKS)
    assert not any(ord(char) < 32 or ord(char) == 127 for char in checked)
    assert 0 < len(checked) <= MAX_SUBJECT
    assert checked == checked.strip()


@given(st.text(max_size=60))
def test_a_subject_with_a_header_after_a_line_break_is_folded_into_the_subject(name) -> None:
    checked = EmailPayload.checked("jo@example.org", f"Hello\r\nBcc: eve@example.org\n{name}", "text").subject
    assert checked.startswith("Hello Bcc: eve@example.org")
    assert not any(char in checked for char in LINE_BREAKS)


@given(st.emails())
def test_any_valid_address_is_taken_as_one_address(address) -> None:
    to = EmailPayload.checked(address, "s", "t").to
    assert to.rsplit("@", 1)[0] == address.rsplit("@", 1)[0]
    assert EmailPayload.checked(to, "s", "t").to == to  # normalised once and for all
    assert not any(char.isspace() for char in to)


@given(st.emails(), st.sampled_from(LINE_BREAKS), st.emails())
def test_an_address_with_a_line_break_is_never_taken(address, newline, other) -> None:
    for to in (f"{address}{newline}Bcc: {other}", f"{address}{newline}", f"{newline}{address}"):
        with pytest.raises(InvalidEmail):
            EmailPayload.checked(to, "s", "t")


@given(st.text(max_size=80))
def test_in_reply_to_is_one_line_or_nothing(value) -> None:
    reply = EmailPayload.checked("jo@example.org", "s", "t", in_reply_to=value).in_reply_to
    assert reply is None or (reply == reply.strip() and not any(char in reply for char in LINE_BREAKS))
