"""`frontdesk api-token create|list|revoke`: the read API's bearer tokens (docs/security.md, "The read API").

Rules: `create NAME` makes a token (bot.api.tokens), stores its hash under NAME (audited, in the configured
database, upgraded first) and prints the token this once: it is never shown again nor kept in clear. `list`
shows every token's name, creation, last use (to the minute) and revocation, never a token nor a hash. `revoke
NAME` refuses the token from the next request on; revoking a revoked token says when it was revoked. A bad or
taken name, or an unknown one: exit 2 and one line. Instants are UTC.
"""

import os
from datetime import UTC, datetime

import click

from bot.actor import CLI_ACTOR
from bot.api.tokens import new_token, token_hash
from bot.cli.errors import fail
from bot.render import render
from storage import api_tokens, migrate
from storage.engine import open_database
from storage.errors import StorageError


@click.group("api-token")
def api_token() -> None:
    """Bearer tokens of the read API (/api/v1)."""


@api_token.command("create")
@click.argument("name")
def create(name: str) -> None:
    """Make a token named NAME and print it, once."""
    token = new_token()
    try:
        database = open_database(os.environ)
        migrate.upgrade(database)
        with database.write() as session:
            record = api_tokens.create_token(session, name=name, token_hash=token_hash(token), actor=CLI_ACTOR,
                                             now=datetime.now(UTC))  # fmt: skip
        database.dispose()
    except StorageError as error:
        fail(str(error))
    click.echo(render("cli/api_token_created.txt.j2", token=record, secret=token), nl=False)


@api_token.command("list")
def list_tokens() -> None:
    """Every token, active or revoked, without the tokens themselves."""
    try:
        database = open_database(os.environ, must_exist=True)
        with database.read() as session:
            found = api_tokens.tokens(session)
        database.dispose()
    except StorageError as error:
        fail(str(error))
    click.echo(render("cli/api_token_list.txt.j2", tokens=found), nl=False)


@api_token.command("revoke")
@click.argument("name")
def revoke(name: str) -> None:
    """Refuse the token named NAME from now on."""
    now = datetime.now(UTC)
    try:
        database = open_database(os.environ, must_exist=True)
        with database.write() as session:
            record = api_tokens.revoke_token(session, name, actor=CLI_ACTOR, now=now)
        database.dispose()
    except StorageError as error:
        fail(str(error))
    click.echo(render("cli/api_token_revoked.txt.j2", token=record, now=now), nl=False)
