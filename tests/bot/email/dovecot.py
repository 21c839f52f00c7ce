"""A throwaway Dovecot IMAP server on loopback for the email tests: started once per session, one folder per test.

Rules:
- `/usr/sbin/dovecot -F -c <root>/dovecot.conf` runs in the foreground from a new temporary folder that holds
  everything it writes: the config, `base_dir` (its sockets and pid file), `state_dir`, the log, the password
  file and the mail (maildir under each user's home). It listens on a free port of 127.0.0.1 only, plain IMAP
  (`protocols = imap`, `ssl = no`, the imaps listener off), nothing else on the network.
- One user, `frontdesk`, with a PLAIN password in a passwd-file and a static userdb (home under the folder).
  Dovecot 2.3 (Debian's 2.3.19) wants `disable_plaintext_auth = no` for a password over a plain connection (2.4
  calls it `auth_allow_cleartext = yes`). `auth_failure_delay = 0` answers a refused login within half a second.
- After a refused login Dovecot delays the next login from the same address by 4 s (its auth penalty, which
  neither `login_trusted_networks` nor removing the anvil-auth-penalty listener turns off here): a test that
  fails to log in uses `own_dovecot`, a server of its own, so the shared one stays fast.
- As root, Dovecot needs `default_internal_user` and `default_login_user` to be users that exist: `dovecot` and
  `dovenull`, which the dovecot-core package creates. It refuses mail access to root and to any UID below
  `first_valid_uid` (500 by default), so the mail belongs to the `dovecot` user: the userdb gives its uid/gid,
  `first_valid_uid`/`first_valid_gid` are lowered to them, and the home folder is handed to it (the temporary
  folder is made world-traversable). Not as root, every one of those is the user running the tests.
- Folders named `seen-only*` take no keywords (the acl plugin, a global ACL without the `w` right): their
  PERMANENTFLAGS lack `\\*`, as on a server that allows no custom keywords.
- The server is ready when its port accepts a connection, waited for with a deadline (a server that exits early
  fails at once with its log). It is stopped with SIGTERM and waited for (Dovecot gives its log process a second
  to finish); the folder is removed.
- Without /usr/sbin/dovecot the tests that need it are skipped, except in CI (CI=true), where that is a failure.
"""

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import pytest
from imapclient import IMAPClient

from bot.config.mail_servers import MailboxSettings
from tests.storage.postgres import free_port

DOVECOT = Path("/usr/sbin/dovecot")
DOVEADM = Path("/usr/bin/doveadm")
USER = "frontdesk"
PASSWORD = "imap-test-password-7f3a"
SEEN_ONLY = "seen-only"  # folders whose name starts so take no keywords
START_SECONDS = 15.0
_folders = count(1)


@dataclass(frozen=True)
class _Accounts:
    """The system users Dovecot runs as and stores mail as."""

    internal: str
    login: str
    mail_uid: int
    mail_gid: int


def _accounts() -> _Accounts:
    if os.geteuid() == 0:
        mail = pwd.getpwnam("dovecot")
        pwd.getpwnam("dovenull")  # KeyError when the package did not create it
        return _Accounts("dovecot", "dovenull", mail.pw_uid, mail.pw_gid)
    me = pwd.getpwuid(os.geteuid()).pw_name
    return _Accounts(me, me, os.geteuid(), os.getegid())


def _config(root: Path, port: int, accounts: _Accounts) -> str:
    group = grp.getgrgid(accounts.mail_gid).gr_name
    return f"""\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {accounts.internal}
default_login_user = {accounts.login}
first_valid_uid = {accounts.mail_uid}
first_valid_gid = {accounts.mail_gid}
mail_location = maildir:~/Maildir
mail_fsync = never
mail_plugins = acl
plugin {{
  acl = vfile:{root}/global-acl
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={accounts.mail_uid} gid={group} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@dataclass
class Dovecot:
    root: Path
    port: int
    process: subprocess.Popen[bytes]
    host: str = "127.0.0.1"
    user: str = USER
    password: str = PASSWORD

    @classmethod
    def start(cls) -> "Dovecot":
        root = Path(tempfile.mkdtemp(prefix="frontdesk-dovecot-"))
        process: subprocess.Popen[bytes] | None = None
        try:
            port, accounts = free_port(), _accounts()
            root.chmod(0o755)  # the mail processes (the `dovecot` user) go through it to the home folder
            (root / "dovecot.conf").write_text(_config(root, port, accounts))
            (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
            (root / "global-acl").write_text(f"{SEEN_ONLY}* owner lrstiekx\n")  # no `w`: no keywords
            (root / "home").mkdir()
            os.chown(root / "home", accounts.mail_uid, accounts.mail_gid)
            with (root / "stdout.log").open("wb") as output:
                command = [str(DOVECOT), "-F", "-c", str(root / "dovecot.conf")]
                process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=root)
            server = cls(root=root, port=port, process=process)
            server._wait_until_ready()
        except BaseException:
            if process is not None:
                _end(process)
            shutil.rmtree(root, ignore_errors=True)
            raise
        return server

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while not self._accepts():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dovecot did not start (exit code {self.process.poll()}):\n{self.log()}")
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(0.02)  # returns early if it exits

    def _accepts(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=1):
                return True
        except OSError:
            return False

    def log(self) -> str:
        return "".join(
            path.read_text(errors="replace")[-3000:]
            for path in (self.root / "stdout.log", self.root / "dovecot.log")
            if path.exists()
        )

    def stop(self) -> None:
        try:
            _end(self.process)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    @contextmanager
    def client(self) -> Iterator[IMAPClient]:
        """A second connection, logged in, to put messages in and look at flags."""
        client = IMAPClient(self.host, self.port, ssl=False, timeout=10)
        try:
            client.login(self.user, self.password)
            yield client
        finally:
            with suppress(Exception):
                client.logout()
            with suppress(Exception):
                client.shutdown()

    def kick(self) -> None:
        """Drops every connection of the user, as a server restart or a network failure would."""
        command = [str(DOVEADM), "-c", str(self.root / "dovecot.conf"), "kick", self.user]
        subprocess.run(command, capture_output=True, check=True)

    def mailbox(self, folder: str, *, name: str = "support", password: str | None = None) -> MailboxSettings:
        return MailboxSettings(
            name=name, host=self.host, port=self.port, user=self.user,
            password=self.password if password is None else password,
            folder=folder, tls="none", poll_seconds=30.0, timeout=10.0,
        )  # fmt: skip


def _end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _started() -> Iterator[Dovecot]:
    if not DOVECOT.exists():
        if os.environ.get("CI"):
            pytest.fail("CI=true but dovecot is not installed: .ci/run should install dovecot-imapd")
        pytest.skip("dovecot not found (/usr/sbin/dovecot): install Debian's dovecot-imapd package")
    server = Dovecot.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """The test server, shared by the session."""
    yield from _started()


@pytest.fixture
def own_dovecot() -> Iterator[Dovecot]:
    """A server of the test's own, for a test whose failed logins would slow every later login down."""
    yield from _started()


@pytest.fixture
def imap_mailbox(dovecot: Dovecot) -> Iterator[MailboxSettings]:
    """A new, empty folder of the test server, as the mailbox `support` (poll_seconds 30)."""
    yield from _fresh_folder(dovecot, "test")


@pytest.fixture
def seen_only_mailbox(dovecot: Dovecot) -> Iterator[MailboxSettings]:
    """Like `imap_mailbox`, in a folder that takes no keywords."""
    yield from _fresh_folder(dovecot, SEEN_ONLY)


def _fresh_folder(dovecot: Dovecot, prefix: str) -> Iterator[MailboxSettings]:
    folder = f"{prefix}-{os.getpid()}-{next(_folders)}"
    with dovecot.client() as client:
        client.create_folder(folder)
    yield dovecot.mailbox(folder)
    with dovecot.client() as client, suppress(Exception):
        client.delete_folder(folder)
