"""Jira's webhooks end to end on loopback (docs/integrations.md, "Jira"; docs/security.md, "Tracker webhooks"): the
Jira stand-in posts deliveries signed as Jira signs them to the trackers' door on a real HTTP server; the inbox
worker applies them. Done stops the fix at Jira's instant; a bad or missing signature is refused and stores
nothing; a replayed delivery is applied once; Data Center files with its bearer token and its webhooks apply too."""

from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest

from bot.config.desk import DeskConfig
from bot.desk import defects
from bot.integrations.calls import Caller, HttpSender
from bot.integrations.trackers import configured
from bot.integrations.trackers.callers import tracker_callers
from bot.integrations.trackers.door import TrackerDoor
from bot.process.web import FrontdeskWsgi, WebServer
from bot.say import Say
from slack_emulator import Workspace
from storage import deadlines, defect_links, inbox, ticket_events
from tests.bot.conversation import Conversation, conversation_on, desk_config
from tests.bot.desk.conftest import card_of, complete_request, frontdesk, ticket_of
from tests.bot.integrations.trackers.conftest import Clock
from tests.standins.jira import JiraStandIn

EMAIL, TOKEN, SECRET = "frontdesk-bot@example.com", "atlassian-api-token-1", "jira-webhook-secret-1"
ENV = {"JIRA_EMAIL": EMAIL, "JIRA_API_TOKEN": TOKEN, "JIRA_WEBHOOK_SECRET": SECRET}


@pytest.fixture(params=["cloud", "datacenter"])
def jira(request: pytest.FixtureRequest, clock: Clock) -> Iterator[JiraStandIn]:
    with JiraStandIn(request.param, email=EMAIL, token=TOKEN, clock=clock) as stand_in:
        yield stand_in
    assert stand_in.problems == []
    assert stand_in.server.internal_errors == []
    assert stand_in.refused == []


@pytest.fixture
def conversation(db, tmp_path: Path, jira: JiraStandIn, clock: Clock) -> Iterator[Conversation]:  # type: ignore[no-untyped-def]
    email = 'email_env = "JIRA_EMAIL"\n' if jira.flavour == "cloud" else ""
    table = (f'[jira]\nurl = "{jira.url}"\nflavour = "{jira.flavour}"\nproject = "OPS"\n'
             f'token_env = "JIRA_API_TOKEN"\n{email}webhook_secret_env = "JIRA_WEBHOOK_SECRET"\n')  # fmt: skip
    workspace = Workspace.example()
    for each in conversation_on(db, workspace, desk_config(workspace, tmp_path, "kissflow", table)):
        clock.conversation = each
        yield each


@pytest.fixture
def door(conversation: Conversation) -> Iterator[str]:
    trackers = configured.with_secrets(conversation.desk, ENV)
    wsgi = FrontdeskWsgi(None, healthy=lambda: True, signing_secret="unused",  # type: ignore[arg-type]
                         trackers=TrackerDoor(conversation.database, trackers, lambda: conversation.now))  # fmt: skip
    with WebServer(wsgi) as server:
        yield f"{server.url}/integrations/jira"


def callers(desk: DeskConfig) -> dict[str, Caller]:
    return tracker_callers(desk, ENV, partial(defects.on_sent, desk=desk, say_for=lambda s, now: Say(s, desk, now)))


def send_all(conversation: Conversation) -> None:
    sender = HttpSender(conversation.database, callers(conversation.desk), lambda: conversation.now)
    for _ in range(30):
        if not sender.send_once(conversation.now) and sender.next_due is None:
            break
        conversation.now = max(conversation.now + timedelta(seconds=1), sender.next_due or conversation.now)
    conversation.settle()


def filed_defect(conversation: Conversation) -> str:
    complete_request(conversation, "The CSV export stops after 1000 rows")
    frontdesk(conversation, "defect 1 high")
    send_all(conversation)
    with conversation.database.read() as session:
        link = defect_links.link_of(session, ticket_of(conversation).id)
    assert link is not None
    return link.issue.key


def fix(conversation: Conversation) -> deadlines.DeadlineValue:
    with conversation.database.read() as session:
        return {d.target: d for d in deadlines.deadlines_of(session, ticket_of(conversation).id)}["fix"]


def inbox_rows(conversation: Conversation) -> int:
    with conversation.database.read() as session:
        return sum(inbox.inbox_counts(session).values())


def requester_thread(conversation: Conversation) -> list[str]:
    ticket = ticket_of(conversation)
    assert ticket.slack_channel is not None
    assert ticket.slack_thread_ts is not None
    return [message.text for message in conversation.thread(ticket.slack_channel, ticket.slack_thread_ts)]


def test_done_in_jira_stops_the_fix_at_the_instant_jira_says(conversation, jira, door):
    key = filed_defect(conversation)
    header = jira.server.calls("POST", f"{jira.api}/issue")[0].headers["authorization"]
    assert header.startswith("Basic " if jira.flavour == "cloud" else "Bearer ")
    done_at = conversation.now + timedelta(hours=2)
    body = jira.transition(key, "Done", "done", at=done_at)
    conversation.now += timedelta(hours=2, minutes=3)  # Jira's delivery arrives a few minutes late

    assert jira.deliver(door, body, secret=SECRET) == 202
    conversation.settle()

    assert (fix(conversation).state.value, fix(conversation).stopped_at) == ("met", done_at)
    assert f"Tracker: <{jira.url}/browse/{key}|{key}> (closed)" in card_of(conversation, 0).text
    with conversation.database.read() as session:
        events = ticket_events.events_of(session, ticket_of(conversation).id)
    assert [(e.kind, e.at) for e in events if e.actor == "jira"] == [("fix", done_at)]


def test_a_bad_or_missing_signature_is_refused_and_nothing_is_stored(conversation, jira, door):
    key = filed_defect(conversation)
    body = jira.transition(key, "Done", "done")
    before = inbox_rows(conversation)

    assert jira.deliver(door, body, secret="not-the-secret") == 401
    assert jira.deliver(door, body, secret=None) == 401
    assert jira.deliver(door, body, secret=None, signature="sha1=" + "0" * 40) == 401
    assert jira.deliver(door, body, secret=None, signature="sha256=") == 401
    assert jira.deliver(door, {**body, "timestamp": 1}, secret=None,
                        signature=f"sha256={'a' * 64}") == 401  # fmt: skip

    assert inbox_rows(conversation) == before
    conversation.settle()
    assert fix(conversation).state.value == "running"


def test_a_replayed_delivery_is_applied_once(conversation, jira, door):
    key = filed_defect(conversation)
    before = len(requester_thread(conversation))
    body = jira.comment(key, "[public] Deployed to staging, production tomorrow.")

    assert jira.deliver(door, body, secret=SECRET, identifier="wh-1") == 202
    assert jira.deliver(door, body, secret=SECRET, identifier="wh-1") == 200  # Jira's retry of that delivery
    assert jira.deliver(door, body, secret=SECRET, identifier="wh-2") == 202  # the same comment delivered again
    conversation.settle()

    thread = requester_thread(conversation)
    assert len(thread) == before + 1
    assert thread[-1].endswith("(engineering): Deployed to staging, production tomorrow.")


def test_a_signed_delivery_about_an_issue_no_request_links_changes_nothing(conversation, jira, door):
    key = filed_defect(conversation)
    other = jira.transition(key, "Done", "done")
    other = {**other, "issue": {**other["issue"], "key": "OPS-99"}}  # an issue of the project no request links
    foreign = {**other, "issue": {**other["issue"], "key": "HR-1"}}  # another project's
    not_json = b"not json"

    assert jira.deliver(door, other, secret=SECRET) == 202
    assert jira.deliver(door, foreign, secret=SECRET) == 202
    assert jira.deliver_raw(door, not_json, secret=SECRET) == 400
    conversation.settle()

    assert fix(conversation).state.value == "running"
    with conversation.database.read() as session:
        link = defect_links.link_of(session, ticket_of(conversation).id)
    assert link is not None
    assert link.state == "open"
