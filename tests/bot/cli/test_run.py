"""`frontdesk run --http` as a user starts it: settings from the environment, a desk config, then Slack traffic."""

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

from slack_emulator import SlackEmulator, SlackSide, Workspace
from tests.bot.cli.conftest import run_frontdesk


def desk_file(folder: Path, workspace: Workspace, extra: str = "") -> Path:
    """The kiwi desk of `workspace`, with `extra` TOML after it."""
    path = folder / "frontdesk.toml"
    path.write_text(
        'policy = "kiwi"\n[slack]\n'
        f'intake_channel = "{workspace.channel("support").id}"\n'
        f'agents_channel = "{workspace.channel("support-agents").id}"\n'
        f'[agents]\nusers = ["{workspace.user("bob").id}"]\n' + extra
    )
    return path


def banner(stream: IO[str]) -> str:
    """The first line the command itself prints (`frontdesk: ...`), past the log lines before it; without one,
    everything it printed (for the failure to show)."""
    lines = []
    for line in stream:
        if line.startswith("frontdesk: "):
            return line
        lines.append(line)
    return "".join(lines) or "(nothing printed)"


def test_missing_settings_are_listed_one_per_line(tmp_path, monkeypatch):
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FRONTDESK_CONFIG", str(tmp_path / "none.toml"))
    outcome = run_frontdesk("run")
    assert outcome.exit_code == 2
    assert outcome.stderr.splitlines() == [
        "frontdesk: SLACK_BOT_TOKEN is not set (the bot token, xoxb-...)",
        "frontdesk: SLACK_SIGNING_SECRET is not set (Basic Information > App Credentials)",
        f"frontdesk: {tmp_path / 'none.toml'}: cannot be read (No such file or directory); `frontdesk init` writes one",
    ]


def start_run(emulator: SlackEmulator, folder: Path, *args: str, socket_mode: bool) -> subprocess.Popen[str]:
    """`frontdesk run ARGS` in a child process, configured for `emulator` as a user would configure it."""
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": emulator.bot_token,
        "SLACK_API_URL": emulator.base_url,
        "FRONTDESK_CONFIG": str(desk_file(folder, emulator.workspace)),
        "FRONTDESK_DATABASE_URL": f"sqlite:///{folder / 'frontdesk.db'}",
    }
    if socket_mode:  # Socket Mode payloads are not signed
        env["SLACK_APP_TOKEN"] = emulator.app_token
        env.pop("SLACK_SIGNING_SECRET", None)
    else:
        env["SLACK_SIGNING_SECRET"] = emulator.signing_secret
        env.pop("SLACK_APP_TOKEN", None)
    script = Path(sys.executable).with_name("frontdesk")
    return subprocess.Popen([str(script), "run", *args], env=env, stderr=subprocess.PIPE, text=True)


def test_run_serves_slack_over_http_and_answers_a_dm(tmp_path):
    with SlackEmulator(Workspace.example()) as emulator:
        process = start_run(emulator, tmp_path, "--http", "--host", "127.0.0.1", "--port", "0", socket_mode=False)
        try:
            line = banner(process.stderr)
            assert line.startswith("frontdesk: serving Slack on http://127.0.0.1:"), line
            url = line.split(" on ", 1)[1].strip()
            said = SlackSide.over_http(emulator, url).dm("alice", "The dashboard is blank")
            assert said.deliveries[0].status == 200
            question = emulator.wait_for_call(
                "chat.postMessage", lambda call: str(call.arg("text")).startswith("Can we reach you"), timeout=15
            )
            assert question.arg("thread_ts") == said.message.ts
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=20) == 0
            process.stderr.close()
    assert (tmp_path / "frontdesk.db").exists()
