"""`frontdesk run` in Socket Mode as a user starts it: SLACK_APP_TOKEN set, Slack's envelopes over a WebSocket."""

import signal

from bot.slack_emulator import SOCKET_CONNECT, SlackEmulator, SlackSide, Workspace
from tests.bot.cli.test_run import start_run


def test_run_in_socket_mode_acks_a_dm_answers_it_and_stops_on_sigterm(tmp_path):
    with SlackEmulator(Workspace.example()) as emulator:
        process = start_run(emulator, tmp_path, socket_mode=True)
        try:
            banner = process.stderr.readline()
            assert banner.startswith("frontdesk: connected to Slack in Socket Mode"), banner
            emulator.wait_for_call(SOCKET_CONNECT, timeout=15)
            said = SlackSide.over_socket_mode(emulator).dm("alice", "The dashboard is blank")
            (delivery,) = said.deliveries
            assert delivery.acked, delivery
            question = emulator.wait_for_call(
                "chat.postMessage", lambda call: str(call.arg("text")).startswith("Can we reach you"), timeout=15
            )
            assert question.arg("thread_ts") == said.message.ts
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=20)
            rest = process.stderr.read()
            process.stderr.close()
        assert code == 0, rest
