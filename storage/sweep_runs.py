"""When each sweep last ran (for `frontdesk status`).

Rules: `record_run` writes the sweep's row in its own small transaction after each run, with the error of a
failed run (cleared by the next good one); `sweep_runs` reads them all, by name.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from storage.columns import to_utc
from storage.tables import SweepRun

MAX_ERROR = 2000


@dataclass(frozen=True)
class SweepRunRecord:
    name: str
    last_run_at: datetime
    runs: int
    last_error: str | None


def record_run(session: Session, name: str, *, at: datetime, error: str | None = None) -> None:
    row = session.get(SweepRun, name) or SweepRun(name=name, last_run_at=to_utc(at), runs=0)
    row.last_run_at, row.runs, row.last_error = to_utc(at), row.runs + 1, error[:MAX_ERROR] if error else None
    session.add(row)


def sweep_runs(session: Session) -> list[SweepRunRecord]:
    rows = session.exec(select(SweepRun).order_by(col(SweepRun.name)))
    return [SweepRunRecord(row.name, row.last_run_at, row.runs, row.last_error) for row in rows]
