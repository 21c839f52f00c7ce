"""`frontdesk doctor` against the Slack emulator, real SMTP and IMAP servers and SQLite/PostgreSQL: every problem
on its line, all at once, exit 1; exit 0 and one summary line when all is well."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config.mail_servers import MailboxSettings
from bot.doctor.configuration import PLACEHOLDERS
from bot.render import render
from slack_emulator import SlackEmulator, Workspace
from storage.engine import Database
from tests.bot.cli.conftest import run_frontdesk
from tests.bot.email.dovecot import Dovecot, dovecot, imap_mailbox, own_dovecot  # noqa: F401  (fixtures)
from tests.bot.email.smtp_server import SmtpServer
from tests.storage.postgres import free_port

CLEARED = ("SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_APP_ID", "FRONTDESK_SMTP_HOST", "FRONTDESK_SMTP_PORT",
           "FRONTDESK_SMTP_USER", "FRONTDESK_SMTP_PASSWORD", "FRONTDESK_SMTP_TLS")  # fmt: skip


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator(Workspace.example()) as running:
        yield running


def desk_text(ws: Workspace, *, intake: str = "support", more: str = "") -> str:
    return (
        f'policy = "kiwi"\n[slack]\nintake_channel = "{ws.channel(intake).id}"\n'
        f'agents_channel = "{ws.channel("support-agents").id}"\n{more}'
        f'[agents]\nusers = ["{ws.user("bob").id}"]\nusergroups = ["{ws.usergroup("support-team").id}"]\n'
    )


def configure(monkeypatch: pytest.MonkeyPatch, folder: Path, emulator: SlackEmulator, text: str, **env: str) -> None:
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    path = folder / "frontdesk.toml"
    path.write_text(text)
    settings = {"SLACK_BOT_TOKEN": emulator.bot_token, "SLACK_API_URL": emulator.base_url,
                "SLACK_SIGNING_SECRET": emulator.signing_secret, "FRONTDESK_CONFIG": str(path), **env}  # fmt: skip
    for name, value in settings.items():
        monkeypatch.setenv(name, value)


def mailbox_table(mailbox: MailboxSettings) -> str:
    return (
        '[email]\naddress = "support@desk.example"\nauthserv_id = "mx.desk.example"\n[[email.mailboxes]]\n'
        f'name = "support"\nhost = "{mailbox.host}"\nport = {mailbox.port}\nuser = "{mailbox.user}"\n'
        f'folder = "{mailbox.folder}"\npassword_env = "DOCTOR_IMAP_PASSWORD"\ntls = "none"\n'
    )


def test_all_good_is_one_summary_line_and_exit_0(
    emulator: SlackEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    backend: str,
    smtp_server: SmtpServer,
    imap_mailbox: MailboxSettings,  # noqa: F811
) -> None:
    text = desk_text(emulator.workspace) + mailbox_table(imap_mailbox)
    smtp = smtp_server.settings
    configure(monkeypatch, tmp_path, emulator, text, FRONTDESK_DATABASE_URL=database_url,
              DOCTOR_IMAP_PASSWORD=imap_mailbox.password, FRONTDESK_IMAP_ALLOW_CLEARTEXT_LOGIN="1",
              FRONTDESK_SMTP_HOST=smtp.host, FRONTDESK_SMTP_PORT=str(smtp.port), FRONTDESK_SMTP_TLS="none")  # fmt: skip

    outcome = run_frontdesk("doctor")

    assert outcome.exit_code == 0, outcome.stdout
    [summary] = outcome.stdout.splitlines()
    assert summary.startswith("all good: Slack as @frontdesk in Frontdesk Demo, 17 scopes, 2 channels, 1 user group;")
    assert f"; SMTP 127.0.0.1:{smtp.port}; 1 mailbox; database {backend} at revision {head()}; " in summary
    assert summary.endswith("; policy kiwi")


def test_every_problem_is_listed_at_once_one_line_each(
    emulator: SlackEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    own_dovecot: Dovecot,  # noqa: F811
    empty_database_url: str,
) -> None:
    ws = emulator.workspace
    ws.grant_scopes(scope for scope in ws.scopes if scope not in ("files:write", "users:read.email"))
    email = (
        '[email]\naddress = "support@desk.example"\n[[email.mailboxes]]\nname = "support"\nhost = "127.0.0.1"\n'
        f'port = {own_dovecot.port}\nuser = "{own_dovecot.user}"\npassword_env = "DOCTOR_IMAP_PASSWORD"\n'
        'tls = "none"\n'
    )
    text = (
        desk_text(ws, intake="general", more='announcements_channel = "C0NEWS0001"\n').replace(
            f'usergroups = ["{ws.usergroup("support-team").id}"]', 'usergroups = ["S0NOSUCH9"]'
        )
        + '[[customers]]\nname = "Acme"\nslack_channels = ["C0MISSING9"]\n'
        + email
    )
    smtp_port = free_port()
    smtp = {"FRONTDESK_SMTP_HOST": "127.0.0.1", "FRONTDESK_SMTP_PORT": str(smtp_port), "FRONTDESK_SMTP_TLS": "none"}
    configure(monkeypatch, tmp_path, emulator, text, FRONTDESK_DATABASE_URL=empty_database_url,
              DOCTOR_IMAP_PASSWORD="not-the-password", FRONTDESK_IMAP_ALLOW_CLEARTEXT_LOGIN="1", **smtp)  # fmt: skip

    empty = Database.from_url(empty_database_url)
    empty.check()  # a database with no table yet (SQLite: the file exists)
    empty.dispose()

    outcome = run_frontdesk("doctor")

    assert outcome.exit_code == 1
    general = ws.channel("general").id
    assert outcome.stdout.splitlines() == [
        'slack.announcements_channel is still "C0NEWS0001", the placeholder `frontdesk init` writes: put your own id'
        " there (right-click the channel or person > Copy link)",
        "the Slack app lacks the scopes files:write, users:read.email: add them under OAuth & Permissions (or create"
        " the app again from `frontdesk slack-manifest`) and reinstall the app",
        f"invite @Frontdesk to #general (slack.intake_channel {general}): type /invite @Frontdesk in the channel",
        "customers (Acme).slack_channels C0MISSING9: Slack knows no such channel, or it is a private channel the bot"
        " was never invited to: check the id, then invite @Frontdesk there (/invite @Frontdesk)",
        "agents.usergroups S0NOSUCH9: the user group cannot be read (no_such_subteam: no such user group)",
        f"cannot reach SMTP 127.0.0.1:{smtp_port}: ConnectionRefusedError: [Errno 111] Connection refused",
        f"mailbox support (IMAP 127.0.0.1:{own_dovecot.port}): the server refused the login of frontdesk: check the"
        " password in its password_env variable",
        f"the database is at revision none (empty), this version of Frontdesk at {head()}: run `frontdesk db upgrade`"
        " (`frontdesk run` does it at start)",
        "8 problems found",
    ]
    assert "not-the-password" not in outcome.stdout


def head() -> str:
    from storage.migrate import head_revision

    return head_revision()


def test_slack_unreachable_is_one_line_and_the_other_checks_still_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SlackEmulator(Workspace.example()) as emulator:
        text = desk_text(emulator.workspace)
    configure(monkeypatch, tmp_path, emulator, text, FRONTDESK_DATABASE_URL="sqlite:///" + str(tmp_path / "none.db"))
    url = f"http://127.0.0.1:{free_port()}/api/"
    monkeypatch.setenv("SLACK_API_URL", url)

    outcome = run_frontdesk("doctor")

    assert outcome.exit_code == 1
    lines = outcome.stdout.splitlines()
    assert lines[0].startswith(f"Slack cannot be reached at {url} (")
    assert lines[1:] == [
        f"there is no database at {tmp_path / 'none.db'}; run `frontdesk db upgrade` first",
        "2 problems found",
    ]
    assert "Traceback" not in outcome.stdout + outcome.stderr


def test_a_refused_token_and_bad_settings_are_listed_together(
    emulator: SlackEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = desk_text(emulator.workspace) + '[email]\naddress = "support@desk.example"\n'
    configure(monkeypatch, tmp_path, emulator, text, SLACK_BOT_TOKEN="xoxb-1-2-revoked",
              FRONTDESK_DATABASE_URL="mysql://desk@db/frontdesk")  # fmt: skip

    outcome = run_frontdesk("doctor")

    assert outcome.exit_code == 1
    assert outcome.stdout.splitlines() == [
        "FRONTDESK_DATABASE_URL names an unsupported database 'mysql'; use sqlite:///FILE or postgresql://...",
        "[email] address is support@desk.example but FRONTDESK_SMTP_HOST is not set: no email would be sent, the"
        " requesters' answers would wait in the outbox (set FRONTDESK_SMTP_HOST, or remove [email] address)",
        "Slack refused the bot token (invalid_auth): check SLACK_BOT_TOKEN (OAuth & Permissions > Bot User OAuth"
        " Token)",
        "3 problems found",
    ]


def test_the_placeholders_are_exactly_the_ids_frontdesk_init_writes() -> None:
    text = render("config/frontdesk.toml.j2", policy="kiwi", presets=["kiwi"], default_plan="standard")
    assert set(re.findall(r'"([CGDUWS]0[A-Z0-9]+)"', text)) == PLACEHOLDERS


def test_a_refused_app_level_token_is_a_problem(
    emulator: SlackEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    configure(monkeypatch, tmp_path, emulator, desk_text(emulator.workspace), FRONTDESK_DATABASE_URL=database_url,
              SLACK_APP_TOKEN="xapp-1-A00000001-revoked")  # fmt: skip

    outcome = run_frontdesk("doctor")

    assert outcome.exit_code == 1
    assert outcome.stdout.splitlines() == [
        "Slack refused the app-level token (invalid_auth): check SLACK_APP_TOKEN (Basic Information > App-Level"
        " Tokens, with the connections:write scope)",
        "1 problem found",
    ]


def test_unknown_and_deactivated_people_are_named(
    emulator: SlackEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    gone = emulator.workspace.add_user("erin", real_name="Erin Gone", deleted=True)
    levels = f'[levels.L2]\nusers = ["U0NOSUCH9", "{gone.id}"]\n'
    configure(monkeypatch, tmp_path, emulator, desk_text(emulator.workspace) + levels,
              FRONTDESK_DATABASE_URL=database_url)  # fmt: skip

    outcome = run_frontdesk("doctor")

    assert outcome.exit_code == 1
    assert outcome.stdout.splitlines() == [
        "levels.L2.users U0NOSUCH9: Slack knows no such user (user_not_found): check the id (their profile > ⋮ > Copy"
        " member ID)",
        f"levels.L2.users {gone.id}: @erin is deactivated in Slack: remove them or name someone else",
        "2 problems found",
    ]
