"""The inbox worker when Slack says "later": look-ups wait out Retry-After and backoff for a time budget, the
agents hear once when it runs out, nothing is lost or done twice; what holds a trigger goes first; a crashed
worker's rows are taken again within seconds (docs/operations.md, "When Slack says later" and "Recovery")."""

import threading
from datetime import timedelta

from sqlmodel import func, select

from bot.delivery.deliverer import Deliverer, delivery_client
from bot.process.inbox_worker import LEASE, InboxWorker
from bot.threads.heartbeat import Heartbeat
from slack_emulator import RateLimited, ServerError, Upload
from storage import inbox
from storage.kinds import InboxState
from storage.tables import Ticket
from storage.tables.queues import OutboxItem
from tests.bot.conversation import Conversation

PNG = b"\x89PNG\r\n\x1a\n" + bytes(100)


def _deliver(conversation: Conversation, now) -> None:
    client = delivery_client(conversation.emulator.bot_token, conversation.emulator.base_url)
    deliverer = Deliverer(conversation.database, client, lambda: now)
    moment = now
    for _ in range(60):
        if not deliverer.deliver_once(moment) and deliverer.next_due is None:
            return
        moment += timedelta(seconds=2)


def _states(conversation: Conversation) -> list[InboxState]:
    with conversation.database.read() as session:
        return [row.state for row in inbox.inbox_rows(session)]


def _count_requests(conversation: Conversation) -> int:
    with conversation.database.read() as session:
        return session.exec(select(func.count()).select_from(Ticket)).one()


def test_look_ups_refused_for_two_minutes_then_accepted_open_the_request_once(conversation):
    emulator, start = conversation.emulator, conversation.now
    emulator.fail("users.info", RateLimited(retry_after=30), times=None)
    emulator.fail("files.info", ServerError(), times=None)
    said = conversation.slack.dm("alice", "Export fails with a 500", files=[Upload("error.png", PNG)])
    worker = conversation.worker
    calls = []
    for second in range(0, 121, 5):
        worker.process_once(start + timedelta(seconds=second))
        calls.append(len(emulator.calls("users.info")))
    assert _states(conversation) == [InboxState.PENDING]  # kept, waiting
    assert calls[-1] <= 5  # Retry-After 30 s respected: at most one call each 30 s, never a spin
    emulator.clear_faults()
    worker.process_once(start + timedelta(minutes=3))
    worker.process_once(start + timedelta(minutes=10))  # a second pass finds nothing left to do
    _deliver(conversation, start + timedelta(minutes=10))
    assert _states(conversation) == [InboxState.DONE]
    assert _count_requests(conversation) == 1
    replies = [
        m.text for m in conversation.thread(said.message.channel, said.message.ts) if m.user == conversation.bot_user
    ]
    assert replies
    assert replies[0].startswith("*Your request so far*")
    assert len([r for r in replies if r.startswith("*Your request so far*")]) == 1


def test_when_slack_says_later_past_the_budget_the_agents_hear_once_and_tries_go_on_slowly(conversation):
    emulator, start = conversation.emulator, conversation.now
    worker = InboxWorker(conversation.database, conversation.desk, emulator.client(), bot_user=conversation.bot_user,
                         budget=timedelta(minutes=5))  # fmt: skip
    emulator.fail("users.info", ServerError(), times=None)
    conversation.slack.dm("alice", "Nothing loads")
    for minute in range(0, 60, 1):
        worker.process_once(start + timedelta(minutes=minute))
    tried = len(emulator.calls("users.info"))
    assert tried < 20  # backoff, then every 10 minutes
    _deliver(conversation, start + timedelta(minutes=60))
    told = [m.text for m in emulator.workspace.messages(conversation.desk.agents_channel)]
    assert len(told) == 1
    assert told[0].startswith(":hourglass: Something <@")
    assert "nothing is lost" in told[0]
    assert _states(conversation) == [InboxState.PENDING]
    emulator.clear_faults()
    worker.process_once(start + timedelta(minutes=75))
    assert _states(conversation) == [InboxState.DONE]
    assert _count_requests(conversation) == 1


def test_a_support_command_behind_a_burst_of_messages_is_handled_first(conversation):
    for number in range(10):
        conversation.slack.dm("alice", f"Problem number {number}")
    conversation.slack.slash_command("/support", "carol", "support", "")
    conversation.worker.process_once(conversation.now)
    with conversation.database.read() as session:
        rows = inbox.inbox_rows(session)
    assert all(row.state == InboxState.DONE for row in rows)
    with conversation.database.read() as session:
        methods = [row.payload["method"] for row in session.exec(select(OutboxItem).order_by(OutboxItem.id))]
    assert methods[0] == "views.open"  # stored before any reply to the burst


def test_a_crashed_workers_rows_are_taken_again_within_ten_seconds_and_done_once(conversation):
    conversation.slack.dm("alice", "The login page is blank")
    start = conversation.now
    (claim,) = inbox.claim_inbox(conversation.database, now=start, lease_for=LEASE)  # then the process dies
    assert conversation.worker.process_once(start + timedelta(seconds=5)) == 0  # still its lease
    restarted = InboxWorker(conversation.database, conversation.desk, conversation.emulator.client(),
                            bot_user=conversation.bot_user)  # fmt: skip
    assert timedelta(seconds=10) >= LEASE
    assert restarted.process_once(start + LEASE) == 1
    assert _states(conversation) == [InboxState.DONE]
    assert _count_requests(conversation) == 1
    assert claim.attempts == 1


def test_the_heartbeat_renews_while_work_goes_on_and_stops_with_it():
    beats: list[timedelta] = []
    three = threading.Event()

    def renew(elapsed: timedelta) -> None:
        beats.append(elapsed)
        if len(beats) >= 3:
            three.set()

    with Heartbeat(renew, every=0.01):
        assert three.wait(10)
    after = len(beats)
    assert beats == sorted(beats)
    assert beats[0] > timedelta(0)
    assert len(beats) == after  # no beat once it is over
