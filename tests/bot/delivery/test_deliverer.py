"""The delivery worker against the emulator over HTTP: references, order, 429, 5xx, network errors, dead letters,
pacing, two workers on one outbox, and a worker that died mid-batch."""

import random
from datetime import timedelta
from functools import partial
from itertools import pairwise

import pytest
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.delivery import Deliverer, DeliverySettings, Pace, delivery_client
from bot.delivery.slack_payload import SlackPayload, enqueue_slack
from slack_emulator import (
    ChannelRateLimit,
    Drop,
    Fails,
    RateLimited,
    ServerError,
    SlackEmulator,
    Slow,
    Workspace,
)
from storage import channel_waits, outbox
from storage.engine import Database
from storage.errors import LeaseLostError
from storage.kinds import OutboxState
from tests.bot.delivery.helpers import ManualClock, active, drain, enqueue, entry, post, texts
from tests.storage.helpers import run_in_threads

SECOND = timedelta(seconds=1)


@pytest.fixture
def support(emulator: SlackEmulator) -> str:
    return emulator.workspace.channel("support").id


def test_a_post_its_thread_reply_and_its_update_are_resolved_by_reference_and_sent_in_order(
    db: Database, clock: ManualClock, emulator: SlackEmulator, deliverer: Deliverer, support: str
) -> None:
    post(db, clock, "card", support)
    post(db, clock, "reply", support, thread_of="card")
    enqueue(db, clock, "card:edit", "chat.update", args={"text": "card, edited"}, update_of="card")
    drain(deliverer, clock)
    first, reply = emulator.calls("chat.postMessage")
    (update,) = emulator.calls("chat.update")
    card_ts = first.response["ts"]
    assert reply.params["thread_ts"] == card_ts
    assert (update.params["ts"], update.params["channel"]) == (card_ts, support)
    assert [call.method for call in emulator.calls()] == ["chat.postMessage", "chat.postMessage", "chat.update"]
    ws = emulator.workspace
    assert [message.text for message in ws.messages(support, thread_ts=card_ts)] == ["card, edited", "reply"]
    assert entry(db, "card").result == {"channel": support, "ts": card_ts}


def test_a_reply_stored_before_the_post_it_threads_under_waits_for_it_instead_of_blocking_it(
    db: Database, clock: ManualClock, emulator: SlackEmulator, deliverer: Deliverer, support: str
) -> None:
    post(db, clock, "early reply", support, thread_of="opening")  # stored in the same transaction, just before
    post(db, clock, "opening", support)
    post(db, clock, "later reply", support, thread_of="opening")
    drain(deliverer, clock)
    opening = entry(db, "opening").result
    assert opening is not None
    replies = emulator.workspace.messages(support, thread_ts=opening["ts"])
    assert sorted(message.text for message in replies if message.ts != opening["ts"]) == ["early reply", "later reply"]
    assert all(entry(db, key).state is OutboxState.SENT for key in ("early reply", "opening", "later reply"))


def test_a_429_is_retried_after_its_retry_after_and_counts_an_attempt(
    db: Database, clock: ManualClock, emulator: SlackEmulator, deliverer: Deliverer, support: str
) -> None:
    emulator.fail("chat.postMessage", RateLimited(retry_after=0))
    post(db, clock, "m", support)
    deliverer.deliver_once(clock.now)
    assert entry(db, "m").state is OutboxState.PENDING
    deliverer.deliver_once(clock.now)
    assert [call.status for call in emulator.calls("chat.postMessage")] == [429, 200]
    assert entry(db, "m").state is OutboxState.SENT


def test_retry_after_blocks_only_its_method(
    db: Database, clock: ManualClock, emulator: SlackEmulator, deliverer: Deliverer, support: str
) -> None:
    agents = emulator.workspace.channel("support-agents").id
    seeded = emulator.workspace.post_message(support, "alice", text="help")
    emulator.fail("chat.postMessage", RateLimited(retry_after=30))
    post(db, clock, "first", support)
    enqueue(db, clock, "eyes", "reactions.add", args={"channel": support, "timestamp": seeded.ts, "name": "eyes"})
    post(db, clock, "second", agents)
    assert deliverer.deliver_once(clock.now) == 3
    assert [call.method for call in emulator.calls()] == ["chat.postMessage", "reactions.add"]  # second not tried
    assert entry(db, "eyes").state is OutboxState.SENT
    clock.advance(29 * SECOND)
    deliverer.deliver_once(clock.now)
    assert len(emulator.calls("chat.postMessage")) == 1
    clock.advance(SECOND)
    deliverer.deliver_once(clock.now)
    assert texts(emulator.calls("chat.postMessage")) == ["first", "second"]
    assert active(db) == 0


def test_retry_after_counts_from_the_moment_the_429_came_not_from_the_start_of_the_batch(
    db: Database, clock: ManualClock, emulator: SlackEmulator, deliverer: Deliverer, support: str
) -> None:
    agents = emulator.workspace.channel("support-agents").id
    batch = clock.now
    post(db, clock, "first", support)
    post(db, clock, "second", agents)
    emulator.fail("chat.postMessage", RateLimited(retry_after=1))
    clock.advance(0.8 * SECOND)  # the batch began at `batch`; the 429 arrives 0.8 s into it
    deliverer.deliver_once(batch)
    assert deliverer.next_due == batch + 1.8 * SECOND
    for moment in (batch + SECOND, batch + 1.7 * SECOND):  # Retry-After from the batch's start would end at 1 s
        clock.now = moment
        deliverer.deliver_once(moment)
    assert [call.status for call in emulator.calls("chat.postMessage")] == [429]
    clock.now = batch + 1.8 * SECOND
    deliverer.deliver_once(clock.now)
    calls = emulator.calls("chat.postMessage")
    after = [(call.status, round(call.time - batch.timestamp(), 3)) for call in calls]
    assert after == [(429, 0.8), (200, 1.8), (200, 1.8)]
    assert texts(calls) == ["first", "second"]


def test_server_errors_are_retried_with_growing_jittered_backoff(
    db: Database, clock: ManualClock, emulator: SlackEmulator, deliverer: Deliverer, support: str
) -> None:
    emulator.fail("chat.postMessage", ServerError(500), times=2)
    post(db, clock, "m", support)
    drain(deliverer, clock, step=timedelta(seconds=0.1))
    calls = emulator.calls("chat.postMessage")
    assert [call.status for call in calls] == [500, 500, 200]
    first_wait, second_wait = calls[1].time - calls[0].time, calls[2].time - calls[1].time
    assert 1 <= first_wait <= 2.1  # base 2 s, half of it jitter
    assert 2 <= second_wait <= 4.1
    assert entry(db, "m").state is OutboxState.SENT


def test_a_dropped_connection_is_retried(
    db: Database, clock: ManualClock, emulator: SlackEmulator, deliverer: Deliverer, support: str
) -> None:
    emulator.fail("chat.postMessage", Drop())
    post(db, clock, "m", support)
    deliverer.deliver_once(clock.now)
    assert entry(db, "m").last_error is not None
    assert "network error" in str(entry(db, "m").last_error)
    drain(deliverer, clock)
    assert [call.status for call in emulator.calls("chat.postMessage")] == [0, 200]
    assert entry(db, "m").state is OutboxState.SENT


@pytest.mark.parametrize("error", ["is_archived", "invalid_auth", "invalid_blocks", "msg_too_long"])
def test_an_error_that_cannot_succeed_dead_letters_at_once_and_so_do_its_dependants(
    db: Database, clock: ManualClock, emulator: SlackEmulator, deliverer: Deliverer, support: str, error: str
) -> None:
    emulator.fail("chat.postMessage", Fails(error))
    post(db, clock, "card", support)
    post(db, clock, "reply", support, thread_of="card")
    drain(deliverer, clock)
    assert len(emulator.calls("chat.postMessage")) == 1
    assert (entry(db, "card").state, entry(db, "card").last_error) == (OutboxState.DEAD, error)
    assert entry(db, "reply").state is OutboxState.DEAD
    assert entry(db, "reply").last_error == f"refers to card, which was dead-lettered ({error})"


def test_rows_for_channels_the_bot_is_not_in_wait_with_what_follows_them_and_go_out_once_it_is_in(
    db: Database, clock: ManualClock, emulator: SlackEmulator, settings: DeliverySettings, support: str
) -> None:
    told: list[str] = []
    client = delivery_client(emulator.bot_token, emulator.base_url, timeout=5)
    deliverer = Deliverer(
        db, client, clock, settings, on_parked=lambda session, waiting, now: told.append(waiting.channel)
    )
    general = emulator.workspace.channel("general").id  # public, the bot not invited: not_in_channel
    post(db, clock, "nowhere", "C0NOTHERE")  # unknown, or private and unseen: channel_not_found
    post(db, clock, "a", general)
    post(db, clock, "a reply", general, thread_of="a")
    enqueue(db, clock, "a edited", "chat.update", args={"text": "a, edited"}, update_of="a")
    post(db, clock, "b", general)
    post(db, clock, "elsewhere", support)
    for _ in range(3):
        deliverer.deliver_once(clock.now)
        clock.advance(SECOND)
    assert told == ["C0NOTHERE", general]  # once per channel
    assert [entry(db, key).state for key in ("nowhere", "a", "a reply", "a edited", "b", "elsewhere")] == [
        OutboxState.PARKED, OutboxState.PARKED, *[OutboxState.PENDING] * 3, OutboxState.SENT,
    ]  # fmt: skip
    assert (entry(db, "nowhere").last_error, entry(db, "a").last_error) == ("channel_not_found", "not_in_channel")
    assert texts(emulator.calls("chat.postMessage")) == ["elsewhere"]  # what follows a parked row is not tried

    emulator.workspace.invite(general, emulator.workspace.app.bot_user_id)
    with db.write() as session:  # what the bot's member_joined_channel does (bot.slack.membership)
        assert channel_waits.release(session, general, now=clock.now) == 1
    drain(deliverer, clock)
    (a, b) = emulator.workspace.messages(general)
    assert (a.text, b.text) == ("a, edited", "b")
    assert [m.text for m in emulator.workspace.messages(general, thread_ts=a.ts)] == ["a, edited", "a reply"]
    assert texts(emulator.calls("chat.postMessage")) == ["elsewhere", "a", "a reply", "b"]

    with db.write() as session:  # the slow fallback tries the oldest parked row again; still refused, no new alert
        assert channel_waits.probe(session, now=clock.now) == 1
    deliverer.deliver_once(clock.now)
    assert (entry(db, "nowhere").state, told) == (OutboxState.PARKED, ["C0NOTHERE", general])


def test_a_post_that_gets_through_to_a_waiting_channel_releases_what_waits_for_it(
    db: Database, clock: ManualClock, emulator: SlackEmulator, deliverer: Deliverer
) -> None:
    general = emulator.workspace.channel("general").id
    parents = [emulator.workspace.post_message(general, "alice", text=f"ask {n}").ts for n in range(3)]
    for n, parent in enumerate(parents):
        post(db, clock, f"r{n}", general, thread_ts=parent)
    deliverer.deliver_once(clock.now)
    assert [entry(db, f"r{n}").state for n in range(3)] == [OutboxState.PARKED] * 3
    emulator.workspace.invite(general, emulator.workspace.app.bot_user_id)  # Slack's event for it never came
    clock.advance(10 * 60 * SECOND)
    with db.write() as session:
        assert channel_waits.probe(session, now=clock.now) == 1  # the oldest only
    drain(deliverer, clock)
    assert sorted(texts(emulator.calls("chat.postMessage"))) == ["r0", "r1", "r2"]
    with db.read() as session:
        assert channel_waits.waiting(session) == []


def test_a_row_that_refers_to_nothing_stored_is_a_dead_letter(
    db: Database, clock: ManualClock, emulator: SlackEmulator, deliverer: Deliverer, support: str
) -> None:
    post(db, clock, "reply", support, thread_of="never-stored")
    with db.write() as session:
        outbox.enqueue(
            session, key="bad", destination_kind="slack", destination=support, payload={"method": "chat.delete"},
            now=clock.now,
        )  # fmt: skip
    drain(deliverer, clock)
    assert emulator.calls() == []
    assert entry(db, "reply").last_error == "refers to never-stored, which is not in the outbox"
    assert str(entry(db, "bad").last_error).startswith("invalid payload: method 'chat.delete' is not one of")


@pytest.mark.parametrize("settings", [DeliverySettings(max_attempts=3)])
def test_a_row_is_dead_lettered_after_max_attempts(
    db: Database, clock: ManualClock, emulator: SlackEmulator, deliverer: Deliverer, support: str
) -> None:
    emulator.fail("chat.postMessage", ServerError(503, "service_unavailable"), times=None)
    post(db, clock, "m", support)
    drain(deliverer, clock)
    assert len(emulator.calls("chat.postMessage")) == 3
    assert (entry(db, "m").state, entry(db, "m").last_error) == (OutboxState.DEAD, "HTTP 503 service_unavailable")


def test_pacing_never_exceeds_the_channels_rate(db: Database, clock: ManualClock, settings: DeliverySettings) -> None:
    workspace = Workspace.example(clock=clock.seconds)
    support, agents = workspace.channel("support").id, workspace.channel("support-agents").id
    parents = [workspace.post_message(support, "alice", text=f"ask {n}").ts for n in range(4)]
    for n in range(12):  # three replies in each of four threads, and top-level posts in another channel
        post(db, clock, f"reply {n}", support, thread_ts=parents[n % 4])
        post(db, clock, f"post {n}", agents)
    with SlackEmulator(workspace, rate_limit=ChannelRateLimit(per_second=1.0, burst=3)) as emulator:
        client = delivery_client(emulator.bot_token, emulator.base_url, timeout=5)
        deliverer = Deliverer(db, client, clock, settings, rng=random.Random(1))
        drain(deliverer, clock, step=timedelta(seconds=0.25))
    calls = emulator.calls("chat.postMessage")
    assert [call.status for call in calls] == [200] * 24  # the emulator's pace was never hit
    for channel in (support, agents):
        times = [call.time for call in calls if call.params["channel"] == channel]
        for start in times:  # at most burst + rate * window calls in any window
            assert all(len([t for t in times if start <= t < start + w]) <= 3 + w for w in (1, 2, 5, 10))
    for parent in parents:
        replies = [str(call.params["text"]) for call in calls if call.params.get("thread_ts") == parent]
        assert replies == sorted(replies, key=lambda text: int(text.split()[1]))
    assert texts([call for call in calls if call.params["channel"] == agents]) == [f"post {n}" for n in range(12)]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_two_workers_deliver_every_row_once_and_each_thread_in_order(
    db: Database, clock: ManualClock, emulator: SlackEmulator, support: str
) -> None:
    parents = [emulator.workspace.post_message(support, "alice", text=f"ask {n}").ts for n in range(5)]
    expected: dict[str, list[str]] = {parent: [] for parent in parents}
    for n in range(40):
        parent = parents[n % 5]
        post(db, clock, f"r{n}", support, thread_ts=parent)
        expected[parent].append(f"r{n}")
    post(db, clock, "card", support)
    for n in range(5):
        post(db, clock, f"card r{n}", support, thread_of="card")
    fast = DeliverySettings(batch_size=4, channel_pace=Pace(per_second=1000, burst=1000))

    def worker(seed: int) -> int:
        client = delivery_client(emulator.bot_token, emulator.base_url, timeout=5)
        deliverer = Deliverer(db, client, clock, fast, rng=random.Random(seed))
        claimed = 0
        while active(db):
            claimed += deliverer.deliver_once(clock.now)
        return claimed

    assert sum(run_in_threads([lambda: worker(1), lambda: worker(2)])) == 46
    calls = emulator.calls("chat.postMessage")
    assert sorted(texts(calls)) == sorted([f"r{n}" for n in range(40)] + ["card"] + [f"card r{n}" for n in range(5)])
    for parent in parents:
        assert texts([call for call in calls if call.params.get("thread_ts") == parent]) == expected[parent]
    card_ts = entry(db, "card").result["ts"]  # type: ignore[index]
    assert texts([call for call in calls if call.params.get("thread_ts") == card_ts]) == [
        f"card r{n}" for n in range(5)
    ]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_three_processes_pacing_one_channel_send_at_most_one_message_a_second_into_it(
    db: Database, database_url: str, clock: ManualClock, emulator: SlackEmulator, support: str
) -> None:
    parents = [emulator.workspace.post_message(support, "alice", text=f"ask {n}").ts for n in range(6)]
    for n in range(12):  # six threads of one channel, so the processes can take rows of it at once
        post(db, clock, f"r{n}", support, thread_ts=parents[n % 6])
    one_a_second = DeliverySettings(batch_size=2, channel_pace=Pace(per_second=1.0, burst=1))
    processes = [Database.from_url(database_url) for _ in range(3)]  # each its own connection pool
    client = partial(delivery_client, emulator.bot_token, emulator.base_url, timeout=5)
    deliverers = [Deliverer(p, client(), clock, one_a_second, rng=random.Random(n)) for n, p in enumerate(processes)]
    start = clock.now
    while active(db) and clock.now - start < 60 * SECOND:
        run_in_threads([lambda worker=worker: worker.deliver_once(clock.now) for worker in deliverers])
        clock.advance(SECOND / 4)
    for database in processes:
        database.dispose()
    calls = emulator.calls("chat.postMessage")
    assert sorted(texts(calls)) == sorted(f"r{n}" for n in range(12))  # every row once, nothing twice
    times = [call.time for call in calls]
    assert all(later - earlier >= 1 - 1e-6 for earlier, later in pairwise(times))
    assert times[-1] - times[0] < 12  # and no slower than the pace
    for n, parent in enumerate(parents):
        replies = emulator.workspace.messages(support, thread_ts=parent)[1:]
        assert [message.text for message in replies] == [f"r{n}", f"r{n + 6}"]


def test_rows_of_a_worker_that_died_mid_batch_are_taken_over_and_none_is_posted_twice(
    db: Database, clock: ManualClock, emulator: SlackEmulator, deliverer: Deliverer, support: str
) -> None:
    parents = [emulator.workspace.post_message(support, "alice", text=f"ask {n}").ts for n in range(3)]
    for n, parent in enumerate(parents):
        post(db, clock, f"m{n}", support, thread_ts=parent)
    lease = deliverer.settings.lease_for
    died = outbox.claim_outbox(db, now=clock.now, lease_for=lease, destination_kind="slack")
    # the worker that died had posted m0 (with its row's key, as every post carries) when it was killed
    mark = {"event_type": "frontdesk_outbox", "event_payload": {"key": "m0"}}
    posted = emulator.client().chat_postMessage(channel=support, text="m0", thread_ts=parents[0], metadata=mark)
    clock.advance(lease / 2)
    assert deliverer.deliver_once(clock.now) == 0  # its lease still holds
    clock.advance(lease / 2)
    assert deliverer.deliver_once(clock.now) == 3
    assert sorted(texts(emulator.calls("chat.postMessage"))) == ["m0", "m1", "m2"]  # m0 found, not posted again
    assert lease <= timedelta(seconds=10)  # taken over within seconds of the crash
    assert entry(db, "m0").result == {"channel": support, "ts": posted["ts"]}
    assert active(db) == 0
    with pytest.raises(LeaseLostError), db.write() as session:  # the dead worker cannot record it again
        outbox.mark_sent(session, died[1], now=clock.now)


def test_the_worker_refuses_a_client_that_would_sleep_on_429s(
    db: Database, clock: ManualClock, emulator: SlackEmulator
) -> None:
    sleeping = emulator.client(retry_handlers=[RateLimitErrorRetryHandler()])
    with pytest.raises(ValueError, match="429"):
        Deliverer(db, sleeping, clock)


def test_a_post_whose_answer_was_lost_is_found_and_not_posted_again(
    db: Database, clock: ManualClock, emulator: SlackEmulator, settings: DeliverySettings, support: str
) -> None:
    emulator.fail("chat.postMessage", Slow(1.5))
    impatient = Deliverer(db, delivery_client(emulator.bot_token, emulator.base_url, timeout=1), clock, settings)
    post(db, clock, "m", support)
    impatient.deliver_once(clock.now)  # times out; Slack posts it all the same a moment later
    emulator.wait_for(lambda calls: any(c.method == "chat.postMessage" and c.status == 200 for c in calls), timeout=10)
    assert entry(db, "m").state is OutboxState.PENDING
    drain(impatient, clock)
    assert [m.text for m in emulator.workspace.messages(support)] == ["m"]
    assert entry(db, "m").state is OutboxState.SENT


def test_a_modal_stored_behind_a_batch_of_posts_is_opened_before_the_rest_of_the_batch(
    db: Database, clock: ManualClock, emulator: SlackEmulator, deliverer: Deliverer, support: str
) -> None:
    parents = [emulator.workspace.post_message(support, "alice", text=f"ask {n}").ts for n in range(5)]
    for n, parent in enumerate(parents):
        post(db, clock, f"p{n}", support, thread_ts=parent)  # five threads: five rows the batch may send
    trigger = emulator.workspace.issue_trigger("alice")
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Support"}, "blocks": []}
    with db.write() as session:
        enqueue_slack(session, key="view", payload=SlackPayload("views.open", {"trigger_id": trigger, "view": view}),
                      now=clock.now)  # fmt: skip
    assert deliverer.deliver_once(clock.now) == 6
    methods = [call.method for call in emulator.calls() if call.method in ("chat.postMessage", "views.open")]
    assert methods[0] == "views.open"
