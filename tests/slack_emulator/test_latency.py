"""Latency: every answer can be made to wait, for all methods or one, fixed or drawn reproducibly from a range."""

import threading
import time
from collections.abc import Callable

import pytest

from slack_emulator import UPLOAD, SlackEmulator, Workspace
from slack_emulator.faults import Latencies


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def test_by_default_slack_answers_at_once(emulator: SlackEmulator) -> None:
    assert emulator.latency == 0
    assert timed(emulator.client().auth_test) < 0.1


def test_a_latency_delays_every_method_and_a_methods_own_overrides_it(emulator: SlackEmulator) -> None:
    client = emulator.client()
    emulator.latency = 0.2
    emulator.set_latency("users.info", 0.0)
    assert timed(client.auth_test) >= 0.2
    assert timed(lambda: client.chat_postMessage(channel="#support", text="late")) >= 0.2
    assert timed(lambda: client.users_info(user=emulator.workspace.user("alice").id)) < 0.15
    emulator.set_latency("users.info", None)
    assert timed(lambda: client.users_info(user=emulator.workspace.user("alice").id)) >= 0.2


def test_uploads_can_be_slow_on_their_own(emulator: SlackEmulator) -> None:
    emulator.set_latency(UPLOAD, 0.3)
    client = emulator.client()
    assert timed(client.auth_test) < 0.1
    assert timed(lambda: client.files_upload_v2(channel="#support", content=b"x", filename="a.txt")) >= 0.3


def test_a_latency_given_at_start_applies_and_answers_stay_normal() -> None:
    with SlackEmulator(Workspace.example(), latency=(0.1, 0.15)) as emulator:
        client = emulator.client()
        spent = timed(lambda: client.chat_postMessage(channel="#support", text="hi"))
        assert spent >= 0.1
        assert [m.text for m in emulator.workspace.messages(emulator.workspace.channel("support"))] == ["hi"]


def test_a_range_is_drawn_from_a_seeded_generator_so_runs_repeat() -> None:
    first, second, other = Latencies((0.1, 0.3), seed=7), Latencies((0.1, 0.3), seed=7), Latencies((0.1, 0.3), seed=8)
    draws = [first.draw("chat.postMessage") for _ in range(20)]
    assert draws == [second.draw("chat.postMessage") for _ in range(20)]
    assert draws != [other.draw("chat.postMessage") for _ in range(20)]
    assert all(0.1 <= d <= 0.3 for d in draws)


@pytest.mark.parametrize("delay", [-0.1, (0.3, 0.1), (-1.0, 0.2)])
def test_a_latency_is_never_negative_nor_an_upside_down_range(delay: float | tuple[float, float]) -> None:
    with pytest.raises(ValueError, match="latency"):
        Latencies(delay)
    with pytest.raises(ValueError, match="latency"):
        Latencies().set("auth.test", delay)


def test_stopping_ends_a_latency_at_once() -> None:
    emulator = SlackEmulator(latency=30).start()
    outcome: list[object] = []

    def call() -> None:
        try:
            outcome.append(emulator.client(timeout=30).auth_test()["ok"])
        except Exception as error:  # the answer may be cut off by the stop
            outcome.append(error)

    thread = threading.Thread(target=call)
    thread.start()
    started = time.perf_counter()
    emulator.stop()
    thread.join()
    assert time.perf_counter() - started < 5
    assert outcome
