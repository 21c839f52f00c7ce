"""The `/metrics` page: the process's instruments and the database's figures, read when Prometheus scrapes
(docs/operations.md, "Metrics").

Rules:
- The database figures (storage.metrics) are read at scrape time, in one read transaction, never cached: every
  process on one database shows the same values for them, so alert rules take their `max`, never their `sum`.
- Ages are counted at the injected clock's instant; an empty queue's oldest row is 0 seconds old.
- Labels: a queue's state, a request's status, priority and plan (closed sets of the policy and storage.kinds;
  `none` when not set), a sweep's name. Never an SR number, a person, a channel or a key.
- A database that cannot be read does not fail the page: `frontdesk_database_up` is 0, its figures are left
  out and one warning is logged; the process's own instruments are still shown.
"""

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, ProcessCollector, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from bot.monitoring.instruments import INSTRUMENTS
from storage import metrics, sweep_runs
from storage.engine import Database
from storage.errors import StorageError
from storage.kinds import InboxState, OutboxState

log = logging.getLogger(__name__)
NONE = "none"  # the label of a priority or plan not set


class _Instruments(Collector):
    """The process-wide counters and histograms (bot.monitoring.instruments), on each page's registry."""

    def collect(self) -> Iterable[Metric]:
        return INSTRUMENTS.collect()


class DatabaseFigures(Collector):
    """The storage.metrics figures as gauges, read at each collection."""

    def __init__(self, database: Database, clock: Callable[[], datetime]) -> None:
        self._database, self._clock = database, clock

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("frontdesk_database_up", "1 when the database answered this scrape, else 0.")
        try:
            found = list(self._figures(self._clock()))
        except StorageError as error:
            log.warning("the metrics could not read the database: %s", error)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from found

    def _figures(self, now: datetime) -> Iterator[Metric]:
        with self._database.read() as session:
            queues = metrics.queue_figures(session)
            requests = metrics.open_requests(session)
            deadlines = metrics.deadline_counts(session, now=now)
            runs = sweep_runs.sweep_runs(session)
        yield _by_state("frontdesk_inbox_rows", "Inbox rows still in play, per state.", queues.inbox)
        yield _by_state("frontdesk_outbox_messages", "Outbox messages still in play, per state.", queues.outbox)
        yield _age(
            "frontdesk_inbox_oldest_pending_age_seconds", "the oldest inbox row waiting", queues.oldest_inbox, now
        )
        yield _age("frontdesk_outbox_oldest_pending_age_seconds", "the oldest outbox message waiting",
                   queues.oldest_outbox, now)  # fmt: skip
        yield GaugeMetricFamily("frontdesk_dead_letters", "Outbox messages dead and not dismissed.",
                                value=queues.outbox[OutboxState.DEAD])  # fmt: skip
        yield from _requests(requests, deadlines)
        yield from _sweeps(runs)


def _by_state(name: str, text: str, counts: dict[InboxState, int] | dict[OutboxState, int]) -> Metric:
    family = GaugeMetricFamily(name, text, labels=["state"])
    for state, count in counts.items():
        family.add_metric([state.value], count)
    return family


def _age(name: str, what: str, since: datetime | None, now: datetime) -> Metric:
    seconds = 0.0 if since is None else max(0.0, (now - since).total_seconds())
    return GaugeMetricFamily(name, f"Seconds since {what} was stored (0 when none waits).", value=seconds)


def _requests(requests: list[metrics.RequestCount], deadlines: list[metrics.DeadlineCount]) -> Iterator[Metric]:
    open_ = GaugeMetricFamily("frontdesk_requests_open", "Requests not closed or deferred, per status, priority "
                              "and plan.", labels=["status", "priority", "plan"])  # fmt: skip
    for count in requests:
        open_.add_metric([count.status.value, count.priority or NONE, count.plan or NONE], count.count)
    breached = GaugeMetricFamily("frontdesk_requests_breached", "Open requests with a pending deadline passed, "
                                 "per priority and plan.", labels=["priority", "plan"])  # fmt: skip
    at_risk = GaugeMetricFamily("frontdesk_requests_at_risk", "Open requests with a pending deadline due within "
                                "the hour, per priority and plan.", labels=["priority", "plan"])  # fmt: skip
    for figure in deadlines:
        labels = [figure.priority or NONE, figure.plan or NONE]
        breached.add_metric(labels, figure.breached)
        at_risk.add_metric(labels, figure.at_risk)
    return iter((open_, breached, at_risk))


def _sweeps(runs: list[sweep_runs.SweepRunRecord]) -> Iterator[Metric]:
    last = GaugeMetricFamily("frontdesk_sweep_last_run_timestamp_seconds", "When a sweep last ran, in any process "
                             "on the database (Unix time).", labels=["sweep"])  # fmt: skip
    failing = GaugeMetricFamily("frontdesk_sweep_failing", "1 when a sweep's last run, in any process, failed.",
                                labels=["sweep"])  # fmt: skip
    for run in runs:
        last.add_metric([run.name], run.last_run_at.timestamp())
        failing.add_metric([run.name], 1 if run.last_error else 0)
    return iter((last, failing))


class MetricsPage:
    """The text Prometheus scrapes: this process's instruments and resources, and the database's figures."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self, database: Database, clock: Callable[[], datetime]) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(_Instruments())
        self.registry.register(DatabaseFigures(database, clock))
        ProcessCollector(registry=self.registry)

    def __call__(self) -> bytes:
        return generate_latest(self.registry)
