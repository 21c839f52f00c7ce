"""`frontdesk outbox retry|dismiss` on a real SQLite file: a dead letter sent again or set aside, audited, and
`frontdesk status` no longer exiting 1 for it; unknown or wrong IDs are one clear line."""

from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.delivery.slack_payload import SlackPayload, enqueue_slack
from storage import outbox
from storage.engine import Database
from storage.kinds import OutboxState
from storage.tables import AuditEvent
from tests.bot.cli.conftest import run_console_script, run_frontdesk
from tests.storage.helpers import NOW


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def dead(db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Three dead letters, #1 to #3, in the database FRONTDESK_DATABASE_URL names."""
    with db.write() as session:
        for n in range(3):
            payload = SlackPayload("chat.postMessage", {"channel": f"C{n}", "text": "x"})
            enqueue_slack(session, key=f"lost {n}", payload=payload, now=NOW)
    claims = outbox.claim_outbox(db, now=NOW, lease_for=timedelta(minutes=1))
    with db.write() as session:
        for claim in claims:
            outbox.dead_letter(session, claim, error="invalid_blocks")
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", database_url)
    return [claim.id for claim in claims]


def states(db: Database) -> dict[OutboxState, int]:
    with db.read() as session:
        counts = outbox.outbox_counts(session)
    return {state: count for state, count in counts.items() if count}


def test_a_dead_letter_is_retried_another_dismissed_and_status_then_exits_0(db: Database, dead: list[int]) -> None:
    assert run_frontdesk("status").exit_code == 1
    retried = run_frontdesk("outbox", "retry", "#1")
    assert (retried.exit_code, retried.stdout) == (
        0, "Dead letter #1 is pending again, attempts reset: the delivery worker sends it on its next round.\n"
    )  # fmt: skip
    dismissed = run_frontdesk("outbox", "dismiss", "2")
    assert (
        dismissed.stdout
        == "Dead letter #2 dismissed: it is kept, never sent, and no longer counted by frontdesk status.\n"
    )
    assert states(db) == {OutboxState.PENDING: 1, OutboxState.DEAD: 1, OutboxState.DISMISSED: 1}
    assert run_frontdesk("outbox", "dismiss", "3").exit_code == 0
    shown = run_frontdesk("status")
    assert shown.exit_code == 0
    assert "Outbox: pending 1, sending 0, parked 0, sent 0, dead 0, dismissed 2\n" in shown.stdout
    assert "Dead letters: none\n" in shown.stdout
    with db.read() as session:
        trail = [(e.action, e.subject, e.actor) for e in session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))]
    assert trail == [("outbox.retried", "outbox:1", "cli"), ("outbox.dismissed", "outbox:2", "cli"),
                     ("outbox.dismissed", "outbox:3", "cli")]  # fmt: skip


def test_retry_all_sends_every_dead_letter_again(db: Database, dead: list[int]) -> None:
    outcome = run_console_script("outbox", "retry", "--all")  # the installed command, as an operator types it
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stdout.startswith("3 dead letter(s) (#1, #2, #3) are pending again, attempts reset")
    assert states(db) == {OutboxState.PENDING: 3}
    assert run_frontdesk("outbox", "retry", "--all").stdout == "No dead letters to retry.\n"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("retry", "42"), "frontdesk: there is no outbox message #42\n"),
        (
            ("dismiss", "SR-1"),
            'frontdesk: "SR-1" is not the ID of a dead letter, such as 12 (frontdesk status lists them)\n',
        ),
        (("retry",), "frontdesk: give the ID of a dead letter (frontdesk status lists them) or --all, not both\n"),
        (
            ("retry", "1", "--all"),
            "frontdesk: give the ID of a dead letter (frontdesk status lists them) or --all, not both\n",
        ),
    ],
)
def test_a_wrong_id_is_one_clear_line_and_changes_nothing(
    db: Database, dead: list[int], args: tuple[str, ...], error: str
) -> None:
    outcome = run_frontdesk("outbox", *args)
    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (2, "", error)
    assert states(db) == {OutboxState.DEAD: 3}


def test_a_message_that_is_not_a_dead_letter_is_refused_by_its_state(db: Database, dead: list[int]) -> None:
    run_frontdesk("outbox", "retry", "1")
    outcome = run_frontdesk("outbox", "dismiss", "1")
    assert (outcome.exit_code, outcome.stderr) == (2, "frontdesk: outbox message #1 is pending, not a dead letter\n")
