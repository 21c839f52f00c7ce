"""Group commit: threads that each need one item written share transactions, and each still waits for its own.

Rules:
- `submit(item)` returns only after a transaction holding `item` has committed, with that item's outcome; if the
  transaction failed it raises, and the item is not stored. Nothing is answered before its own commit.
- No thread of its own: the submitting threads take turns as the leader. While a leader writes, newcomers queue;
  when it is done it releases each item of its batch with its outcome and hands the lead to the oldest queued
  item, whose thread writes everything queued by then (up to `max_batch`) in one call of `write`. Items are
  written in the order they were submitted. There is nothing to start, stop or drain: an item's own thread is
  waiting for it, so a server that stops after its requests finish leaves nothing pending.
- `write(items)` stores the items in one transaction, all or nothing, and returns one outcome per item in order.
- A batch that fails with an error of `shared_errors` (the database cannot be used) fails every item in it. Any
  other failure of a batch of several is retried one item per transaction, so a bad item fails only itself.
"""

import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")

MAX_BATCH = 64


@dataclass(eq=False)
class _Waiting(Generic[Item, Outcome]):
    """One submitted item: woken to lead, or woken with its outcome or error."""

    item: Item
    woken: threading.Event = field(default_factory=threading.Event)
    leads: bool = False
    done: bool = False
    outcome: Outcome | None = None
    error: BaseException | None = None

    def finish(self, outcome: Outcome | None, error: BaseException | None) -> None:
        self.outcome, self.error, self.done = outcome, error, True


class GroupCommit(Generic[Item, Outcome]):
    """Writes submitted items in shared transactions; see the module's rules."""

    def __init__(
        self,
        write: Callable[[Sequence[Item]], Sequence[Outcome]],
        *,
        shared_errors: tuple[type[BaseException], ...] = (),
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._write, self._shared_errors, self._max_batch = write, shared_errors, max_batch
        self._lock = threading.Condition()  # guards the queue and the lead; notified when an item is queued
        self._queue: deque[_Waiting[Item, Outcome]] = deque()
        self._leading = False

    def submit(self, item: Item) -> Outcome:
        """`item`'s outcome once a transaction holding it has committed; the write's error if it failed."""
        waiting: _Waiting[Item, Outcome] = _Waiting(item)
        with self._lock:
            self._queue.append(waiting)
            if not self._leading:
                self._leading = waiting.leads = True
            self._lock.notify_all()
        if not waiting.leads:
            waiting.woken.wait()
        if not waiting.done:  # it was made the leader; its item is the oldest queued, so in this batch
            self._lead()
        if waiting.error is not None:
            raise waiting.error
        return waiting.outcome  # type: ignore[return-value]

    def wait_for_queued(self, count: int, timeout: float) -> bool:
        """Whether `count` items came to wait for the next transaction within `timeout` seconds."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self._queue) >= count, timeout)

    def _lead(self) -> None:
        """Write one batch, release its items, hand the lead on."""
        with self._lock:
            batch = [self._queue.popleft() for _ in range(min(self._max_batch, len(self._queue)))]
        try:
            self._write_batch(batch)
        finally:
            for waiting in batch:
                if not waiting.done:  # only when the write was interrupted by something it did not catch
                    waiting.finish(None, RuntimeError("the group commit was interrupted"))
            self._hand_on()
            for waiting in batch:
                waiting.woken.set()

    def _write_batch(self, batch: list[_Waiting[Item, Outcome]]) -> None:
        try:
            outcomes = self._write([waiting.item for waiting in batch])
        except self._shared_errors as error:
            for waiting in batch:
                waiting.finish(None, error)
        except Exception as error:
            if len(batch) == 1:
                batch[0].finish(None, error)
            else:
                for waiting in batch:
                    self._write_batch([waiting])
        else:
            for waiting, outcome in zip(batch, outcomes, strict=True):
                waiting.finish(outcome, None)

    def _hand_on(self) -> None:
        with self._lock:
            if not self._queue:
                self._leading = False
                return
            successor = self._queue[0]
            successor.leads = True
        successor.woken.set()
