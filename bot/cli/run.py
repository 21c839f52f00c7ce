"""`frontdesk run`: the bot, with Socket Mode when SLACK_APP_TOKEN is set, else HTTP on `--port`.

Rules (docs/architecture.md, "Commands"):
- Every missing or invalid setting and every problem of the desk config is printed, one line each, and the
  command exits 2 before anything starts; a secret is never printed. The database and Slack are waited for, and
  the doctor's checks logged (bot.cli.startup).
- The database is upgraded to the newest schema first (`frontdesk db upgrade`), then the workers start, then
  Slack is served: waitress on `--host`/`--port` for HTTP, Slack's Socket Mode client otherwise.
- Ctrl-C or SIGTERM stops serving, then lets the workers finish the work in hand.
- Logging is configured first, and FRONTDESK_METRICS_PORT read (bot.cli.observability): with it, /metrics is served
  on that port alone; without it, HTTP serves /metrics beside Slack's endpoint and Socket Mode serves none.
"""

import os
import signal
import sys
from types import FrameType

import click

from bot.cli.observability import MetricsPort, start_logging
from bot.cli.startup import start_app
from bot.config.environment import Settings
from bot.process.app import Frontdesk
from bot.process.web import WebServer
from bot.slack.receiver import CheckedSocketModeHandler


@click.command()
@click.option("--http", "force_http", is_flag=True, help="Serve HTTP even when SLACK_APP_TOKEN is set.")
@click.option("--host", default="0.0.0.0", show_default=True, help="The address to listen on (HTTP).")
@click.option("--port", default=3000, show_default=True, help="The port to listen on (HTTP).")
def run(force_http: bool, host: str, port: int) -> None:
    """Run the bot: receive Slack, collect requests, deliver answers."""
    start_logging(os.environ)
    metrics = MetricsPort.from_environment(os.environ)
    settings = Settings.from_environment()
    http = force_http or not settings.socket_mode
    app, database = start_app(http=http)
    try:
        with metrics.serving(app.metrics) as apart:
            _serve(app, http=http, host=host, port=port, app_token=settings.app_token, metrics_apart=apart is not None)
    finally:
        app.stop()
        database.dispose()


def _serve(app: Frontdesk, *, http: bool, host: str, port: int, app_token: str, metrics_apart: bool) -> None:
    if http:
        server = WebServer(app.wsgi(metrics=not metrics_apart), host=host, port=port)
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
