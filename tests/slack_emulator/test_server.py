"""The emulator as a server: its URLs, the record of calls, waiting on it, scripted failures and pacing."""

import threading
import time
import urllib.request
from http.client import RemoteDisconnected
from urllib.error import HTTPError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from slack_emulator import (
    ANY_METHOD,
    ChannelRateLimit,
    Drop,
    Fails,
    RateLimited,
    ServerError,
    SlackEmulator,
    Slow,
    Workspace,
)
from tests.slack_emulator.helpers import ManualClock, refused

QUICK = FixedValueRetryIntervalCalculator(0.01)


def test_the_base_url_ends_with_a_slash_on_a_loopback_port(emulator: SlackEmulator) -> None:
    assert emulator.base_url.startswith("http://127.0.0.1:")
    assert emulator.base_url.endswith("/api/")


def test_an_unknown_path_is_404(emulator: SlackEmulator) -> None:
    with pytest.raises(HTTPError) as raised:
        urllib.request.urlopen(emulator.root_url + "nothing", timeout=5)
    raised.value.close()
    assert raised.value.code == 404


def test_stopping_twice_or_before_starting_is_harmless() -> None:
    emulator = SlackEmulator()
    with pytest.raises(RuntimeError, match="until it is started"):
        _ = emulator.base_url
    emulator.stop()
    with emulator:
        pass
    emulator.stop()


def test_every_call_is_recorded_with_its_arguments_headers_and_answer(
    clocked_emulator: SlackEmulator, clock: ManualClock
) -> None:
    support = clocked_emulator.workspace.channel("support").id
    clocked_emulator.client().chat_postMessage(channel=support, text="hi", thread_ts="1.000001")
    (call,) = clocked_emulator.calls("chat.postMessage")
    assert call.params == {"channel": support, "text": "hi", "thread_ts": "1.000001"}
    assert call.headers["authorization"] == f"Bearer {clocked_emulator.bot_token}"
    assert call.headers["content-type"].startswith("application/json")
    assert call.token == clocked_emulator.bot_token
    assert (call.status, call.ok, call.error, call.time) == (200, True, None, clock.now)
    assert call.response["channel"] == support


def test_a_refused_call_is_recorded_with_its_error(client: WebClient, emulator: SlackEmulator) -> None:
    refused(client.users_info, user="U99999999")
    assert [(c.method, c.ok, c.error) for c in emulator.calls()] == [("users.info", False, "user_not_found")]


def test_json_text_arguments_are_decoded_for_assertions(client: WebClient, emulator: SlackEmulator) -> None:
    client.api_call("chat.postMessage", params={"channel": "#support", "text": "x", "blocks": '[{"type":"divider"}]'})
    assert emulator.calls("chat.postMessage")[0].arg("blocks") == [{"type": "divider"}]


def test_waiting_for_a_call_made_by_another_thread(emulator: SlackEmulator) -> None:
    go = threading.Event()

    def bot() -> None:
        go.wait(5)
        emulator.client().chat_postMessage(channel="#support", text="from the bot")

    thread = threading.Thread(target=bot)
    thread.start()
    go.set()
    call = emulator.wait_for_call("chat.postMessage", lambda c: c.params["text"] == "from the bot", timeout=5)
    thread.join()
    assert call.ok


def test_waiting_in_vain_says_what_was_seen(client: WebClient, emulator: SlackEmulator) -> None:
    client.auth_test()
    with pytest.raises(TimeoutError, match=r"calls seen: auth\.test\(200\)"):
        emulator.wait_for(lambda calls: [c for c in calls if c.method == "chat.update"], timeout=0.05)


def test_a_429_with_retry_after_is_retried_by_slack_sdks_handler(emulator: SlackEmulator) -> None:
    emulator.fail("chat.postMessage", RateLimited(retry_after=0))
    client = emulator.client(retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    assert client.chat_postMessage(channel="#support", text="paced")["ok"]
    first, second = emulator.calls("chat.postMessage")
    assert (first.status, first.error, second.status) == (429, "ratelimited", 200)
    assert [m.text for m in emulator.workspace.messages(emulator.workspace.channel("support"))] == ["paced"]


def test_a_429_without_a_handler_reaches_the_caller_with_its_retry_after(emulator: SlackEmulator) -> None:
    emulator.fail("chat.postMessage", RateLimited(retry_after=7))
    with pytest.raises(SlackApiError) as raised:
        emulator.client().chat_postMessage(channel="#support", text="x")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"
    assert raised.value.response["error"] == "ratelimited"


def test_faults_are_used_in_order_then_the_method_answers_again(emulator: SlackEmulator) -> None:
    emulator.fail("auth.test", ServerError(), Fails("team_added_to_org"))
    client = emulator.client()
    assert refused(client.auth_test) == {"ok": False, "error": "internal_error"}
    assert refused(client.auth_test) == {"ok": False, "error": "team_added_to_org"}
    assert client.auth_test()["ok"]


def test_a_500_is_retried_by_slack_sdks_server_error_handler(emulator: SlackEmulator) -> None:
    emulator.fail("auth.test", ServerError(500), times=2)
    client = emulator.client(retry_handlers=[ServerErrorRetryHandler(max_retry_count=2, interval_calculator=QUICK)])
    assert client.auth_test()["ok"]
    assert [c.status for c in emulator.calls("auth.test")] == [500, 500, 200]


def test_a_fault_for_ever_lasts_until_cleared_and_any_method_matches_all(emulator: SlackEmulator) -> None:
    emulator.fail(ANY_METHOD, Fails("service_unavailable", status=503), times=None)
    client = emulator.client()
    for _ in range(3):
        assert refused(client.auth_test)["error"] == "service_unavailable"
    assert refused(client.users_info, user="U1")["error"] == "service_unavailable"
    emulator.clear_faults()
    assert client.auth_test()["ok"]


def test_a_slow_answer_comes_late_and_is_otherwise_normal(emulator: SlackEmulator) -> None:
    emulator.fail("auth.test", Slow(0.3))
    started = time.perf_counter()
    assert emulator.client().auth_test()["ok"]
    assert time.perf_counter() - started >= 0.3


def test_a_slow_answer_longer_than_the_clients_timeout_times_it_out(emulator: SlackEmulator) -> None:
    emulator.fail("auth.test", Slow(2))
    with pytest.raises(TimeoutError):
        emulator.client(timeout=0.2).auth_test()


def test_a_dropped_connection_is_a_network_error_that_the_connection_handler_retries(
    emulator: SlackEmulator,
) -> None:
    emulator.fail("auth.test", Drop())
    with pytest.raises(RemoteDisconnected):
        emulator.client(retry_handlers=[]).auth_test()
    emulator.fail("auth.test", Drop())
    assert emulator.client(retry_handlers=[ConnectionErrorRetryHandler(interval_calculator=QUICK)]).auth_test()["ok"]
    assert [(c.status, c.error) for c in emulator.calls("auth.test")] == [
        (0, "connection_dropped"),
        (0, "connection_dropped"),
        (200, None),
    ]


def test_pacing_allows_one_post_a_second_per_channel(clock: ManualClock) -> None:
    workspace = Workspace.example(clock=clock)
    with SlackEmulator(workspace, rate_limit=ChannelRateLimit(per_second=1, burst=1)) as emulator:
        client = emulator.client()
        assert client.chat_postMessage(channel="#support", text="1")["ok"]
        with pytest.raises(SlackApiError) as raised:
            client.chat_postMessage(channel="#support", text="2")
        assert raised.value.response.status_code == 429
        assert raised.value.response.headers["Retry-After"] == "1"
        assert client.chat_postMessage(channel="#support-agents", text="elsewhere")["ok"]
        clock.advance(1.0)
        assert client.chat_postMessage(channel="#support", text="3")["ok"]
        texts = [m.text for m in workspace.messages(workspace.channel("support"))]
    assert texts == ["1", "3"]


def test_pacing_tolerates_a_short_burst_when_configured(clock: ManualClock) -> None:
    with SlackEmulator(Workspace.example(clock=clock), rate_limit=ChannelRateLimit(burst=3)) as emulator:
        client = emulator.client()
        for n in range(3):
            client.chat_postMessage(channel="#support", text=str(n))
        assert refused(client.chat_postMessage, channel="#support", text="4")["error"] == "ratelimited"
        clock.advance(0.5)
        assert refused(client.chat_postMessage, channel="#support", text="4")["error"] == "ratelimited"
        clock.advance(0.5)
        assert client.chat_postMessage(channel="#support", text="4")["ok"]


def test_stopping_ends_a_slow_answer_at_once() -> None:
    emulator = SlackEmulator().start()
    emulator.fail("auth.test", Slow(30))
    outcome: list[object] = []

    def call() -> None:
        try:
            outcome.append(emulator.client(timeout=30).auth_test()["ok"])
        except Exception as error:  # the answer may be cut off by the stop
            outcome.append(error)

    thread = threading.Thread(target=call)
    thread.start()
    emulator.wait_for(lambda _: emulator.pending_faults("auth.test") == 0)  # the slow call is in progress
    started = time.perf_counter()
    emulator.stop()
    thread.join()
    assert time.perf_counter() - started < 5
    assert outcome
