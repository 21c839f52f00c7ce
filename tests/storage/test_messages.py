"""Messages and attachments of a request, audited without copying their content."""

from datetime import timedelta

import pytest

from storage import audit
from storage.engine import Database
from storage.errors import InvalidValueError
from storage.messages import add_attachment, add_message, messages_of
from storage.tickets import open_ticket
from tests.storage.helpers import NOW

HOUR = timedelta(hours=1)


def test_messages_are_kept_in_order_and_audited_without_their_text(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="question", actor="U1", now=NOW)
        add_message(
            session,
            ticket.id,
            author="U9",
            author_role="agent",
            public=False,
            channel="slack",
            text="note",
            at=NOW + HOUR,
        )
        add_message(
            session, ticket.id, author="U1", author_role="requester", public=True, channel="email", text="hi", at=NOW
        )
    with db.read() as session:
        messages = messages_of(session, ticket.id)
        events = audit.trail(session, ticket.id)
    assert [(m.text, m.public, m.at) for m in messages] == [("hi", True, NOW), ("note", False, NOW + HOUR)]
    assert all("note" not in str(event.after) for event in events)


def test_an_unknown_author_role_is_refused(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="question", actor="U1", now=NOW)
    with pytest.raises(InvalidValueError, match="AuthorRole"), db.write() as session:
        add_message(session, ticket.id, author="U1", author_role="boss", public=True, channel="slack", text="x", at=NOW)


def test_an_attachment_is_recorded_and_audited(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW)
        add_attachment(
            session, ticket.id, name="a.png", size=3, content_type="image/png", sha256="0" * 64,
            stored_path="00/" + "0" * 64, actor="U1", now=NOW,
        )  # fmt: skip
        (_, event) = audit.trail(session, ticket.id)
    assert event.action == "ticket.attachment_added"
    assert event.after is not None
    assert event.after["name"] == "a.png"
