"""`frontdesk run` in Socket Mode as a user starts it: SLACK_APP_TOKEN set, Slack's envelopes over a WebSocket."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.slack_emulator import SOCKET_CONNECT, SlackEmulator, SlackSide, Workspace
from tests.bot.cli.test_run import desk_file


def test_run_in_socket_mode_acks_a_dm_answers_it_and_stops_on_sigterm(tmp_path):
    with SlackEmulator(Workspace.example()) as emulator:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": emulator.bot_token,
            "SLACK_APP_TOKEN": emulator.app_token,
            "SLACK_API_URL": emulator.base_url,
            "FRONTDESK_CONFIG": str(desk_file(tmp_path, emulator.workspace)),
            "FRONTDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'frontdesk.db'}",
        }
        env.pop("SLACK_SIGNING_SECRET", None)  # Socket Mode payloads are not signed
        script = Path(sys.executable).with_name("frontdesk")
        process = subprocess.Popen([str(script), "run"], env=env, stderr=subprocess.PIPE, text=True)
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
