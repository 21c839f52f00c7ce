"""What a sender does with an outbox row it claimed but did not get through, shared by Slack's delivery worker
(bot.delivery.deliverer) and the outgoing HTTP channel (bot.integrations.calls).

Rules:
- `retry(claim, error, at)` tries the row again at `at`; when its tries reached `max_attempts` it is dead instead
  (logged) and the answer is "dead", else None.
- `put_back(claim, until, reason)` gives the row back untried (its attempt returned) until `until`.
- `dead(claim, error)` dead-letters the row at once (logged): a retry could not succeed.
- `next_due` is the earliest instant a retry or a put-back set since `start()` (the start of a batch), so a
  sender's `wait(now, poll)` before its next round is no longer than that (nor than `poll`). Rows of one batch
  are finished on several threads: `next_due` is kept under a lock.
"""

import logging
import threading
from datetime import datetime, timedelta

from storage import outbox
from storage.engine import Database
from storage.kinds import OutboxState
from storage.outbox import OutboxClaim

log = logging.getLogger(__name__)


class OutboxRows:
    """The unsent outcomes of one sender's rows; see the module's rules."""

    def __init__(self, database: Database, max_attempts: int) -> None:
        self.database, self.max_attempts = database, max_attempts
        self.next_due: datetime | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        self.next_due = None

    def wait(self, now: datetime, poll: timedelta) -> timedelta:
        return poll if self.next_due is None else max(timedelta(0), min(poll, self.next_due - now))

    def retry(self, claim: OutboxClaim, error: str, at: datetime) -> str | None:
        with self.database.write() as session:
            state = outbox.retry_later(session, claim, error=error, next_try_at=at, max_attempts=self.max_attempts)
        if state is OutboxState.DEAD:
            log.warning("outbox row %s dead after %s tries: %s", claim.id, claim.attempts, error)
            return "dead"
        self._due_at(at)
        return None

    def put_back(self, claim: OutboxClaim, until: datetime, reason: str) -> None:
        with self.database.write() as session:
            outbox.put_back(session, claim, next_try_at=until, reason=reason)
        self._due_at(until)

    def dead(self, claim: OutboxClaim, error: str) -> str:
        with self.database.write() as session:
            outbox.dead_letter(session, claim, error=error)
        log.warning("outbox row %s dead-lettered: %s", claim.id, error)
        return "dead"

    def _due_at(self, at: datetime) -> None:
        with self._lock:
            self.next_due = at if self.next_due is None else min(self.next_due, at)
