"""The sweeps, run by APScheduler 3.x inside `frontdesk run` and `frontdesk worker`
(docs/architecture.md, "The path of a message", step 6).

Rules (docs/architecture.md, "APScheduler facts"):
- One BackgroundScheduler per process, started only from those two entry points, with an in-memory job store:
  every deadline lives in our tables and every sweep is an idempotent function of the database and the time,
  so the scheduler only says when to look. One job per sweep with a fixed id, `coalesce=True`,
  `max_instances=1` and `misfire_grace_time=None`: a run missed (the process was busy or stopped) runs once,
  late, never twice in parallel; the first run is at start, so nothing due during downtime waits a period.
- The scheduler holds one job per sweep, never one per ticket.
- Each run reads the clock once, runs the sweep, records the run (and its error: a failed run is logged and
  the next one tries again) in storage.sweep_runs, and wakes the delivery worker when something was said.
- Each run is timed, and its success or failure counted, for /metrics (bot.monitoring.instruments); its log
  records carry the SR number of the request it works (bot.monitoring.logs).
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.monitoring.instruments import sweep_run
from bot.monitoring.logs import log_scope
from storage import sweep_runs
from storage.engine import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    """A named sweep, run every `every`; `run(now)` returns whether it said anything."""

    name: str
    every: timedelta
    run: Callable[[datetime], bool]


class Sweeper:
    def __init__(
        self,
        database: Database,
        sweeps: Sequence[Sweep],
        clock: Callable[[], datetime],
        on_said: Callable[[], None] = lambda: None,
    ) -> None:
        self.database, self.sweeps, self.clock, self.on_said = database, tuple(sweeps), clock, on_said
        self.scheduler = BackgroundScheduler(
            timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        )
        for sweep in self.sweeps:
            self.scheduler.add_job(
                self.run,
                IntervalTrigger(seconds=sweep.every.total_seconds(), timezone=UTC),
                args=[sweep],
                id=sweep.name,
                name=sweep.name,
                replace_existing=True,
                next_run_time=datetime.now(UTC),
            )

    def start(self) -> "Sweeper":
        self.scheduler.start()
        return self

    def stop(self) -> None:
        """Stops scheduling and waits for a sweep in progress (its transaction commits or rolls back)."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)

    def run(self, sweep: Sweep) -> bool:
        """One run of `sweep` at the clock's time, recorded; whether it said anything."""
        now, said, error = self.clock(), False, None
        try:
            with sweep_run(sweep.name), log_scope():
                said = sweep.run(now)
        except Exception as failure:  # a failed run must not stop the scheduler; the next run tries again
            log.exception("sweep %s failed", sweep.name)
            error = f"{type(failure).__name__}: {failure}"
        with self.database.write() as session:
            sweep_runs.record_run(session, sweep.name, at=now, error=error)
        if said:
            self.on_said()
        return said

    def run_all(self) -> bool:
        """Every sweep once, in order (for `frontdesk demo` and tests); whether any said anything."""
        said = [self.run(sweep) for sweep in self.sweeps]  # every one runs, whatever the others said
        return any(said)
