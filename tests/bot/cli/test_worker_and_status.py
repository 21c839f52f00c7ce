"""`frontdesk worker` processes what a receiver stored and runs the sweeps; `frontdesk status` reports on it all."""

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.delivery.slack_payload import SlackPayload, enqueue_slack
from slack_emulator import SlackEmulator, Workspace
from storage import outbox
from storage.engine import Database
from tests.bot.cli.conftest import run_frontdesk
from tests.bot.cli.test_run import banner, desk_file
from tests.bot.slack.conftest import receiving
from tests.storage.helpers import NOW


@pytest.fixture
def backend() -> str:
    return "sqlite"


def test_the_worker_answers_what_the_receiver_stored_and_status_shows_the_sweeps(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    with SlackEmulator(Workspace.example()) as emulator, receiving(emulator, db) as (_, slack, _):
        said = slack.dm("alice", "The dashboard is blank")
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": emulator.bot_token,
            "SLACK_API_URL": emulator.base_url,
            "FRONTDESK_CONFIG": str(desk_file(tmp_path, emulator.workspace)),
            "FRONTDESK_DATABASE_URL": database_url,
        }
        env.pop("SLACK_APP_TOKEN", None)
        script = Path(sys.executable).with_name("frontdesk")
        process = subprocess.Popen([str(script), "worker"], env=env, stderr=subprocess.PIPE, text=True)
        try:
            assert banner(process.stderr).startswith("frontdesk: worker running")
            question = emulator.wait_for_call(
                "chat.postMessage", lambda call: str(call.arg("text")).startswith("Can we reach you"), timeout=15
            )
            assert question.arg("thread_ts") == said.message.ts
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=30)
            rest = process.stderr.read()
            process.stderr.close()
        assert code == 0, rest
    os.environ["FRONTDESK_DATABASE_URL"] = database_url
    try:
        shown = run_frontdesk("status")
    finally:
        del os.environ["FRONTDESK_DATABASE_URL"]
    assert shown.exit_code == 0, shown.stderr
    assert "Inbox:  pending 0, processing 0, done 1, dead 0\n" in shown.stdout
    for sweep in ("milestones", "abandoned-intake", "resolved-unanswered", "dead-letters"):
        assert f"  {sweep}" in shown.stdout
    assert "Dead letters: none\n" in shown.stdout


def test_status_lists_dead_letters_and_exits_1(db: Database, database_url: str, monkeypatch) -> None:
    with db.write() as session:
        enqueue_slack(session, key="lost", payload=SlackPayload("chat.postMessage", {"channel": "C1", "text": "x"}),
                      now=NOW)  # fmt: skip
    (claim,) = outbox.claim_outbox(db, now=NOW, lease_for=timedelta(minutes=1), limit=1)
    with db.write() as session:
        outbox.dead_letter(session, claim, error="channel_not_found")
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", database_url)
    shown = run_frontdesk("status")
    assert shown.exit_code == 1
    assert "Outbox: pending 0, sending 0, parked 0, sent 0, dead 1, dismissed 0\n" in shown.stdout
    assert "to C1 (slack), 1 tries: channel_not_found" in shown.stdout
    assert "Sweeps:\n  none has run yet\n" in shown.stdout


def test_status_without_a_database_is_one_clear_line(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'nothing.db'}")
    shown = run_frontdesk("status")
    assert shown.exit_code == 2
    assert len(shown.stderr.strip().splitlines()) == 1
