"""`frontdesk worker`: the inbox worker, the delivery worker and the sweeps, without serving Slack (scale-out).

Rules (docs/architecture.md, "The path of a message"): on PostgreSQL any number of `frontdesk run --http` and `frontdesk
worker` processes share the work (claims with SKIP LOCKED, leases, the reminder ledger), so nothing is done
twice. Settings are checked as for `frontdesk run` (the signing secret is not needed: nothing is received
here). SIGTERM or Ctrl-C stops it after the work in hand. Logging is configured first, and /metrics is served
on FRONTDESK_METRICS_PORT when it is set (bot.cli.observability).
"""

import os
import signal
import threading
from types import FrameType

import click

from bot.cli.observability import MetricsPort, start_logging
from bot.cli.startup import start_app


@click.command()
def worker() -> None:
    """Process stored requests, deliver messages and run the sweeps, without receiving Slack."""
    start_logging(os.environ)
    metrics = MetricsPort.from_environment(os.environ)
    app, database = start_app(http=False)
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    try:
        with metrics.serving(app.metrics):
            click.echo("frontdesk: worker running (inbox, delivery, sweeps)", err=True)
            stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        app.stop()
        database.dispose()
