"""Defect links: one issue per request, what the tracker says of it, each tracker change applied once."""

from datetime import timedelta

from storage import audit, defect_links
from storage.defect_links import CLOSED, Issue
from storage.engine import Database
from storage.tickets import open_ticket
from tests.storage.helpers import NOW

ISSUE = Issue("github", "acme/app#12", "https://github.com/acme/app/issues/12")
OTHER = Issue("github", "acme/app#13", "https://github.com/acme/app/issues/13")


def test_a_link_is_set_once_and_replaced_only_when_asked(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW).id
        defect_links.link(session, ticket, ISSUE, actor="github", now=NOW)
        defect_links.link(session, ticket, ISSUE, actor="github", now=NOW)  # the same: nothing more
        kept = defect_links.link(session, ticket, OTHER, actor="github", now=NOW, replace=False)
        assert kept.issue == ISSUE
        replaced = defect_links.link(session, ticket, OTHER, actor="U2", now=NOW)
        assert (replaced.issue, replaced.state) == (OTHER, "open")
        trail = [event for event in audit.trail(session, ticket) if event.action == defect_links.LINKED]
        assert [(event.actor, event.before, event.after["issue"]) for event in trail] == [
            ("github", None, "acme/app#12"),
            ("U2", {"tracker": "github", "issue": "acme/app#12", "url": ISSUE.url}, "acme/app#13"),
        ]
        assert [link.ticket_id for link in defect_links.links_to(session, "github", "acme/app#13")] == [ticket]
        assert defect_links.links_to(session, "github", "acme/app#12") == []
        assert defect_links.any_link(session, "github")
        assert not defect_links.any_link(session, "jira")


def test_the_issue_s_state_and_release_carry_the_vendor_s_instant(db: Database) -> None:
    closed_at = NOW - timedelta(hours=2)
    with db.write() as session:
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW).id
        defect_links.link(session, ticket, ISSUE, actor="github", now=NOW)
        assert defect_links.set_state(session, ticket, CLOSED, at=closed_at, now=NOW, actor="github")
        assert not defect_links.set_state(session, ticket, CLOSED, at=NOW, now=NOW, actor="github")
        release = NOW + timedelta(days=7)
        assert defect_links.set_release(session, ticket, "v2.4", release, at=NOW, now=NOW, actor="github")
        link = defect_links.link_of(session, ticket)
        assert link is not None
        assert (link.state, link.release_name, link.release_at, link.changed_at) == (CLOSED, "v2.4", release, NOW)
        changes = [event for event in audit.trail(session, ticket) if event.action == defect_links.ISSUE_CHANGED]
        assert [event.after for event in changes] == [
            {"issue": "acme/app#12", "state": "closed", "changed_at": closed_at.isoformat()},
            {"issue": "acme/app#12", "release_name": "v2.4", "release_at": release.isoformat(),
             "changed_at": NOW.isoformat()},
        ]  # fmt: skip


def test_a_change_is_applied_once_per_tracker(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW).id
        assert defect_links.record_change(session, ticket, "github", "c:1", "comment", at=NOW, now=NOW)
    with db.write() as session:
        assert not defect_links.record_change(session, ticket, "github", "c:1", "comment", at=NOW, now=NOW)
        assert defect_links.record_change(session, ticket, "jira", "c:1", "comment", at=NOW, now=NOW)


def test_the_poll_cursor_only_moves_forward(db: Database) -> None:
    with db.write() as session:
        assert defect_links.polled_until(session, "github", "acme/app") is None
        defect_links.set_polled(session, "github", "acme/app", NOW)
        defect_links.set_polled(session, "github", "acme/app", NOW - timedelta(minutes=5))
        assert defect_links.polled_until(session, "github", "acme/app") == NOW
        assert defect_links.polled_until(session, "github", "acme/other") is None
