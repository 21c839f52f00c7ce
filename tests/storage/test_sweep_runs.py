"""Sweep runs: the last run of each sweep, its count and its last error."""

from datetime import timedelta

from storage.engine import Database
from storage.sweep_runs import SweepRunRecord, record_run, sweep_runs
from tests.storage.helpers import NOW


def test_each_run_is_counted_and_an_error_kept_until_the_next_good_run(db: Database) -> None:
    with db.write() as session:
        record_run(session, "milestones", at=NOW)
    with db.write() as session:
        record_run(session, "milestones", at=NOW + timedelta(seconds=30), error="OperationalError: locked")
        record_run(session, "abandoned-intake", at=NOW)
    with db.read() as session:
        assert sweep_runs(session) == [
            SweepRunRecord("abandoned-intake", NOW, 1, None),
            SweepRunRecord("milestones", NOW + timedelta(seconds=30), 2, "OperationalError: locked"),
        ]
    with db.write() as session:
        record_run(session, "milestones", at=NOW + timedelta(minutes=1))
    with db.read() as session:
        assert sweep_runs(session)[1].last_error is None
