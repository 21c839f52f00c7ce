"""Jira's calls through the outgoing HTTP channel on loopback (bot.integrations.calls with the Jira Caller built at
start), on SQLite and PostgreSQL, against the Jira stand-in: credentials added at send time and never stored, a 429
obeyed, a lost answer looked for before filing again, a wrong token a dead letter, Data Center's bearer token and
plain text. No request is linked here (the defect service's part is tests/bot/integrations/trackers/test_jira.py)."""

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from bot.config.desk import DeskConfig, parse_desk_config
from bot.desk import defects
from bot.integrations.calls import Caller, HttpSender, HttpSettings, Timeouts, call_later
from bot.integrations.trackers import adf
from bot.integrations.trackers.callers import tracker_callers
from bot.integrations.trackers.configured import trackers
from bot.integrations.trackers.tracker import Deadline, Defect, create_key
from bot.say import Say
from storage import outbox
from storage.engine import Database
from storage.kinds import OutboxState
from tests.bot.delivery.helpers import ManualClock
from tests.standins.jira import JiraStandIn
from tests.standins.server import Lost, Status

EMAIL, TOKEN = "frontdesk-bot@example.com", "atlassian-api-token-1"
ENV = {"JIRA_EMAIL": EMAIL, "JIRA_API_TOKEN": TOKEN}
DEFECT = Defect("SR-000007", "Export *fails*", "Rows {code}after 1000{code} are [lost|https://evil.example].",
                "1. Export\n2. Count", "P2", "major", (Deadline("Permanent fix", None),), "SR-000007")  # fmt: skip
SETTINGS = HttpSettings(timeouts=Timeouts(connect=2, read=1))


def desk_for(jira: JiraStandIn, tmp_path: Path) -> DeskConfig:
    email = 'email_env = "JIRA_EMAIL"\n' if jira.flavour == "cloud" else ""
    text = f"""
policy = "owkin"
[slack]
intake_channel = "C0INTAKE01"
agents_channel = "C0AGENTS01"
[agents]
users = ["U0AGENT001"]
[jira]
url = "{jira.url}"
flavour = "{jira.flavour}"
project = "OPS"
token_env = "JIRA_API_TOKEN"
{email}"""
    return parse_desk_config(text, source="desk.toml", folder=tmp_path)


def callers(desk: DeskConfig, environ: dict[str, str]) -> dict[str, Caller]:
    """The Callers as the app builds them at start: answers go to the defect service."""
    return tracker_callers(desk, environ, partial(defects.on_sent, desk=desk, say_for=lambda s, now: Say(s, desk, now)))


@pytest.fixture(params=["cloud", "datacenter"])
def jira(request: pytest.FixtureRequest) -> Iterator[JiraStandIn]:
    with JiraStandIn(request.param, email=EMAIL, token=TOKEN) as stand_in:
        yield stand_in
    assert stand_in.problems == []
    assert stand_in.server.internal_errors == []


def file(db: Database, desk: DeskConfig, clock: ManualClock) -> str:
    (tracker,) = trackers(desk)
    key = create_key("jira", DEFECT.sr)
    with db.write() as session:
        call_later(session, tracker.create_call(DEFECT), key=key, now=clock.now, ordering_key="jira:SR-000007")
    return key


def run(db: Database, desk: DeskConfig, clock: ManualClock, env: dict[str, str] = ENV) -> None:
    """Sends until nothing is due, moving the clock to each retry."""
    sender = HttpSender(db, callers(desk, env), clock, SETTINGS, rng=random.Random(3))
    for _ in range(20):
        if not sender.send_once(clock.now) and sender.next_due is None:
            return
        clock.advance(max(timedelta(seconds=1), (sender.next_due or clock.now) - clock.now))


def entry(db: Database, key: str) -> outbox.OutboxEntry:
    with db.read() as session:
        found = outbox.outbox_entry(session, key)
    assert found is not None
    return found


def test_filed_with_credentials_added_at_send_time(db: Database, tmp_path: Path, jira: JiraStandIn) -> None:
    desk, clock = desk_for(jira, tmp_path), ManualClock()
    key = file(db, desk, clock)

    run(db, desk, clock)

    assert list(jira.issues) == ["OPS-1"]
    assert jira.refused == []
    row = entry(db, key)
    assert row.state is OutboxState.SENT
    assert TOKEN not in repr(row)
    header = jira.server.calls("POST", f"{jira.api}/issue")[0].headers["authorization"]
    assert header.startswith("Basic " if jira.flavour == "cloud" else "Bearer ")
    description = jira.issues["OPS-1"].fields["description"]
    if jira.flavour == "datacenter":  # plain text; the requester's markup shown, never acted on
        assert "Rows \\{code\\}after 1000\\{code\\} are \\[lost\\|https://evil.example\\]." in description
    else:  # an ADF document (the stand-in checked it against the ADF schema): text and links only
        assert description["type"] == "doc"
        assert "Rows {code}after 1000{code} are [lost|https://evil.example]." in adf.text_of(description)
        assert {node["type"] for p in description["content"] for node in p["content"]} == {"text", "hardBreak"}


def test_a_429_blocks_jira_until_retry_after_then_files_once(db: Database, tmp_path: Path, jira: JiraStandIn) -> None:
    desk, clock = desk_for(jira, tmp_path), ManualClock()
    key = file(db, desk, clock)
    start = clock.now
    reset = (start + timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%MZ")  # Jira Cloud's headers on a 429
    limited = {"Retry-After": "30", "X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0",
               "X-RateLimit-Reset": reset, "X-RateLimit-NearLimit": "true"}  # fmt: skip
    jira.server.fault("POST", f"{jira.api}/issue", Status(429, limited, {"errorMessages": ["Rate limit exceeded."]}))

    sender = HttpSender(db, callers(desk, ENV), clock, SETTINGS, rng=random.Random(3))
    sender.send_once(clock.now)

    until = max(start + timedelta(seconds=30), datetime.fromisoformat(reset.replace("Z", "+00:00")))
    assert entry(db, key).next_try_at == until
    clock.advance(until - start - timedelta(seconds=1))
    assert sender.send_once(clock.now) == 0
    clock.advance(timedelta(seconds=1))
    run(db, desk, clock)
    assert list(jira.issues) == ["OPS-1"]
    # nothing before Retry-After; then, as after any failed try, Jira is searched (twice) before filing again
    assert [r.method for r in jira.server.received] == ["POST", "GET", "GET", "POST"]
    assert jira.server.received[1].headers.get("authorization", "").startswith(("Basic ", "Bearer "))
    assert entry(db, key).state is OutboxState.SENT


def test_an_answer_lost_before_jira_acted_is_looked_for_twice_then_filed_once(
    db: Database, tmp_path: Path, jira: JiraStandIn
) -> None:
    desk, clock = desk_for(jira, tmp_path), ManualClock()
    key = file(db, desk, clock)
    jira.server.fault("POST", f"{jira.api}/issue", Lost(act=False))

    run(db, desk, clock)

    assert list(jira.issues) == ["OPS-1"]
    assert [r.method for r in jira.server.received] == ["POST", "GET", "GET", "POST"]
    assert entry(db, key).state is OutboxState.SENT


def test_a_wrong_token_is_refused_by_jira_and_a_dead_letter(db: Database, tmp_path: Path, jira: JiraStandIn) -> None:
    desk, clock = desk_for(jira, tmp_path), ManualClock()
    key = file(db, desk, clock)

    run(db, desk, clock, env={**ENV, "JIRA_API_TOKEN": "revoked-token"})

    assert jira.issues == {}
    assert len(jira.refused) == 1
    row = entry(db, key)
    assert row.state is OutboxState.DEAD
    assert row.last_error is not None
    assert "HTTP 401" in row.last_error
    assert "revoked-token" not in row.last_error
