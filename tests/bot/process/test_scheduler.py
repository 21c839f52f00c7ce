"""The sweeps on APScheduler: each runs at start and then every period, one at a time, recorded; a failure is
recorded and the next run tries again."""

import threading
from datetime import UTC, datetime, timedelta

from bot.process.scheduler import Sweep, Sweeper
from storage import sweep_runs
from storage.engine import Database

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_every_sweep_runs_at_start_and_is_recorded(db: Database) -> None:
    ran: list[str] = []
    done = threading.Event()
    said = threading.Event()

    def run(name: str):
        def sweep(now: datetime) -> bool:
            ran.append(name)
            if {"a", "b"} <= set(ran):
                done.set()
            return name == "a"

        return sweep

    sweeps = [Sweep("a", timedelta(hours=1), run("a")), Sweep("b", timedelta(hours=1), run("b"))]
    sweeper = Sweeper(db, sweeps, lambda: NOW, on_said=said.set).start()
    try:
        assert done.wait(10)
        assert said.wait(10)
        assert {job.id for job in sweeper.scheduler.get_jobs()} == {"a", "b"}  # one job per sweep, nothing more
    finally:
        sweeper.stop()
    with db.read() as session:
        runs = {run.name: run for run in sweep_runs.sweep_runs(session)}
    assert (runs["a"].last_run_at, runs["a"].runs, runs["b"].last_error) == (NOW, 1, None)


def test_the_jobs_are_fixed_coalesced_and_never_run_twice_at_once(db: Database) -> None:
    sweeper = Sweeper(db, [Sweep("milestones", timedelta(seconds=30), lambda now: False)], lambda: NOW).start()
    try:
        (job,) = sweeper.scheduler.get_jobs()
        assert (job.id, job.coalesce, job.max_instances, job.misfire_grace_time) == ("milestones", True, 1, None)
    finally:
        sweeper.stop()


def test_a_failing_sweep_is_recorded_and_tried_again(db: Database) -> None:
    attempts: list[datetime] = []

    def flaky(now: datetime) -> bool:
        attempts.append(now)
        if len(attempts) == 1:
            raise RuntimeError("database is locked")
        return False

    sweep = Sweep("flaky", timedelta(minutes=1), flaky)
    sweeper = Sweeper(db, [sweep], lambda: NOW)
    assert sweeper.run(sweep) is False
    with db.read() as session:
        (run,) = sweep_runs.sweep_runs(session)
    assert run.last_error == "RuntimeError: database is locked"
    sweeper.run(sweep)
    with db.read() as session:
        (run,) = sweep_runs.sweep_runs(session)
    assert (run.runs, run.last_error) == (2, None)
