"""GitHub Issues end to end on loopback (docs/integrations.md, "GitHub Issues"): the agents' /frontdesk commands in
the Slack emulator, the outgoing HTTP channel, the webhook door on a real HTTP server, the inbox worker, and a
GitHub stand-in that checks every request against GitHub's REST API description and signs its webhooks as GitHub
does. A confirmed defect is filed once even when GitHub's first answer is lost; closing the issue meets the fix at
the instant GitHub closed it (card and monthly report); a milestone sets the release; reopening restarts the fix;
public comments reach the requester, private ones do not; bad signatures and replays change nothing; what changed
while the bot was down is read back by the reconciliation poll."""

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.cli.startup import tracker_record
from bot.desk.defects import start_polls
from bot.integrations.calls import HttpSender
from bot.integrations.trackers import configured
from bot.integrations.trackers.callers import tracker_callers
from bot.integrations.trackers.door import TrackerDoor
from bot.process.web import FrontdeskWsgi, WebServer
from bot.reports.monthly import Month, build_report
from sla.clocks import State
from slack_emulator import Workspace
from storage import audit, defect_links, inbox
from storage.defect_links import CLOSED
from storage.tables import AuditEvent
from tests.bot.conversation import Conversation, conversation_on, desk_config
from tests.bot.desk.conftest import card_of, complete_request, frontdesk, ticket_of
from tests.standins.github import ISSUES, GitHubStandIn
from tests.standins.server import Lost

TOKEN, SECRET = "ghp-0123456789", "hook-secret"
ENV = {"GH_TOKEN": TOKEN, "GH_HOOK": SECRET}


@pytest.fixture
def github(conversation_clock: list[datetime]) -> Iterator[GitHubStandIn]:
    with GitHubStandIn("acme/app", token=TOKEN, clock=lambda: conversation_clock[0]) as stand_in:
        yield stand_in
    assert stand_in.problems == []
    assert stand_in.server.internal_errors == []
    assert stand_in.refused == []


@pytest.fixture
def conversation_clock() -> list[datetime]:
    return [datetime(2026, 11, 24, 9, 0, tzinfo=UTC)]


def github_table(github: GitHubStandIn) -> str:
    return f"""
[github]
repository = "acme/app"
token_env = "GH_TOKEN"
webhook_secret_env = "GH_HOOK"
labels = ["support"]
api_url = "{github.url}"
"""


@pytest.fixture
def desk_with_github(db, tmp_path: Path, github: GitHubStandIn, conversation_clock) -> Iterator[Conversation]:
    workspace = Workspace.example()
    desk = desk_config(workspace, tmp_path, policy="kissflow", extra=github_table(github))
    yield from conversation_on(db, workspace, desk)


@pytest.fixture
def door(desk_with_github: Conversation) -> Iterator[str]:
    conversation = desk_with_github
    trackers = configured.with_secrets(conversation.desk, ENV)
    wsgi = FrontdeskWsgi(None, healthy=lambda: True, signing_secret="unused",  # type: ignore[arg-type]
                         trackers=TrackerDoor(conversation.database, trackers, lambda: conversation.now))  # fmt: skip
    with WebServer(wsgi) as server:
        yield f"{server.url}/integrations/github"


def send_all(conversation: Conversation, github: GitHubStandIn, clock: list[datetime]) -> None:
    """Runs the HTTP channel until nothing is left to send, jumping to each retry."""
    callers = tracker_callers(conversation.desk, ENV, tracker_record(conversation.desk))
    moment = conversation.now
    sender = HttpSender(conversation.database, callers, lambda: moment)
    for _ in range(30):
        clock[0] = moment
        claimed = sender.send_once(moment)
        if not claimed and sender.next_due is None:
            break
        moment = max(moment + timedelta(seconds=1), sender.next_due or moment)
    conversation.now = max(conversation.now, moment)
    conversation.settle()


def filed_defect(conversation: Conversation, github: GitHubStandIn, clock: list[datetime], severity: str) -> None:
    complete_request(conversation, "Exports stop at 1,000 rows")
    frontdesk(conversation, f"defect 1 {severity}")
    send_all(conversation, github, clock)


def fix_of(conversation: Conversation):
    with conversation.database.read() as session:
        from bot.desk import clocks

        return clocks.current(session, conversation.desk.policy, ticket_of(conversation).id, now=conversation.now)


def requester_thread(conversation: Conversation) -> list[str]:
    dm = conversation.emulator.workspace.open_im("alice")
    root = conversation.emulator.workspace.messages(dm)[0]
    return conversation.bot_says(dm, root.ts)


def closed_while_down(
    conversation: Conversation, github: GitHubStandIn, clock: list[datetime], closed_at: datetime
) -> None:
    """Issue 1 closed at `closed_at`, no webhook reaching the bot, restarted an hour later: its poll meets the fix."""
    github.close(1, at=closed_at)
    conversation.now = closed_at + timedelta(hours=1)
    conversation.restart()
    with conversation.database.write() as session:
        assert start_polls(session, configured.trackers(conversation.desk), now=conversation.now) == 2
    send_all(conversation, github, clock)
    fix = fix_of(conversation).target("fix")
    assert (fix.state, fix.stopped_at) == (State.MET, closed_at.replace(microsecond=0))


def test_a_confirmed_defect_is_filed_once_even_when_github_s_first_answer_is_lost(
    desk_with_github, github, conversation_clock
):
    conversation = desk_with_github
    github.server.fault("POST", ISSUES, Lost(act=True))  # GitHub files the issue, the answer never arrives
    filed_defect(conversation, github, conversation_clock, "high")
    assert len(github.issues) == 1
    assert len(github.creates()) == 1  # the retry found the issue by its marker and filed nothing
    issue = github.issues[1]
    assert issue.body.startswith("<!-- frontdesk:SR-000001 -->\n")
    assert issue.title == "SR-000001: Exports stop at 1,000 rows"
    assert issue.labels == ["support"]
    assert "Priority **high**" in issue.body
    assert "Permanent fix: 2026-12-01" in issue.body
    assert github.creates()[0].headers["authorization"] == f"Bearer {TOKEN}"
    with conversation.database.read() as session:
        link = defect_links.link_of(session, ticket_of(conversation).id)
    assert link is not None
    assert (link.issue.key, link.issue.url) == ("acme/app#1", "https://github.com/acme/app/issues/1")
    assert "Tracker: <https://github.com/acme/app/issues/1|acme/app#1> (open)" in card_of(conversation, 0).text
    frontdesk(conversation, "defect 1")  # confirming again files nothing more
    send_all(conversation, github, conversation_clock)
    assert len(github.creates()) == 1


def test_closing_the_issue_meets_the_fix_at_the_instant_github_closed_it(
    desk_with_github, github, conversation_clock, door
):
    conversation = desk_with_github
    filed_defect(conversation, github, conversation_clock, "high")
    closed_at = conversation.now + timedelta(hours=3)
    assert github.deliver(door, *github.close(1, at=closed_at), SECRET) == 202
    conversation.now = closed_at + timedelta(hours=2)  # the bot applies it later; the fix stopped at closed_at
    conversation.settle()
    fix = fix_of(conversation).target("fix")
    assert fix.state == State.MET
    assert fix.stopped_at == closed_at.replace(microsecond=0)
    card = card_of(conversation, 0).text
    assert "(closed)" in card
    assert "Permanent fix: met" in card
    report = build_report(conversation.database, conversation.desk, Month(2026, 11))
    fixes = [figures for figures in report.targets if figures.group[0] == "fix"]
    assert [(f.count, f.met, f.breached) for f in fixes] == [(1, 1, 0)]
    with conversation.database.read() as session:
        trail = audit.trail(session, ticket_of(conversation).id)
    assert any(e.action == defect_links.ISSUE_CHANGED and e.actor == "github" for e in trail)


def test_reopening_the_issue_restarts_the_fix(desk_with_github, github, conversation_clock, door):
    conversation = desk_with_github
    filed_defect(conversation, github, conversation_clock, "high")
    assert github.deliver(door, *github.close(1, at=conversation.now), SECRET) == 202
    conversation.settle()
    assert fix_of(conversation).target("fix").state == State.MET
    assert github.deliver(door, *github.reopen(1, at=conversation.now), SECRET) == 202
    conversation.settle()
    assert fix_of(conversation).target("fix").state == State.RUNNING
    assert "(open)" in card_of(conversation, 0).text


def test_a_milestone_with_a_due_date_sets_the_release_of_a_next_release_fix(
    desk_with_github, github, conversation_clock, door
):
    conversation = desk_with_github
    filed_defect(conversation, github, conversation_clock, "medium")  # kissflow medium: fix at the next release
    due = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)
    assert github.deliver(door, *github.set_milestone(1, "v2.5", due), SECRET) == 202
    conversation.settle()
    assert fix_of(conversation).target("fix").due_at == due
    assert "release v2.5 due Tue 15 Dec 2026" in card_of(conversation, 0).text
    assert github.deliver(door, *github.remove_milestone(1, at=conversation.now), SECRET) == 202
    conversation.settle()
    assert fix_of(conversation).target("fix").due_at != due  # the policy's next release again


def test_public_comments_reach_the_requester_and_private_ones_do_not(
    desk_with_github, github, conversation_clock, door
):
    conversation = desk_with_github
    filed_defect(conversation, github, conversation_clock, "high")
    before = requester_thread(conversation)
    assert github.deliver(door, *github.comment(1, "Root cause: the paging cursor. Fix in review."), SECRET) == 202
    assert github.deliver(door, *github.comment(1, "  [PUBLIC] The fix ships on Friday."), SECRET) == 202
    conversation.settle()  # one delivery of a tracker at a time, in the order they came
    conversation.settle()
    added = requester_thread(conversation)[len(before) :]
    assert added == ["*Update on the defect* from dev-dana (engineering): The fix ships on Friday."]
    with conversation.database.read() as session:
        comments = [e for e in audit.trail(session, ticket_of(conversation).id) if e.action == "ticket.tracker_comment"]
    assert [(e.actor, e.after["public"]) for e in comments] == [("github", False), ("github", True)]
    assert all("text" not in (e.after or {}) for e in comments)


def test_a_bad_signature_is_refused_and_nothing_is_stored(desk_with_github, github, conversation_clock, door, caplog):
    conversation = desk_with_github
    filed_defect(conversation, github, conversation_clock, "high")
    event, payload = github.close(1)
    with conversation.database.read() as session:
        rows = sum(inbox.inbox_counts(session).values())
    caplog.set_level(logging.WARNING, logger="bot.integrations.trackers.door")
    assert github.deliver(door, event, payload, "not-the-secret") == 401
    for _ in range(20):  # a flood of forged deliveries: one log line, every one counted in /metrics
        assert github.deliver(door, event, payload, None) == 401
    refusals = [r for r in caplog.records if r.name == "bot.integrations.trackers.door"]
    assert [r.getMessage() for r in refusals] == ["github webhook refused: missing or bad signature"]
    with conversation.database.read() as session:
        assert sum(inbox.inbox_counts(session).values()) == rows
    conversation.settle()
    assert fix_of(conversation).target("fix").state == State.RUNNING


def test_a_replayed_delivery_is_applied_once(desk_with_github, github, conversation_clock, door):
    conversation = desk_with_github
    filed_defect(conversation, github, conversation_clock, "high")
    before = requester_thread(conversation)
    event, payload = github.comment(1, "[public] Deployed to staging.")
    assert github.deliver(door, event, payload, SECRET, delivery="d-1") == 202
    assert github.deliver(door, event, payload, SECRET, delivery="d-1") == 200  # GitHub's redelivery
    assert github.deliver(door, event, payload, SECRET, delivery="d-2") == 202  # same comment, new delivery id
    conversation.settle()
    conversation.settle()
    assert len(requester_thread(conversation)) == len(before) + 1


def test_what_changed_while_the_bot_was_down_is_reconciled_by_the_poll(desk_with_github, github, conversation_clock):
    conversation = desk_with_github
    filed_defect(conversation, github, conversation_clock, "high")
    closed_at = conversation.now + timedelta(minutes=30)
    github.comment(1, "[public] Fixed in 2.4.1.", at=closed_at - timedelta(minutes=5))
    closed_while_down(conversation, github, conversation_clock, closed_at)
    assert requester_thread(conversation)[-1].endswith("Fixed in 2.4.1.")
    with conversation.database.write() as session:
        link = defect_links.link_of(session, ticket_of(conversation).id)
        assert link is not None
        assert link.state == CLOSED
        # the next poll starts from where this one ended, and applies nothing twice
        assert start_polls(session, configured.trackers(conversation.desk), now=conversation.now) == 2
    send_all(conversation, github, conversation_clock)
    assert requester_thread(conversation)[-1].endswith("Fixed in 2.4.1.")
    assert sum(text.endswith("Fixed in 2.4.1.") for text in requester_thread(conversation)) == 1
    since = [call.arg("since") for call in github.server.calls("GET", ISSUES)]
    assert since[-1] is not None
    assert since[0] is not None
    assert since[-1] > since[0]


def test_linking_an_existing_issue_files_none_and_strangers_are_refused(desk_with_github, github, conversation_clock):
    conversation = desk_with_github
    complete_request(conversation, "Exports stop at 1,000 rows")
    answer = frontdesk(conversation, "defect 1 --link https://github.com/acme/app/issues/77", user="alice")
    assert answer == "Only agents can do that."
    refused = frontdesk(conversation, "defect 1 high --link other/repo#3")
    assert refused.startswith('"other/repo#3" is not an issue of acme/app')
    with conversation.database.read() as session:
        ticket = ticket_of(conversation)
        assert defect_links.link_of(session, ticket.id) is None
        actions = [(e.actor, e.action, (e.after or {}).get("reason")) for e in audit.trail(session, ticket.id)]
    alice = conversation.emulator.workspace.user("alice").id
    bob = conversation.emulator.workspace.user("bob").id
    with conversation.database.read() as session:
        refusals = session.exec(select(AuditEvent).where(col(AuditEvent.action) == audit.REFUSED)).all()
    assert any(row.actor == alice for row in refusals)  # the gate: /frontdesk defect is for agents
    assert (bob, audit.REFUSED, "link_unknown") in actions
    assert ticket.defect_confirmed_at is None
    done = frontdesk(conversation, "defect 1 high --link https://github.com/acme/app/issues/77")
    assert done == "SR-000001: linked to the tracker issue acme/app#77; its changes now come back here."
    send_all(conversation, github, conversation_clock)
    assert github.creates() == []
    assert "Tracker: <https://github.com/acme/app/issues/77|acme/app#77> (open)" in card_of(conversation, 0).text


def test_more_changes_than_a_page_are_all_reconciled_page_by_page(desk_with_github, github, conversation_clock):
    conversation = desk_with_github
    filed_defect(conversation, github, conversation_clock, "high")
    start = conversation.now
    for offset in range(150):  # 150 other issues changed while the bot was down, before ours was closed
        github.add_issue(f"Other {offset}", start + timedelta(minutes=1, seconds=offset))
    closed_at = start + timedelta(hours=1)
    closed_while_down(conversation, github, conversation_clock, closed_at)
    pages = [call.arg("since") for call in github.server.calls("GET", ISSUES) if call.arg("sort") == "updated"]
    assert len(pages) == 2  # the second from the last issue of the first, less the skew
    assert pages[1] > pages[0]
    assert github.problems == []
