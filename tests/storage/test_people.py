"""Customers matched by Slack channel or email domain, requesters, agents and their levels."""

import pytest

from storage.engine import Database
from storage.errors import ConflictError, InvalidValueError
from storage.kinds import AgentLevel
from storage.people import agents, find_customer, requester_emails, save_agent, save_customer, save_requester
from storage.tables import AuditEvent, Requester
from tests.storage.helpers import NOW


def test_a_customer_is_found_by_channel_else_by_email_domain(db: Database) -> None:
    with db.write() as session:
        acme = save_customer(
            session, name="Acme", plan="enterprise", slack_channels=["C1"], email_domains=["@Acme.com"],
            actor="config", now=NOW,
        )  # fmt: skip
        globex = save_customer(
            session, name="Globex", plan="starter", email_domains=["globex.io"], actor="config", now=NOW
        )
    with db.read() as session:
        assert find_customer(session, slack_channel="C1") == acme
        assert find_customer(session, slack_channel="C9", email="jo@ACME.com") == acme
        assert find_customer(session, email="x@globex.io") == globex
        assert find_customer(session, slack_channel="C9", email="x@example.org") is None
    assert acme.plan == "enterprise"


def test_saving_a_customer_again_changes_its_plan_and_matches_and_audits_only_changes(db: Database) -> None:
    with db.write() as session:
        save_customer(session, name="Acme", plan="basic", slack_channels=["C1"], actor="config", now=NOW)
        save_customer(session, name="Acme", plan="basic", slack_channels=["C1"], actor="config", now=NOW)
        save_customer(session, name="Acme", plan="plus", slack_channels=["C2"], actor="config", now=NOW)
    with db.read() as session:
        assert find_customer(session, slack_channel="C1") is None
        found = find_customer(session, slack_channel="C2")
        events = list(session.exec(AuditEvent.__table__.select().order_by(AuditEvent.__table__.c.id)))  # type: ignore[attr-defined]
    assert found is not None
    assert found.plan == "plus"
    assert [event.action for event in events] == ["customer.created", "customer.changed"]
    assert events[1].before == {"plan": "basic", "matches": [["slack_channel", "C1"]]}


def test_a_requester_is_created_once_and_completed_later(db: Database) -> None:
    with db.write() as session:
        first = save_requester(session, now=NOW, slack_team_id="T1", slack_user_id="U1", name="Jo")
        again = save_requester(
            session, now=NOW, slack_team_id="T1", slack_user_id="U1", email="jo@acme.com", phone="+1"
        )
        by_mail = save_requester(session, now=NOW, email="someone@acme.com")
        requester = session.get(Requester, first)
    assert first == again != by_mail
    assert requester is not None
    assert (requester.name, requester.email, requester.phone) == ("Jo", "jo@acme.com", "+1")


def test_agents_have_a_level(db: Database) -> None:
    with db.write() as session:
        lead = save_agent(session, level="L2", slack_user_id="U2", name="Lead", actor="config", now=NOW)
        save_agent(session, level="L1", slack_user_id="U1", actor="config", now=NOW)
        save_agent(session, level="L1", slack_user_id="U3", active=False, actor="config", now=NOW)
    with db.read() as session:
        assert agents(session, level="L2") == [lead]
        assert [agent.slack_user_id for agent in agents(session)] == ["U2", "U1"]
    assert lead.level is AgentLevel.L2
    with pytest.raises(InvalidValueError, match="L1, L2, L3"), db.write() as session:
        save_agent(session, level="L4", slack_user_id="U4", actor="config", now=NOW)
    with db.read() as session:
        assert len(agents(session)) == 2


def test_a_channel_that_already_matches_another_customer_is_a_conflict_and_nothing_is_written(db: Database) -> None:
    with db.write() as session:
        save_customer(session, name="Acme", plan="basic", slack_channels=["C1"], actor="config", now=NOW)
    with pytest.raises(ConflictError, match="refused by the database"), db.write() as session:
        save_customer(session, name="Globex", plan="basic", slack_channels=["C1"], actor="config", now=NOW)
    with db.read() as session:
        found = find_customer(session, slack_channel="C1")
    assert found is not None
    assert found.name == "Acme"


def test_the_requesters_of_a_customer_are_found_by_their_exact_email_domain(db: Database) -> None:
    addresses = ["jo@acme.com", "Jo@ACME.com", "al@Acme.Com", "x@sub.acme.com", "y@notacme.com", "z@acmexcom"]
    with db.write() as session:
        for address in addresses:
            save_requester(session, now=NOW, email=address)
        save_requester(session, now=NOW, email="w@a_b.io")
        save_requester(session, now=NOW, email="v@axb.io")
        save_requester(session, now=NOW, slack_team_id="T1", slack_user_id="U1")
    with db.read() as session:
        assert requester_emails(session, ["@ACME.com"]) == ["Jo@ACME.com", "al@Acme.Com"]
        assert requester_emails(session, ["a_b.io", "other.org"]) == ["w@a_b.io"]
        assert requester_emails(session, []) == []
