"""Answers through a response_url: delivered as Slack shows them, retried on 429 and 5xx, dead once expired."""

from pathlib import Path

import pytest

from bot.delivery import Deliverer
from bot.delivery.slack_payload import InvalidPayload, SlackPayload
from slack_emulator import RESPONSE_URL, UPLOAD, Fails, RateLimited, ServerError, SlackEmulator
from storage.engine import Database
from storage.kinds import OutboxState
from tests.bot.delivery.helpers import ManualClock, drain, enqueue, entry


def _answer(db, clock, emulator, key="answer", user="bob", text="SR-000001: resolved."):
    where = emulator.workspace.channel("support-agents")
    url = emulator.response_url(where.id, emulator.workspace.user(user).id)
    enqueue(db, clock, key, "response_url", args={"url": url, "text": text})
    return url


def test_an_answer_lands_as_an_ephemeral_message_for_its_person(
    db: Database, clock: ManualClock, emulator: SlackEmulator, deliverer: Deliverer
) -> None:
    _answer(db, clock, emulator)
    drain(deliverer, clock)
    (seen,) = emulator.workspace.ephemerals(user="bob")
    assert seen.text == "SR-000001: resolved."
    assert entry(db, "answer").state is OutboxState.SENT
    assert entry(db, "answer").destination == emulator.root_url.split("//")[1].rstrip("/")


def test_a_server_error_or_a_429_is_retried(
    db: Database, clock: ManualClock, emulator: SlackEmulator, deliverer: Deliverer
) -> None:
    emulator.fail(RESPONSE_URL, ServerError(), RateLimited(retry_after=0))
    _answer(db, clock, emulator)
    drain(deliverer, clock)
    assert [call.status for call in emulator.calls(RESPONSE_URL)] == [500, 429, 200]
    assert entry(db, "answer").state is OutboxState.SENT


def test_an_expired_url_is_dead_at_once_and_the_url_is_not_in_the_error(
    db: Database, clock: ManualClock, emulator: SlackEmulator, deliverer: Deliverer
) -> None:
    emulator.fail(RESPONSE_URL, Fails("expired_url", status=404))
    url = _answer(db, clock, emulator)
    drain(deliverer, clock)
    dead = entry(db, "answer")
    assert dead.state is OutboxState.DEAD
    assert "HTTP 404" in (dead.last_error or "")
    assert url not in (dead.last_error or "")


@pytest.mark.parametrize("args", [{}, {"url": "ftp://x"}, {"url": ""}])
def test_a_response_url_payload_needs_an_http_url(args) -> None:
    with pytest.raises(InvalidPayload):
        SlackPayload("response_url", args)


def test_a_stored_file_is_shared_in_its_thread_by_the_two_step_upload(
    db: Database, clock: ManualClock, emulator: SlackEmulator, deliverer: Deliverer, tmp_path: Path
) -> None:
    path = tmp_path / "trace.txt"
    path.write_bytes(b"stack trace")
    support = emulator.workspace.channel("support").id
    enqueue(db, clock, "root", args={"channel": support, "text": "root"})
    args = {"channel": support, "path": str(path), "filename": "trace.txt", "title": "trace.txt"}
    enqueue(db, clock, "file", "files.upload", args=args, thread_of="root")
    enqueue(db, clock, "gone", "files.upload", args={**args, "path": str(tmp_path / "nope")})
    drain(deliverer, clock)
    root_ts = entry(db, "root").result["ts"]
    (shared,) = emulator.workspace.messages(support, thread_ts=root_ts)[1:]
    assert emulator.workspace.file(shared.files[0]).content == b"stack trace"
    assert len(emulator.calls(UPLOAD)) == 1
    assert entry(db, "gone").state is OutboxState.DEAD
