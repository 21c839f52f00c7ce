"""Jira end to end on loopback (docs/integrations.md, "Jira"): a defect confirmed in Slack, the outgoing HTTP
channel, and the Jira stand-in (tests/standins/jira.py), which checks every request against Atlassian's
description. One issue per defect even when the first answer is lost (and the search index lags); Data Center's
create; what Jira says applied through the defect service."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from bot.config.desk import DeskConfig
from bot.desk import defects
from bot.integrations.calls import Caller, HttpSender
from bot.integrations.trackers.callers import tracker_callers
from bot.say import Say
from slack_emulator import Workspace
from storage import defect_links, outbox
from storage.kinds import OutboxState
from tests.bot.conversation import Conversation, conversation_on, desk_config
from tests.bot.desk.conftest import card_of, complete_request, frontdesk, ticket_of
from tests.standins.jira import JiraStandIn
from tests.standins.server import Lost

EMAIL, TOKEN, SECRET = "frontdesk-bot@example.com", "atlassian-api-token-1", "jira-webhook-secret-1"
ENV = {"JIRA_EMAIL": EMAIL, "JIRA_API_TOKEN": TOKEN, "JIRA_WEBHOOK_SECRET": SECRET}


def jira_table(jira: JiraStandIn) -> str:
    email = 'email_env = "JIRA_EMAIL"\n' if jira.flavour == "cloud" else ""
    return (f'[jira]\nurl = "{jira.url}"\nflavour = "{jira.flavour}"\nproject = "OPS"\nlabels = ["support"]\n'
            f'token_env = "JIRA_API_TOKEN"\n{email}webhook_secret_env = "JIRA_WEBHOOK_SECRET"\n')  # fmt: skip


def callers(desk: DeskConfig, environ: dict[str, str]) -> dict[str, Caller]:
    """The Callers as the app builds them at start: answers go to the defect service."""
    return tracker_callers(desk, environ, partial(defects.on_sent, desk=desk, say_for=lambda s, now: Say(s, desk, now)))


@pytest.fixture(params=["cloud"])
def jira(request: pytest.FixtureRequest) -> Iterator[JiraStandIn]:
    with JiraStandIn(request.param, email=EMAIL, token=TOKEN) as stand_in:
        yield stand_in
    assert stand_in.problems == []
    assert stand_in.server.internal_errors == []
    assert stand_in.refused == []


def jira_desk(db, tmp_path: Path, jira: JiraStandIn) -> Iterator[Conversation]:  # type: ignore[no-untyped-def]
    workspace = Workspace.example()
    yield from conversation_on(db, workspace, desk_config(workspace, tmp_path, extra=jira_table(jira)))


def send_all(conversation: Conversation, at: datetime) -> datetime:
    """Runs the HTTP channel from `at` until nothing is left to send, jumping to each retry; the last instant."""
    sender = HttpSender(conversation.database, callers(conversation.desk, ENV), lambda: at)
    moment = at
    for _ in range(30):
        claimed = sender.send_once(moment)
        if not claimed and sender.next_due is None:
            break
        moment = max(moment + timedelta(seconds=1), sender.next_due or moment)
    conversation.now = moment
    conversation.settle()
    return moment


def confirmed_defect(conversation: Conversation) -> None:
    complete_request(conversation, "The CSV export stops after 1000 rows")
    frontdesk(conversation, "defect 1")


def test_a_confirmed_defect_is_filed_once_even_when_the_first_answer_is_lost(db, tmp_path, jira):
    for conversation in jira_desk(db, tmp_path, jira):
        jira.server.fault("POST", "/rest/api/3/issue", Lost(act=True))
        jira.search_lag = 1  # the first look after the lost answer does not find the issue yet

        confirmed_defect(conversation)
        send_all(conversation, conversation.now)

        assert list(jira.issues) == ["OPS-1"]
        issue = jira.issues["OPS-1"]
        assert issue.fields["summary"].startswith("SR-000001: ")
        assert issue.fields["labels"] == ["support", "frontdesk", "frontdesk-SR-000001"]
        assert len(jira.server.calls("POST", "/rest/api/3/issue")) == 1
        assert len(jira.server.calls("GET", jira.search_path)) == 2
        with conversation.database.read() as session:
            link = defect_links.link_of(session, ticket_of(conversation).id)
            assert outbox.outbox_entry(session, "jira:create:SR-000001").state is OutboxState.SENT
        assert link is not None
        assert (link.issue.key, link.issue.url) == ("OPS-1", f"{jira.url}/browse/OPS-1")
        assert "OPS-1" in card_of(conversation, 0).text
