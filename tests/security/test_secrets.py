"""Secrets stay with Slack (docs/security.md, "Escaping and secrets").

- The bot token goes only to Slack's file hosts over https, or to the origin of the configured Slack API (here the
  emulator): a file that files.info says is on another host (a loopback server standing for it) or on an http URL
  is not fetched at all, and its message goes on; a redirect from the emulator to another host is followed without
  the token, and the token does not come back on a redirect home.
- Database passwords are masked in every form of database address (userinfo, `?password=`, a libpq keyword/value
  string), in the errors of real failed connections (an unreachable PostgreSQL port, a SQLite URL SQLAlchemy
  refuses), in their full tracebacks (what a log line shows) and in what `frontdesk` prints; hypothesis draws the
  passwords.
"""

import logging
import traceback
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from sqlalchemy.engine import URL, make_url

from bot.slack.files import open_private
from slack_emulator import DOWNLOAD, Workspace
from storage import messages, tickets
from storage.engine import MASK, Database, mask_passwords, open_database, parse_database_url, safe_url
from storage.errors import StorageError
from tests.bot.cli.conftest import run_frontdesk
from tests.bot.conversation import Conversation, conversation_on, desk_config
from tests.bot.slack.loopback import serving
from tests.storage.postgres import PostgresServer, free_port

PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)
PASSWORDS = st.text(min_size=1, max_size=40)
SQLITE_URL = "sqlite://frontdesk:{}@/var/lib/frontdesk.db"
_databases = count(1)


@pytest.fixture
def backend() -> str:
    return "sqlite"


# -- the bot token --------------------------------------------------------------------------------------------------


@pytest.fixture
def conversation(db: Database, tmp_path: Path) -> Iterator[Conversation]:
    workspace = Workspace.example()
    yield from conversation_on(db, workspace, desk_config(workspace, tmp_path))


def share(conversation: Conversation, **where: str) -> tuple[str, str]:
    """Alice opens a request with a chart whose file is described by `where`; the request's DM and thread."""
    file = conversation.emulator.workspace.add_file("chart.png", PNG, user="alice", **where)
    root = conversation.slack.dm("alice", "The chart is blank", files=[file]).message
    conversation.settle()
    return root.channel, root.ts


def kept_files(conversation: Conversation) -> list[bytes]:
    folder = conversation.desk.intake.attachments_folder
    with conversation.database.read() as session:
        ticket = tickets.find_ticket(session, sr_number=1)
        assert ticket is not None
        return [(folder / a.stored_path).read_bytes() for a in messages.attachments_of(session, ticket.id)]


def test_a_file_on_another_host_is_not_fetched_and_the_message_goes_on(conversation, caplog) -> None:
    with (
        serving(lambda path: (200, {"Content-Type": "image/png"}, PNG)) as (elsewhere, seen),
        caplog.at_level(logging.WARNING, logger="bot.slack.files"),
    ):
        channel, ts = share(conversation, url_private=f"{elsewhere}/files-pri/T1-F1/download/chart.png")

    assert seen == []  # nothing at all was asked of the other host, so no token either
    assert kept_files(conversation) == []
    assert conversation.bot_says(channel, ts)[-1].startswith("Can we reach you at the email and phone")
    [warning] = [record.getMessage() for record in caplog.records if record.name == "bot.slack.files"]
    assert elsewhere in warning
    assert conversation.emulator.bot_token not in warning


@pytest.mark.parametrize(
    "url",
    ["http://files.slack.com/files-pri/T1-F1/download/chart.png", "https://files.slack.com.evil.example/chart.png"],
)
def test_a_file_off_slacks_https_hosts_is_not_fetched(conversation, caplog, url: str) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.slack.files"):
        channel, ts = share(conversation, url_private=url)

    assert kept_files(conversation) == []
    assert conversation.bot_says(channel, ts)[-1].startswith("Can we reach you at the email and phone")
    [warning] = [record.getMessage() for record in caplog.records if record.name == "bot.slack.files"]
    assert url.split("/")[2] in warning


def test_a_redirect_from_slack_to_another_host_arrives_without_the_token(conversation) -> None:
    with serving(lambda path: (200, {"Content-Type": "image/png"}, PNG)) as (elsewhere, seen):
        share(conversation, moved_to=f"{elsewhere}/cdn/chart.png")

    [download] = conversation.emulator.calls(DOWNLOAD)
    assert download.status == 302  # the emulator had the token, and sent the bot on
    assert seen == [None]
    assert kept_files(conversation) == [PNG]


def test_the_token_does_not_come_back_on_a_redirect_home() -> None:
    """Home (the API's origin) sends the download to another host, which sends it back home."""
    paths: dict[str, tuple[int, dict[str, str], bytes]] = {"/home": (200, {}, b"home")}
    with (
        serving(lambda path: paths.get(path, (404, {}, b""))) as (home, seen_home),
        serving(lambda path: (302, {"Location": f"{home}/home"}, b"")) as (hop, seen_hop),
    ):
        paths["/start"] = (302, {"Location": f"{hop}/back"}, b"")
        with open_private(f"{home}/start", "xoxb-secret", api_url=f"{home}/api/") as response:
            assert response.read() == b"home"
    assert seen_home == ["Bearer xoxb-secret", None]
    assert seen_hop == [None]


# -- database passwords ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("postgresql://frontdesk:hunter2@db:5432/frontdesk", "postgresql://frontdesk:***@db:5432/frontdesk"),
        ("postgresql://frontdesk@db/frontdesk?password=hunter2&sslmode=require",
         "postgresql://frontdesk@db/frontdesk?password=***&sslmode=require"),
        ("host=db port=5432 password=hunter2 dbname=frontdesk", "host=db port=5432 password=*** dbname=frontdesk"),
        ("host=db password = 'hun ter\\'2' user=x", "host=db password = *** user=x"),
        ("sslcert=c sslpassword=hunter2", "sslcert=c sslpassword=***"),
        ("connect({'password': 'hunter2', 'user': 'x'})", "connect({'password': ***, 'user': 'x'})"),
        ("password authentication failed for user \"x\"", "password authentication failed for user \"x\""),
    ],
)  # fmt: skip
def test_each_form_of_database_address_is_shown_without_its_password(given: str, shown: str) -> None:
    assert mask_passwords(given) == shown


def test_a_postgresql_urls_query_password_is_kept_as_its_password_and_never_shown() -> None:
    url = parse_database_url("postgresql://frontdesk@db/frontdesk?password=hunter2&sslpassword=key2&sslmode=require")

    assert (url.password, dict(url.query)) == ("hunter2", {"sslpassword": "key2", "sslmode": "require"})
    assert safe_url(url) == "postgresql+psycopg://frontdesk:***@db/frontdesk?sslmode=require&sslpassword=***"
    assert "hunter2" not in repr(url)
    assert "hunter2" not in str(url)


@given(PASSWORDS)
def test_userinfo_passwords_are_masked_and_nothing_else_changes(password: str) -> None:
    url = URL.create("postgresql+psycopg", "frontdesk", password, "db", 5432, "frontdesk")

    masked = make_url(mask_passwords(url.render_as_string(hide_password=False)))

    assert masked == url.set(password="***")


@given(PASSWORDS)
def test_query_passwords_are_masked_and_nothing_else_changes(password: str) -> None:
    text = f"postgresql://frontdesk@db/frontdesk?password={quote_plus(password)}&sslmode=require"

    masked = make_url(mask_passwords(text))

    assert dict(masked.query) == {"password": "***", "sslmode": "require"}
    assert safe_url(parse_database_url(text)) == "postgresql+psycopg://frontdesk:***@db/frontdesk?sslmode=require"


# " " (found by the explore profile: its query form "+" was masked in "postgresql+psycopg" too) and passwords that
# are pieces of the URL, which showing the URL must leave alone
PIECES_OF_THE_URL = [" ", "+", "db", "frontdesk", "postgresql", "psycopg", "sslmode", "require", "***", "*", "%2B",
                     ":", "@", "/", "?", "&", "="]  # fmt: skip


@pytest.mark.parametrize("password", PIECES_OF_THE_URL)
def test_a_password_that_is_a_piece_of_the_url_leaves_the_rest_of_the_url_as_it_is(password: str) -> None:
    in_query = parse_database_url(
        f"postgresql://frontdesk@db/frontdesk?password={quote_plus(password)}&sslmode=require"
    )
    in_userinfo = URL.create(
        "postgresql+psycopg", "frontdesk", password, "db", 5432, "frontdesk", query={"sslmode": "require"}
    )
    also_ssl = in_userinfo.update_query_dict({"sslpassword": password})

    assert safe_url(in_query) == "postgresql+psycopg://frontdesk:***@db/frontdesk?sslmode=require"
    assert safe_url(in_userinfo) == "postgresql+psycopg://frontdesk:***@db:5432/frontdesk?sslmode=require"
    assert safe_url(also_ssl) == "postgresql+psycopg://frontdesk:***@db:5432/frontdesk?sslmode=require&sslpassword=***"


@pytest.mark.parametrize("password", [" ", "+", "e"])
def test_a_one_character_password_never_shows_in_a_drivers_error(password: str) -> None:
    url = URL.create("postgresql+psycopg", "frontdesk", password, "db", 5432, "frontdesk")
    error = f"connection to db failed: password {password!r} rejected for {url.render_as_string(hide_password=False)}"

    assert password not in mask_passwords(error, [password]).replace(MASK, "")


@given(PASSWORDS.filter(lambda text: "\x00" not in text))  # libpq strings end at NUL
def test_keyword_dsn_passwords_are_masked_and_nothing_else_changes(password: str) -> None:
    dsn = make_conninfo(host="db", port=5432, password=password, dbname="frontdesk", user="frontdesk")

    assert conninfo_to_dict(mask_passwords(dsn)) == {**conninfo_to_dict(dsn), "password": "***"}


def failure(url: str) -> tuple[str, str]:
    """The one-line error and the whole traceback (what a log line shows) of opening `url`."""
    with pytest.raises(StorageError) as raised:
        open_database({"FRONTDESK_DATABASE_URL": url})
    return str(raised.value), "".join(traceback.format_exception(raised.value))


UNREACHABLE = (
    "postgresql://frontdesk:{password}@127.0.0.1:{port}/frontdesk",
    "postgresql://frontdesk@127.0.0.1:{port}/frontdesk?password={password}",
)


@pytest.mark.parametrize("form", UNREACHABLE)
def test_a_failed_connect_to_an_unreachable_server_shows_no_password(form: str) -> None:
    message, logged = failure(form.format(password="hunter2", port=free_port()))

    assert "frontdesk:***@127.0.0.1" in message
    assert "hunter2" not in logged


@settings(max_examples=30, deadline=None)
@given(password=PASSWORDS.filter(lambda text: "\x00" not in text), form=st.sampled_from(UNREACHABLE))
def test_no_failed_connect_shows_any_password(password: str, form: str) -> None:
    port = free_port()
    assume(password not in failure(form.format(password="x", port=port))[1])  # a word of the message itself

    message, logged = failure(form.format(password=quote(password, safe=""), port=port))

    assert password not in message
    assert password not in logged


def test_a_sqlite_url_sqlalchemy_refuses_shows_no_password() -> None:
    message, logged = failure(SQLITE_URL.format("hunter2"))

    assert "sqlite://frontdesk:***@" in message
    assert "hunter2" not in logged


def test_frontdesk_prints_no_password_when_the_database_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    for url in (UNREACHABLE[1].format(password="hunter2", port=free_port()), "host=127.0.0.1 port=1 password=hunter2"):
        monkeypatch.setenv("FRONTDESK_DATABASE_URL", url)
        for command in (("status",), ("db", "upgrade")):
            outcome = run_frontdesk(*command)
            assert outcome.exit_code == 2
            assert "hunter2" not in outcome.stdout + outcome.stderr


@pytest.mark.postgres
@pytest.mark.parametrize(
    "form",
    ["postgresql://frontdesk:{password}@127.0.0.1:{port}/{name}",
     "postgresql://frontdesk@127.0.0.1:{port}/{name}?password={password}"],
)  # fmt: skip
def test_frontdesk_db_upgrade_on_a_real_server_prints_no_password(
    postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    name = f"secrets_{next(_databases)}"
    postgres_server.create_database(name)
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", form.format(password="hunter2", port=postgres_server.port, name=name))
    try:
        outcome = run_frontdesk("db", "upgrade")
    finally:
        postgres_server.drop_database(name)

    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stdout.startswith(f"postgresql+psycopg://frontdesk:***@127.0.0.1:{postgres_server.port}/{name}: ")
    assert "upgraded from an empty database" in outcome.stdout
    assert "hunter2" not in outcome.stdout + outcome.stderr
