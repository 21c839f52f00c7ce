"""What Jira says comes back to the request (docs/integrations.md, "Jira"), end to end on loopback: a kissflow desk in
the Slack emulator, the outgoing HTTP channel and the Jira stand-in, on SQLite and PostgreSQL. Done in Jira stops
the fix at Jira's instant (the card and the monthly report say met); a fix version sets the release of a
`next_release` fix; reopening restarts it; a public comment reaches the requester, a private one does not; and
all of it is caught by the reconciliation poll when the bot was down while Jira changed."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from bot.config.desk import DeskConfig
from bot.desk import defects
from bot.integrations.calls import Caller, HttpSender
from bot.integrations.trackers.callers import tracker_callers
from bot.integrations.trackers.configured import trackers
from bot.reports.monthly import Month, build_report
from bot.say import Say
from slack_emulator import Workspace
from storage import audit, deadlines, defect_links, ticket_events
from tests.bot.conversation import Conversation, conversation_on, desk_config
from tests.bot.desk.conftest import card_of, complete_request, frontdesk, ticket_of
from tests.bot.integrations.trackers.conftest import Clock
from tests.standins.jira import JiraStandIn

EMAIL, TOKEN = "frontdesk-bot@example.com", "atlassian-api-token-1"
ENV = {"JIRA_EMAIL": EMAIL, "JIRA_API_TOKEN": TOKEN}


@pytest.fixture
def jira(clock: Clock) -> Iterator[JiraStandIn]:
    with JiraStandIn("cloud", email=EMAIL, token=TOKEN, clock=clock) as stand_in:
        yield stand_in
    assert stand_in.problems == []
    assert stand_in.server.internal_errors == []
    assert stand_in.refused == []


def callers(desk: DeskConfig) -> dict[str, Caller]:
    return tracker_callers(desk, ENV, partial(defects.on_sent, desk=desk, say_for=lambda s, now: Say(s, desk, now)))


def jira_desk(db, tmp_path: Path, jira: JiraStandIn, clock: Clock) -> Iterator[Conversation]:  # type: ignore[no-untyped-def]
    table = (f'[jira]\nurl = "{jira.url}"\nproject = "OPS"\ntoken_env = "JIRA_API_TOKEN"\n'
             'email_env = "JIRA_EMAIL"\n')  # fmt: skip
    workspace = Workspace.example()
    for conversation in conversation_on(db, workspace, desk_config(workspace, tmp_path, "kissflow", table)):
        clock.conversation = conversation
        yield conversation


def send_all(conversation: Conversation) -> None:
    """Runs the HTTP channel until nothing is left to send, jumping to each retry."""
    sender = HttpSender(conversation.database, callers(conversation.desk), lambda: conversation.now)
    for _ in range(30):
        claimed = sender.send_once(conversation.now)
        if not claimed and sender.next_due is None:
            break
        conversation.now = max(conversation.now + timedelta(seconds=1), sender.next_due or conversation.now)
    conversation.settle()


def reconcile(conversation: Conversation) -> None:
    """The reconciliation sweep, as at start: the poll calls stored, then sent."""
    with conversation.database.write() as session:
        assert defects.start_polls(session, trackers(conversation.desk), now=conversation.now) == 1
    send_all(conversation)


def filed_defect(conversation: Conversation, severity: str) -> str:
    complete_request(conversation, "The CSV export stops after 1000 rows")
    frontdesk(conversation, f"defect 1 {severity}")
    send_all(conversation)
    with conversation.database.read() as session:
        link = defect_links.link_of(session, ticket_of(conversation).id)
    assert link is not None
    return link.issue.key


def fix_deadline(conversation: Conversation) -> deadlines.DeadlineValue:
    with conversation.database.read() as session:
        return {d.target: d for d in deadlines.deadlines_of(session, ticket_of(conversation).id)}["fix"]


def jira_events(conversation: Conversation) -> list[tuple[str, datetime, str]]:
    with conversation.database.read() as session:
        events = ticket_events.events_of(session, ticket_of(conversation).id)
    return [(event.kind, event.at, event.value) for event in events if event.actor == "jira"]


def requester_sees(conversation: Conversation) -> list[str]:
    """Every message in the request's thread (in the requester's DM)."""
    ticket = ticket_of(conversation)
    assert ticket.slack_channel is not None
    assert ticket.slack_thread_ts is not None
    return [message.text for message in conversation.thread(ticket.slack_channel, ticket.slack_thread_ts)]


def test_done_in_jira_while_the_bot_was_down_stops_the_fix_at_jiras_instant(db, tmp_path, jira, clock):
    for conversation in jira_desk(db, tmp_path, jira, clock):
        key = filed_defect(conversation, "high")
        confirmed_at = ticket_of(conversation).defect_confirmed_at
        done_at = conversation.now + timedelta(hours=3)
        jira.transition(key, "Done", "done", at=done_at)
        conversation.now += timedelta(hours=5)  # the bot was down: no webhook came

        reconcile(conversation)

        assert jira_events(conversation) == [("fix", done_at, "")]
        fix = fix_deadline(conversation)
        assert (fix.state.value, fix.stopped_at) == ("met", done_at)
        card = card_of(conversation, 0).text
        assert f"Tracker: <{jira.url}/browse/{key}|{key}> (closed)" in card
        assert "• Permanent fix: met" in card
        [figures] = [f for f in build_report(conversation.database, conversation.desk, Month(2026, 11)).targets
                     if f.group[0] == "fix"]  # fmt: skip
        assert (figures.met, figures.breached) == (1, 0)
        assert figures.mean_seconds == pytest.approx((done_at - confirmed_at).total_seconds(), abs=1)
        with conversation.database.read() as session:
            changed = [e for e in audit.trail(session, ticket_of(conversation).id) if e.actor == "jira"]
        assert "ticket.defect_issue_changed" in [e.action for e in changed]

        reconcile(conversation)  # the same changes read again change nothing
        assert jira_events(conversation) == [("fix", done_at, "")]


def test_a_fix_version_sets_the_release_then_reopening_restarts_the_fix(db, tmp_path, jira, clock):
    for conversation in jira_desk(db, tmp_path, jira, clock):
        key = filed_defect(conversation, "medium")  # kissflow: a medium defect's fix is due at the next release
        versioned_at = conversation.now + timedelta(hours=1)
        jira.add_fix_version(key, "2026.12.2", "2026-12-15", at=versioned_at)
        conversation.now += timedelta(hours=2)
        reconcile(conversation)

        release = datetime(2026, 12, 15, tzinfo=UTC)
        assert jira_events(conversation) == [("release", versioned_at, release.isoformat())]
        assert fix_deadline(conversation).due_at == release
        assert "release 2026.12.2 due" in card_of(conversation, 0).text

        done_at, reopened_at = conversation.now + timedelta(hours=1), conversation.now + timedelta(hours=2)
        jira.transition(key, "Done", "done", at=done_at)
        jira.transition(key, "In Progress", "indeterminate", at=reopened_at)
        conversation.now += timedelta(hours=3)
        reconcile(conversation)

        assert [kind for kind, *_ in jira_events(conversation)] == ["release", "fix", "fix_reopened"]
        assert jira_events(conversation)[2][1] == reopened_at
        fix = fix_deadline(conversation)
        assert fix.state.value == "running"
        assert fix.due_at == release
        assert "(open, release 2026.12.2" in card_of(conversation, 0).text
        removed_at = conversation.now + timedelta(minutes=1)
        jira.remove_fix_version(key, "2026.12.2", at=removed_at)
        conversation.now += timedelta(minutes=5)
        reconcile(conversation)
        assert jira_events(conversation)[-1] == ("release", removed_at, "")
        assert fix_deadline(conversation).due_at != release  # the policy's next release again


def test_a_public_comment_reaches_the_requester_and_a_private_one_does_not(db, tmp_path, jira, clock):
    for conversation in jira_desk(db, tmp_path, jira, clock):
        key = filed_defect(conversation, "high")
        jira.comment(key, "[public] The fix is deployed to staging; production tomorrow.", author="Dana Engineer")
        jira.comment(key, "Root cause: the exporter's page size is hard-coded.", author="Dana Engineer")
        jira.comment(key, "[public] for the team only", visibility={"type": "role", "value": "Developers"})
        conversation.now += timedelta(minutes=30)

        reconcile(conversation)

        seen = "\n".join(requester_sees(conversation))
        assert ("*Update on the defect* from Dana Engineer (engineering): The fix is deployed to staging; production"
                " tomorrow.") in seen  # fmt: skip
        assert "Root cause" not in seen
        assert "for the team only" not in seen
        reconcile(conversation)  # read again: said once
        assert "\n".join(requester_sees(conversation)).count("The fix is deployed to staging") == 1


def test_an_agent_links_an_existing_jira_issue_and_nothing_is_filed(db, tmp_path, jira, clock):
    for conversation in jira_desk(db, tmp_path, jira, clock):
        complete_request(conversation, "The CSV export stops after 1000 rows")
        assert frontdesk(conversation, "defect 1 --link OPS-5", user="alice", channel="support") == (
            "Only agents can do that.")  # fmt: skip
        with conversation.database.read() as session:
            assert defect_links.link_of(session, ticket_of(conversation).id) is None

        refused = frontdesk(conversation, "defect 1 --link https://evil.example/browse/OPS-5")
        assert refused.startswith('"https://evil.example/browse/OPS-5" is not an issue of OPS')
        assert "Nothing was changed." in refused
        other = frontdesk(conversation, "defect 1 --link HR-5")
        assert other.startswith('"HR-5" is not an issue of OPS')
        answer = frontdesk(conversation, f"defect 1 --link {jira.url}/browse/ops-5")
        send_all(conversation)

        assert answer == "SR-000001: linked to the tracker issue OPS-5; its changes now come back here."
        assert jira.server.received == []  # nothing filed, nothing asked
        with conversation.database.read() as session:
            link = defect_links.link_of(session, ticket_of(conversation).id)
            refusals = [e for e in audit.trail(session, ticket_of(conversation).id) if e.action == audit.REFUSED]
        assert link is not None
        assert (link.issue.key, link.issue.url) == ("OPS-5", f"{jira.url}/browse/OPS-5")
        assert [r.after["link"] for r in refusals] == ["https://evil.example/browse/OPS-5", "HR-5"]
        assert f"Tracker: <{jira.url}/browse/OPS-5|OPS-5> (open)" in card_of(conversation, 0).text
