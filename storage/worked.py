"""Which request the current thread of work is on, for the log records written while it is worked
(docs/operations.md, "Logging").

Rules: a request is being worked from the moment its row is opened or locked (storage.tickets `open_ticket`,
`lock_ticket`) until the scope that works it ends; the caller that works one row or one request at a time
(bot.monitoring.logs `log_scope`) resets it, so a record never carries the SR number of earlier work. A value
of the context (contextvars): each thread has its own.
"""

from contextvars import ContextVar

WORKED_SR: ContextVar[str | None] = ContextVar("frontdesk_worked_sr", default=None)


def working_on(sr: str) -> None:
    """The request `sr` (SR-000123) is the one being worked in this context."""
    WORKED_SR.set(sr)
