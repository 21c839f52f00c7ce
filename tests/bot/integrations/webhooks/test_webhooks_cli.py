"""`frontdesk webhooks test NAME` against a loopback receiver that verifies the signature with the documented
recipe (on the wall clock, as the command signs): delivered, refused, and an unknown name."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage import outbox
from storage.engine import Database
from storage.kinds import OutboxState
from tests.bot.cli.conftest import run_frontdesk
from tests.bot.integrations.webhooks.receiver import PATH, receiving
from tests.standins.server import Status

SECRET = "ops-endpoint-signing-secret-0123"
DESK = """
policy = "owkin"
[slack]
intake_channel = "C0INTAKE1"
agents_channel = "C0AGENTS1"
[agents]
users = ["U0AGENT01"]
[[webhooks]]
name = "ops"
url = "{url}"
events = ["request.opened"]
secret_env = "OPS_SECRET"
[[webhooks]]
name = "audit"
url = "https://hooks.example.com/audit"
events = ["request.closed"]
secret_env = "AUDIT_SECRET"
"""


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def receiver(db: Database, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with receiving(SECRET.encode(), lambda: datetime.now(UTC)) as (receiver, server):
        config = tmp_path / "frontdesk.toml"
        config.write_text(DESK.format(url=f"{server.url}{PATH}"), encoding="utf-8")
        monkeypatch.setenv("FRONTDESK_CONFIG", str(config))
        monkeypatch.setenv("FRONTDESK_DATABASE_URL", database_url)
        monkeypatch.setenv("OPS_SECRET", SECRET)
        yield receiver, server


def test_a_ping_is_signed_delivered_and_its_answer_printed(receiver, db: Database) -> None:
    got, _ = receiver
    done = run_frontdesk("webhooks", "test", "ops")
    assert (done.exit_code, done.stdout) == (0, "Webhook ops: ping delivered, HTTP 200.\n")
    ((ping),) = got.events
    assert ping["type"] == "ping"
    assert ping["data"] == {"webhook": "ops"}
    assert "request" not in ping
    assert SECRET not in done.stdout + done.stderr


def test_a_refused_ping_exits_1_and_is_a_dead_letter(receiver, db: Database) -> None:
    _, server = receiver
    server.fault("POST", PATH, Status(404, json={"error": "no such hook"}))
    done = run_frontdesk("webhooks", "test", "ops")
    assert done.exit_code == 1
    assert done.stdout == (
        "Webhook ops: ping refused after 1 try: HTTP 404 from webhook:ops POST 127.0.0.1: no such hook.\n"
        "It is a dead letter: frontdesk status lists it.\n"
    )
    with db.read() as session:
        (letter,) = outbox.dead_letters(session)
    assert letter.destination == "webhook:ops POST 127.0.0.1"


def test_a_ping_retried_after_a_5xx_within_the_wait(receiver, db: Database) -> None:
    got, server = receiver
    server.fault("POST", PATH, Status(502))
    done = run_frontdesk("webhooks", "test", "ops")
    assert (done.exit_code, done.stdout) == (0, "Webhook ops: ping delivered, HTTP 200.\n")
    assert len(server.received) == 2
    assert len(got.events) == 1


def test_an_unknown_name_lists_the_names_and_a_missing_secret_is_named(receiver, db: Database, monkeypatch) -> None:
    done = run_frontdesk("webhooks", "test", "pager")
    assert done.exit_code == 2
    assert '"pager" is not a webhook of this desk config (its webhooks: ops, audit)' in done.stderr
    done = run_frontdesk("webhooks", "test", "audit")
    assert done.exit_code == 2
    assert "the environment variable AUDIT_SECRET is not set" in done.stderr
    with db.read() as session:
        assert outbox.outbox_counts(session)[OutboxState.PENDING] == 0
