"""`frontdesk run`: the bot, with Socket Mode when SLACK_APP_TOKEN is set, else HTTP on `--port`.

Rules (docs/architecture.md, "Commands"):
- Every missing or invalid setting and every problem of the desk config is printed, one line each, and the
  command exits 2 before anything starts; a secret is never printed.
- The database is upgraded to the newest schema first (`frontdesk db upgrade`), then the workers start, then
  Slack is served: waitress on `--host`/`--port` for HTTP, Slack's Socket Mode client otherwise.
- Ctrl-C or SIGTERM stops serving, then lets the workers finish the work in hand.
"""

import os
import signal
import sys
from types import FrameType

import click
from slack_sdk.errors import SlackApiError

from bot.cli.errors import fail
from bot.config.desk import DeskConfigError, load_desk_config
from bot.config.environment import Settings
from bot.config.mail_servers import EmailSettingsError, SmtpSettings
from bot.process.app import Frontdesk
from bot.process.web import WebServer
from bot.slack.receiver import CheckedSocketModeHandler
from storage import migrate
from storage.engine import Database, open_database
from storage.errors import StorageError


@click.command()
@click.option("--http", "force_http", is_flag=True, help="Serve HTTP even when SLACK_APP_TOKEN is set.")
@click.option("--host", default="0.0.0.0", show_default=True, help="The address to listen on (HTTP).")
@click.option("--port", default=3000, show_default=True, help="The port to listen on (HTTP).")
def run(force_http: bool, host: str, port: int) -> None:
    """Run the bot: receive Slack, collect requests, deliver answers."""
    settings = Settings.from_environment()
    http = force_http or not settings.socket_mode
    app, database = start_app(settings, http=http)
    try:
        _serve(app, http=http, host=host, port=port, app_token=settings.app_token)
    finally:
        app.stop()
        database.dispose()


def start_app(settings: Settings, *, http: bool) -> tuple[Frontdesk, Database]:
    """The settings and desk config checked (every problem, one line each), the database upgraded, the
    application built against Slack and its workers started."""
    problems = settings.problems_for_slack(http=http)
    try:
        desk = load_desk_config(settings.config_path)
    except DeskConfigError as error:
        problems.extend(error.problems)
    try:
        smtp = SmtpSettings.from_environment()
    except EmailSettingsError as error:
        problems.append(str(error))
    if problems:
        for problem in problems[:-1]:
            click.echo(f"frontdesk: {problem}", err=True)
        fail(problems[-1])
    try:
        database = open_database(os.environ)
        migrate.upgrade(database)
    except StorageError as error:
        fail(str(error))
    try:
        app = Frontdesk(
            desk=desk,
            database=database,
            token=settings.bot_token,
            api_url=settings.api_url,
            signing_secret=settings.signing_secret,
            smtp=smtp,
            app_id=settings.app_id,
        )
    except SlackApiError as error:
        fail(f"Slack refused the bot token ({error.response.get('error', 'unknown error')})")
    return app.start(), database


def _serve(app: Frontdesk, *, http: bool, host: str, port: int, app_token: str) -> None:
    if http:
        server = WebServer(app.wsgi(), host=host, port=port)
        _on_terminate(server.close)
        click.echo(f"frontdesk: serving Slack on http://{host}:{server.port}/slack/events", err=True)
        server.serve_forever()
        return
    handler = CheckedSocketModeHandler(app.slack_app, app_token)
    _on_terminate(handler.close)
    click.echo("frontdesk: connected to Slack in Socket Mode", err=True)
    handler.start()


def _on_terminate(stop: object) -> None:
    def handle(signum: int, frame: FrameType | None) -> None:
        stop()  # type: ignore[operator]
        sys.exit(0)

    signal.signal(signal.SIGTERM, handle)
