"""Working the rows of one claim at the same time: one thread per row, up to the pool's size.

Rules (docs/operations.md, "Throughput"):
- A claim never holds two rows of one conversation (storage.inbox) or of one thread or channel
  (storage.outbox), so the rows of a claim may be worked in any order and at once; each row's work is unchanged.
- `each(items, work)` runs `work(item)` for every item and returns their results, in the items' order, when all
  have finished; an exception that escapes `work` is raised there once every item has finished. A pool of size 1
  works the items in the caller's thread, one after another, so a test on an injected clock sees exactly the
  order it would see without a pool.
- Slack answers in hundreds of milliseconds: one thread does a few rows a second, `size` threads about `size`
  times as many, each writing the database in a transaction of its own.
- `close()` lets the work in hand finish and ends the threads.
"""

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Pool:
    def __init__(self, size: int, *, name: str) -> None:
        if size < 1:
            raise ValueError("a pool needs at least one thread")
        self.size = size
        self._executor = ThreadPoolExecutor(size, thread_name_prefix=name) if size > 1 else None

    def each(self, items: Iterable[T], work: Callable[[T], R]) -> list[R]:
        if self._executor is None:
            return [work(item) for item in items]
        futures: list[Future[R]] = [self._executor.submit(work, item) for item in items]
        errors = [error for future in futures if (error := future.exception()) is not None]
        if errors:
            raise errors[0]
        return [future.result() for future in futures]

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
