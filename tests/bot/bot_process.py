"""Frontdesk in a child process against the emulator, started as a user starts it, and killed as a crash kills it.

Rules:
- `BotProcess.start(emulator, "run", "--http", ...)` or `(emulator, "worker")` runs the installed `frontdesk`
  console script, configured by the environment as in production (bot/config/environment.py): the emulator's bot token,
  signing secret and Web API URL, a desk config (the kiwi desk of tests/bot/cli/test_run.py), the database URL;
  SLACK_APP_TOKEN is removed, so `run` serves HTTP; `desk_extra` is TOML added to the desk config.
- `start` returns once the process printed its banner (`frontdesk run` names its events URL, kept in `url`);
  its stderr is then read by a thread into `said`, so a chatty bot never blocks on a full pipe and a failing
  test can show what it said. `started` is the wall-clock instant just before the process was spawned.
- `kill()` is kill -9: no cleanup, every lease left held. `stop()` is SIGTERM, then a clean exit is awaited.
  Leaving the `with` block kills a process still running; leaving it with an error prints the end of what the
  process said (pytest shows it with the failure).
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType

from slack_emulator import SlackEmulator
from tests.bot.cli.test_run import desk_file

BANNERS = ("frontdesk: serving Slack on ", "frontdesk: worker running")


class BotProcess:
    def __init__(self, process: subprocess.Popen[str], started: float) -> None:
        self.process, self.started = process, started
        self.said: list[str] = []
        self.url: str | None = None
        self._reader: threading.Thread | None = None

    @classmethod
    def start(
        cls, emulator: SlackEmulator, *arguments: str, database_url: str, folder: Path, desk_extra: str = ""
    ) -> "BotProcess":
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": emulator.bot_token,
            "SLACK_SIGNING_SECRET": emulator.signing_secret,
            "SLACK_API_URL": emulator.base_url,
            "FRONTDESK_CONFIG": str(desk_file(folder, emulator.workspace, desk_extra)),
            "FRONTDESK_DATABASE_URL": database_url,
        }
        env.pop("SLACK_APP_TOKEN", None)
        script = Path(sys.executable).with_name("frontdesk")
        started = time.time()
        process = subprocess.Popen([str(script), *arguments], env=env, stderr=subprocess.PIPE, text=True)
        bot = cls(process, started)
        bot._await_banner()
        return bot

    def _await_banner(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.said.append(line)
            if line.startswith(BANNERS[0]):
                self.url = line.removeprefix(BANNERS[0]).strip()
            if line.startswith(BANNERS):
                self._reader = threading.Thread(target=self._read, name="bot-stderr", daemon=True)
                self._reader.start()
                return
        self.process.wait()
        raise RuntimeError(f"frontdesk exited ({self.process.returncode}) before starting:\n{''.join(self.said)}")

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.said.append(line)

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        """kill -9, and wait for the process to be gone."""
        self.process.send_signal(signal.SIGKILL)
        self._reap()

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM; the exit status once the work in hand is finished."""
        self.process.send_signal(signal.SIGTERM)
        return self._reap(timeout)

    def _reap(self, timeout: float = 30.0) -> int:
        code = self.process.wait(timeout)
        if self._reader is not None:
            self._reader.join(timeout)
        assert self.process.stderr is not None
        self.process.stderr.close()
        return code

    def __enter__(self) -> "BotProcess":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.process.poll() is None:
            self.kill()
        if error is not None:
            print(f"frontdesk (pid {self.pid}) said:\n{''.join(self.said[-60:])}")
