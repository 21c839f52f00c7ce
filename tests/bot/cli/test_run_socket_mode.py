"""`frontdesk run` in Socket Mode as a user starts it: SLACK_APP_TOKEN set, Slack's envelopes over a WebSocket."""

import signal

from slack_emulator import SOCKET_CONNECT, SlackEmulator, SlackSide, Workspace
from tests.bot.cli.test_run import banner, start_run


def test_run_in_socket_mode_acks_a_dm_answers_it_and_stops_on_sigterm(tmp_path):
    with SlackEmulator(Workspace.example()) as emulator:
        process = start_run(emulator, tmp_path, socket_mode=True)
        try:
            line = banner(process.stderr)
            assert line.startswith("frontdesk: connected to Slack in Socket Mode"), line
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


def test_run_in_socket_mode_opens_the_form_shows_its_errors_and_takes_it(tmp_path):
    with SlackEmulator(Workspace.example()) as emulator:
        process = start_run(emulator, tmp_path, socket_mode=True)
        try:
            assert banner(process.stderr).startswith("frontdesk: connected to Slack in Socket Mode")
            emulator.wait_for_call(SOCKET_CONNECT, timeout=15)
            slack = SlackSide.over_socket_mode(emulator)
            support = emulator.workspace.channel("support").id
            assert slack.slash_command("/support", "alice", support, "Reports are empty").acked
            emulator.wait_for_call("views.open", timeout=15)
            (form,) = emulator.workspace.views("alice")
            answers = {
                "phone": "12",
                "occurred_at": 1_700_000_000,
                "impact": "minor",
                "urgency": "low",
                "kind": "question",
            }
            refused = slack.view_submission(form, answers)
            assert set(refused.ack_payload["errors"]) == {"phone", "files"}
            taken = slack.view_submission(form, {**answers, "phone": "+33 6 12 34 56 78", "no_files": ["none"]})
            assert taken.acked
            assert not (taken.ack_payload or {}).get("errors")
            emulator.wait_for_call(
                "chat.postMessage", lambda call: "Your request is *SR-000001*" in str(call.arg("text")), timeout=15
            )
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=20)
            rest = process.stderr.read()
            process.stderr.close()
        assert code == 0, rest
